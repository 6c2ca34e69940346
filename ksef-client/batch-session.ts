import { zipSync } from 'fflate';
import type { BatchFilePartInfo, FormCode, OpenBatchSessionRequest, OpenBatchSessionResponse } from './api-types';
import { aes256CbcEncrypt, generateSymmetricKey, sha256Base64, utf8 } from './crypto';
import { KsefError } from './errors';
import type { KsefHttpClient } from './http';
import { encryptionInfoFor, FA3_FORM_CODE } from './online-session';
import type { SelectedPublicKey } from './public-keys';

/**
 * Batch session (facts §4): ZIP all invoices, split the archive binarily into parts (≤100 MB each
 * before encryption, ≤50 parts), encrypt each part with the session key, open the session declaring
 * the parts, upload every part with exactly the method/url/headers KSeF returned (no bearer token),
 * then close.
 */

export const MAX_BATCH_PART_BYTES = 100_000_000;
export const MAX_BATCH_PARTS = 50;
export const MAX_BATCH_ARCHIVE_BYTES = 5_000_000_000;

export interface BatchInvoiceFile {
  /** Name inside the ZIP; defaults to `invoice-{n}.xml`. */
  fileName?: string;
  xml: string | Uint8Array;
}

export interface SendBatchOptions {
  /** Split size before encryption; default 100 MB (KSeF maximum). */
  maxPartBytes?: number;
  offlineMode?: boolean;
  formCode?: FormCode;
  /** Parallel part uploads; KSeF recommends parallel and does not rate-limit them. */
  uploadConcurrency?: number;
}

export interface BatchInvoiceEntry {
  fileName: string;
  /** Keep this to correlate per-invoice statuses (invoiceHash) after processing. */
  invoiceHash: string;
}

export interface SentBatch {
  referenceNumber: string;
  invoices: BatchInvoiceEntry[];
  partCount: number;
  archiveBytes: number;
}

export interface PreparedBatch {
  archive: Buffer;
  invoices: BatchInvoiceEntry[];
  parts: Array<{ info: BatchFilePartInfo; encrypted: Buffer }>;
  request: OpenBatchSessionRequest;
}

export function prepareBatch(files: BatchInvoiceFile[], key: SelectedPublicKey, options: SendBatchOptions = {}): PreparedBatch {
  if (files.length === 0) throw new KsefError('KSEF_INVALID_ARGUMENT', 'a batch needs at least one invoice', false);
  const maxPart = options.maxPartBytes ?? MAX_BATCH_PART_BYTES;
  if (!(maxPart > 0 && maxPart <= MAX_BATCH_PART_BYTES)) {
    throw new KsefError('KSEF_INVALID_ARGUMENT', `maxPartBytes must be 1..${MAX_BATCH_PART_BYTES}`, false);
  }

  const entries: Record<string, Uint8Array> = {};
  const invoices: BatchInvoiceEntry[] = [];
  files.forEach((file, i) => {
    const fileName = file.fileName ?? `invoice-${String(i + 1).padStart(5, '0')}.xml`;
    if (entries[fileName]) throw new KsefError('KSEF_INVALID_ARGUMENT', `duplicate file name in batch: ${fileName}`, false);
    const bytes = utf8(file.xml);
    entries[fileName] = bytes;
    invoices.push({ fileName, invoiceHash: sha256Base64(bytes) });
  });
  // Fixed mtime keeps the archive (and its declared hash) reproducible for the same input.
  const archive = Buffer.from(zipSync(entries, { level: 6, mtime: new Date('2025-01-01T00:00:00Z') }));
  if (archive.length > MAX_BATCH_ARCHIVE_BYTES) throw new KsefError('KSEF_BATCH_TOO_LARGE', `archive is ${archive.length} bytes, KSeF accepts at most ${MAX_BATCH_ARCHIVE_BYTES}`, false);
  const partCount = Math.ceil(archive.length / maxPart);
  if (partCount > MAX_BATCH_PARTS) throw new KsefError('KSEF_BATCH_TOO_LARGE', `archive needs ${partCount} parts, KSeF accepts at most ${MAX_BATCH_PARTS}`, false);

  const material = generateSymmetricKey();
  const parts = Array.from({ length: partCount }, (_, i) => {
    const encrypted = aes256CbcEncrypt(archive.subarray(i * maxPart, (i + 1) * maxPart), material.key, material.iv);
    return { info: { ordinalNumber: i + 1, fileSize: encrypted.length, fileHash: sha256Base64(encrypted) }, encrypted };
  });

  const request: OpenBatchSessionRequest = {
    formCode: options.formCode ?? FA3_FORM_CODE,
    batchFile: { fileSize: archive.length, fileHash: sha256Base64(archive), compressionType: 'Zip', fileParts: parts.map((p) => p.info) },
    encryption: encryptionInfoFor(material, key),
  };
  if (options.offlineMode !== undefined) request.offlineMode = options.offlineMode;
  return { archive, invoices, parts, request };
}

export async function sendBatch(
  http: KsefHttpClient,
  getAccessToken: () => Promise<string>,
  key: SelectedPublicKey,
  files: BatchInvoiceFile[],
  options: SendBatchOptions = {},
): Promise<SentBatch> {
  const prepared = prepareBatch(files, key, options);
  const opened = (
    await http.request<OpenBatchSessionResponse>({ method: 'POST', path: '/sessions/batch', json: prepared.request, bearer: await getAccessToken() })
  ).data;
  if (!opened?.referenceNumber || !Array.isArray(opened.partUploadRequests)) {
    throw new KsefError('KSEF_INVALID_RESPONSE', 'open batch session response lacks referenceNumber/partUploadRequests', false);
  }

  const byOrdinal = new Map(prepared.parts.map((p) => [p.info.ordinalNumber, p.encrypted]));
  const queue = [...opened.partUploadRequests];
  const worker = async () => {
    for (let upload = queue.shift(); upload; upload = queue.shift()) {
      const body = byOrdinal.get(upload.ordinalNumber);
      if (!body) throw new KsefError('KSEF_INVALID_RESPONSE', `KSeF asked for unknown part ${upload.ordinalNumber}`, false);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(upload.headers ?? {})) if (v !== null && v !== undefined) headers[k] = String(v);
      await http.request({ method: upload.method.toUpperCase() as 'PUT', path: upload.url, headers, body, responseKind: 'none' });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.uploadConcurrency ?? 4, queue.length)) }, worker));

  await http.request({
    method: 'POST',
    path: `/sessions/batch/${encodeURIComponent(opened.referenceNumber)}/close`,
    bearer: await getAccessToken(),
    responseKind: 'none',
  });
  return { referenceNumber: opened.referenceNumber, invoices: prepared.invoices, partCount: prepared.parts.length, archiveBytes: prepared.archive.length };
}
