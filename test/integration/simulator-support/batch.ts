import { randomBytes } from 'node:crypto';
import { aesEncrypt, http, rsaEncrypt, sha256Base64, type SimClient } from './client';

export interface OpenedBatch {
  status: number;
  body: any;
  referenceNumber: string;
  encryptedParts: Buffer[];
}

/** Splits the archive binarily into `partCount` parts and encrypts each, as the docs prescribe. */
export async function openBatch(client: SimClient, zip: Buffer, partCount: number, extra: { offlineMode?: boolean } = {}): Promise<OpenedBatch> {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const partSize = Math.ceil(zip.length / partCount);
  const encryptedParts = Array.from({ length: partCount }, (_, i) => aesEncrypt(key, iv, zip.subarray(i * partSize, (i + 1) * partSize)));
  const rsa = await client.keyFor('SymmetricKeyEncryption');
  const res = await http(`${client.baseUrl}/sessions/batch`, {
    token: client.accessToken,
    json: {
      formCode: { systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' },
      encryption: { encryptedSymmetricKey: rsaEncrypt(rsa.certificate, key).toString('base64'), initializationVector: iv.toString('base64') },
      batchFile: {
        fileSize: zip.length,
        fileHash: sha256Base64(zip),
        fileParts: encryptedParts.map((p, i) => ({ ordinalNumber: i + 1, fileSize: p.length, fileHash: sha256Base64(p) })),
      },
      ...extra,
    },
  });
  return { status: res.status, body: res.body, referenceNumber: res.body?.referenceNumber, encryptedParts };
}

export async function uploadParts(batch: OpenedBatch, skip: number[] = []): Promise<number[]> {
  const statuses: number[] = [];
  for (const request of batch.body.partUploadRequests) {
    if (skip.includes(request.ordinalNumber)) continue;
    // no bearer: the pre-signed URL is the only credential, as with KSeF's blob storage
    const res = await http(request.url, { method: request.method, headers: request.headers, body: batch.encryptedParts[request.ordinalNumber - 1] });
    statuses.push(res.status);
  }
  return statuses;
}

export async function uploadAndClose(client: SimClient, batch: OpenedBatch): Promise<void> {
  const statuses = await uploadParts(batch);
  if (statuses.some((s) => s !== 201)) throw new Error(`upload failed: ${statuses}`);
  const close = await http(`${client.baseUrl}/sessions/batch/${batch.referenceNumber}/close`, { method: 'POST', token: client.accessToken });
  if (close.status !== 204) throw new Error(`batch close failed ${close.status} ${close.text}`);
}
