/**
 * Attachment storage and limits from configuration, on real parts: an S3-compatible server
 * (s3rver, started here on a free port) behind the storage interface, and the API configured
 * through config/index.ts as a process is. s3rver parses the Signature V4 Authorization header and
 * checks its access key id, but does not recompute the V4 signature itself: the signature value is
 * proven only against a real S3/MinIO.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { attachmentSettingsFrom } from '../../api/documents-mount';
import { ConfigError, DEFAULT_ATTACHMENT_CONTENT_TYPES, loadConfig } from '../../config';
import { S3Storage, createBlobStorage } from '../../storage';
import { sampleInvoice } from '../support/invoices';
import { startStack, type TestStack } from '../support/stack';

const BUCKET = 'ksef-ops-attachments';
let s3: S3rver;
let s3Dir: string;
let endpoint: string;
let stack: TestStack;

const s3Env = () => ({
  ATTACHMENTS_STORAGE: 's3',
  ATTACHMENTS_S3_ENDPOINT: endpoint,
  ATTACHMENTS_S3_BUCKET: BUCKET,
  ATTACHMENTS_S3_PREFIX: 'tenant-a/',
  ATTACHMENTS_S3_ACCESS_KEY_ID: 'S3RVER',
  ATTACHMENTS_S3_SECRET_ACCESS_KEY: 'S3RVER',
  ATTACHMENTS_MAX_BYTES: '2048',
  ATTACHMENTS_CONTENT_TYPES: 'text/plain, application/pdf',
});

/** Every file s3rver keeps for the bucket (objects and their metadata), relative to the bucket. */
async function storedFiles(): Promise<string[]> {
  const root = path.join(s3Dir, BUCKET);
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

beforeAll(async () => {
  s3Dir = await mkdtemp(path.join(os.tmpdir(), 'ksef-ops-s3rver-'));
  s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const address = (await s3.run()) as { port: number };
  endpoint = `http://127.0.0.1:${address.port}`;
  const config = loadConfig({ ...process.env, ...s3Env() });
  stack = await startStack({ attachments: attachmentSettingsFrom(config.attachments) });
});
afterAll(async () => {
  await stack?.stop();
  await s3?.close();
  await rm(s3Dir, { recursive: true, force: true });
});

async function upload(name: string, type: string, content: Buffer | string, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([content], { type }), name);
  const res = await fetch(`${stack.apiUrl}/api/v1/attachments`, { method: 'POST', body: form, headers: await stack.auth.headersFor() });
  return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as any };
}

