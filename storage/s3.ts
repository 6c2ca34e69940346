import { createHash, createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { BlobStorage, StoredObject } from '.';

export interface S3StorageOptions {
  /** e.g. https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:9000 (MinIO); path-style addressing. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Key prefix inside the bucket. */
  prefix?: string;
}

/**
 * S3-compatible storage with AWS Signature V4 (path-style, single PUT up to 5 GB). Tested against
 * s3rver (test/integration/attachments-storage.test.ts), which checks the access key but not the V4
 * signature value; that part is proven only by a real S3/MinIO.
 */
export class S3Storage implements BlobStorage {
  readonly kind = 's3' as const;
  constructor(private readonly o: S3StorageOptions) {}

  private url(key: string): URL {
    const objectKey = `${this.o.prefix ?? ''}${key}`.split('/').map(encodeURIComponent).join('/');
    return new URL(`${this.o.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(this.o.bucket)}/${objectKey}`);
  }

  private sign(method: string, url: URL, payloadSha256Hex: string, extra: Record<string, string> = {}): Record<string, string> {
    const now = new Date();
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = { host: url.host, 'x-amz-content-sha256': payloadSha256Hex, 'x-amz-date': amzDate, ...extra };
    const names = Object.keys(headers).sort();
    const canonicalHeaders = names.map((n) => `${n}:${headers[n].trim()}\n`).join('');
    const canonical = [method, url.pathname, url.searchParams.toString(), canonicalHeaders, names.join(';'), payloadSha256Hex].join('\n');
    const scope = `${day}/${this.o.region}/s3/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${this.o.secretAccessKey}`, day), this.o.region), 's3'), 'aws4_request');
    const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
    return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${this.o.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
  }

  async putFile(key: string, file: string, meta: { size: number; sha256: string; contentType: string }): Promise<StoredObject> {
    const url = this.url(key);
    const hex = Buffer.from(meta.sha256, 'base64').toString('hex');
    const headers = this.sign('PUT', url, hex, { 'content-length': String(meta.size), 'content-type': meta.contentType });
    delete headers.host;
    const res = await fetch(url, { method: 'PUT', headers, body: Readable.toWeb(createReadStream(file)) as never, duplex: 'half' } as RequestInit);
    if (!res.ok) throw new Error(`KSEFOPS_STORAGE_S3_PUT_FAILED: HTTP ${res.status} ${await res.text()}`);
    await unlink(file);
    return { key, size: meta.size, sha256: meta.sha256 };
  }

  async get(key: string): Promise<Readable> {
    const url = this.url(key);
    const headers = this.sign('GET', url, createHash('sha256').update('').digest('hex'));
    delete headers.host;
    const res = await fetch(url, { headers });
    if (!res.ok || !res.body) throw new Error(`KSEFOPS_STORAGE_S3_GET_FAILED: HTTP ${res.status}`);
    return Readable.fromWeb(res.body as never);
  }

  async delete(key: string): Promise<void> {
    const url = this.url(key);
    const headers = this.sign('DELETE', url, createHash('sha256').update('').digest('hex'));
    delete headers.host;
    const res = await fetch(url, { method: 'DELETE', headers });
    if (!res.ok && res.status !== 404) throw new Error(`KSEFOPS_STORAGE_S3_DELETE_FAILED: HTTP ${res.status}`);
  }
}