describe('attachment configuration', () => {
  it('defaults to a local folder under DATA_DIR with the documented limits, and checks the S3 settings', () => {
    const local = loadConfig({ DATA_DIR: '/srv/ksef-ops' }).attachments;
    expect(local).toEqual({ maxBytes: 10 * 1024 * 1024, contentTypes: DEFAULT_ATTACHMENT_CONTENT_TYPES, storage: { kind: 'local', dir: '/srv/ksef-ops' } });
    expect(createBlobStorage(local.storage).kind).toBe('local');
    expect(loadConfig({ ATTACHMENTS_DIR: '/mnt/docs' }).attachments.storage).toEqual({ kind: 'local', dir: '/mnt/docs' });
    expect(() => loadConfig({ ATTACHMENTS_STORAGE: 's3', ATTACHMENTS_S3_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow(ConfigError);
    expect(() => loadConfig({ ATTACHMENTS_STORAGE: 's3', ATTACHMENTS_S3_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow(/ATTACHMENTS_S3_BUCKET, ATTACHMENTS_S3_ACCESS_KEY_ID/);
    expect(() => loadConfig({ ATTACHMENTS_CONTENT_TYPES: 'pdf' })).toThrow(/ATTACHMENTS_CONTENT_TYPES/);
    const s3Config = loadConfig(s3Env()).attachments;
    expect(s3Config.contentTypes).toEqual(['text/plain', 'application/pdf']);
    expect(createBlobStorage(s3Config.storage).kind).toBe('s3');
  });
});

describe('S3-compatible storage (s3rver)', () => {
  it('puts, gets and deletes an object through the storage interface, signed with Signature V4', async () => {
    const storage = createBlobStorage(loadConfig(s3Env()).attachments.storage);
    const content = Buffer.from('Protokół odbioru — zażółć gęślą jaźń\n'.repeat(100));
    const tmp = path.join(os.tmpdir(), `ksef-ops-s3-test-${process.pid}`);
    await writeFile(tmp, content);
    const sha256 = createHash('sha256').update(content).digest('base64');
    const key = 'attachments/2026-11/round-trip.txt';
    const stored = await storage.putFile(key, tmp, { size: content.length, sha256, contentType: 'text/plain' });
    expect(stored).toEqual({ key, size: content.length, sha256 });
    expect(await storedFiles()).toContain(path.join('tenant-a', 'attachments', '2026-11', 'round-trip.txt._S3rver_object'));

    const chunks: Buffer[] = [];
    for await (const chunk of await storage.get(key)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);

    // The server reads the credential out of our Authorization header: an unknown key id is refused.
    const stranger = new S3Storage({ endpoint, region: 'us-east-1', bucket: BUCKET, prefix: 'tenant-a/', accessKeyId: 'NOT-A-KEY', secretAccessKey: 'S3RVER' });
    await expect(stranger.get(key)).rejects.toThrow(/KSEFOPS_STORAGE_S3_GET_FAILED: HTTP 403/);

    await storage.delete(key);
    await expect(storage.get(key)).rejects.toThrow(/KSEFOPS_STORAGE_S3_GET_FAILED: HTTP 404/);
    expect((await storedFiles()).filter((f) => f.includes('round-trip'))).toEqual([]);
    await storage.delete(key); // deleting what is gone is not an error (retries)
  });
});

describe('the API with the S3 backend and configured limits', () => {
  it('stores an upload in the bucket, links it to the invoice and serves it back', async () => {
    const submitted = await stack.api('/api/v1/invoices', { body: sampleInvoice() });
    const invoiceId = submitted.body.id as string;
    const pdf = Buffer.from('%PDF-1.7\n% umowa\n');
    const res = await upload('umowa.pdf', 'application/pdf', pdf, { invoiceId, owner: 'anna@example.com' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ invoiceId, name: 'umowa.pdf', size: pdf.length, owner: 'anna@example.com' });

    const row = await stack.prisma.attachment.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(await storedFiles()).toContain(path.join('tenant-a', `${row.storageKey}._S3rver_object`));
    const content = await fetch(`${stack.apiUrl}${res.body.contentUrl}`, { headers: await stack.auth.headersFor() });
    expect(content.status).toBe(200);
    expect(Buffer.from(await content.arrayBuffer()).equals(pdf)).toBe(true);

    const detail = await stack.api(`/api/v1/invoices/${invoiceId}`);
    expect(detail.body.attachments).toEqual([
      expect.objectContaining({ id: res.body.id, name: 'umowa.pdf', contentType: 'application/pdf', size: pdf.length, owner: 'anna@example.com', archived: false, contentUrl: res.body.contentUrl }),
    ]);
  });

  it('refuses an over-limit or wrong-type upload with problem+json naming the field, and stores nothing', async () => {
    const before = await storedFiles();
    const rowsBefore = await stack.prisma.attachment.count();

    const big = await upload('too-big.txt', 'text/plain', Buffer.alloc(2049, 0x61));
    expect(big.status).toBe(413);
    expect(big.contentType).toContain('application/problem+json');
    expect(big.body).toMatchObject({ code: 'ATTACHMENT_TOO_LARGE', errors: [{ path: ['file'], field: 'file', code: 'ATTACHMENT_TOO_LARGE' }] });
    expect(big.body.detail).toContain('2048');

    const png = await upload('scan.png', 'image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect(png.status).toBe(415);
    expect(png.contentType).toContain('application/problem+json');
    expect(png.body).toMatchObject({ code: 'ATTACHMENT_TYPE_NOT_ALLOWED', errors: [{ path: ['file'], field: 'file' }] });
    expect(png.body.detail).toContain('text/plain, application/pdf');

    // Exactly at the limit is fine: the limit is inclusive.
    const exact = await upload('exact.txt', 'text/plain', Buffer.alloc(2048, 0x61));
    expect(exact.status).toBe(201);

    expect(await stack.prisma.attachment.count({ where: { name: { in: ['too-big.txt', 'scan.png'] } } })).toBe(0);
    expect(await stack.prisma.attachment.count()).toBe(rowsBefore + 1);
    const added = (await storedFiles()).filter((f) => !before.includes(f) && f.endsWith('._S3rver_object'));
    expect(added).toHaveLength(1);
  });
});
