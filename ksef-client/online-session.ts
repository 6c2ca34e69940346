import type { FormCode, OpenOnlineSessionRequest, OpenOnlineSessionResponse, SendInvoiceRequest, SendInvoiceResponse } from './api-types';
import { aes256CbcEncrypt, generateSymmetricKey, rsaOaepSha256Encrypt, sha256Base64, utf8, type SymmetricKeyMaterial } from './crypto';
import { KsefError } from './errors';
import type { KsefHttpClient } from './http';
import type { SelectedPublicKey } from './public-keys';

/**
 * Online (interactive) session: POST /sessions/online, POST /sessions/online/{ref}/invoices,
 * POST /sessions/online/{ref}/close (facts §3).
 */

export const FA3_FORM_CODE: FormCode = { systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' };

/**
 * Everything needed to keep sending into an open session, in plain JSON: a worker can persist it and
 * continue after a restart. The symmetric key is a secret — store it like one.
 */
export interface OnlineSessionHandle {
  referenceNumber: string;
  validUntil: string;
  /** Base64 of the 32-byte AES-256 key. */
  symmetricKey: string;
  /** Base64 of the 16-byte IV. */
  iv: string;
}

export interface SendInvoiceOptions {
  offlineMode?: boolean;
  /** Only for a technical correction of a rejected offline invoice (facts §9). */
  hashOfCorrectedInvoice?: string;
}

export interface SentInvoice {
  referenceNumber: string;
  /** SHA-256/Base64 of the plain XML bytes: KSeF's invoiceHash, also the QR KOD I hash. */
  invoiceHash: string;
  invoiceSize: number;
}

export function encryptionInfoFor(material: SymmetricKeyMaterial, key: SelectedPublicKey) {
  return {
    encryptedSymmetricKey: rsaOaepSha256Encrypt(key.key, material.key).toString('base64'),
    initializationVector: material.iv.toString('base64'),
    publicKeyId: key.publicKeyId,
  };
}

export async function openOnlineSession(
  http: KsefHttpClient,
  accessToken: string,
  symmetricKeyCertificate: SelectedPublicKey,
  formCode: FormCode = FA3_FORM_CODE,
): Promise<OnlineSessionHandle> {
  const material = generateSymmetricKey();
  const body: OpenOnlineSessionRequest = { formCode, encryption: encryptionInfoFor(material, symmetricKeyCertificate) };
  const res = await http.request<OpenOnlineSessionResponse>({ method: 'POST', path: '/sessions/online', json: body, bearer: accessToken });
  if (!res.data?.referenceNumber) throw new KsefError('KSEF_INVALID_RESPONSE', 'open online session response lacks referenceNumber', false);
  return {
    referenceNumber: res.data.referenceNumber,
    validUntil: res.data.validUntil,
    symmetricKey: material.key.toString('base64'),
    iv: material.iv.toString('base64'),
  };
}

export function buildSendInvoiceRequest(handle: OnlineSessionHandle, xml: string | Uint8Array, options: SendInvoiceOptions = {}): SendInvoiceRequest {
  const plain = utf8(xml);
  const encrypted = aes256CbcEncrypt(plain, Buffer.from(handle.symmetricKey, 'base64'), Buffer.from(handle.iv, 'base64'));
  const request: SendInvoiceRequest = {
    invoiceHash: sha256Base64(plain),
    invoiceSize: plain.length,
    encryptedInvoiceHash: sha256Base64(encrypted),
    encryptedInvoiceSize: encrypted.length,
    encryptedInvoiceContent: encrypted.toString('base64'),
  };
  if (options.offlineMode !== undefined) request.offlineMode = options.offlineMode;
  if (options.hashOfCorrectedInvoice !== undefined) request.hashOfCorrectedInvoice = options.hashOfCorrectedInvoice;
  return request;
}

export async function sendInvoice(
  http: KsefHttpClient,
  accessToken: string,
  handle: OnlineSessionHandle,
  xml: string | Uint8Array,
  options: SendInvoiceOptions = {},
): Promise<SentInvoice> {
  const body = buildSendInvoiceRequest(handle, xml, options);
  const res = await http.request<SendInvoiceResponse>({
    method: 'POST',
    path: `/sessions/online/${encodeURIComponent(handle.referenceNumber)}/invoices`,
    json: body,
    bearer: accessToken,
  });
  if (!res.data?.referenceNumber) throw new KsefError('KSEF_INVALID_RESPONSE', 'send invoice response lacks referenceNumber', false);
  return { referenceNumber: res.data.referenceNumber, invoiceHash: body.invoiceHash, invoiceSize: body.invoiceSize };
}

export async function closeOnlineSession(http: KsefHttpClient, accessToken: string, referenceNumber: string): Promise<void> {
  await http.request({ method: 'POST', path: `/sessions/online/${encodeURIComponent(referenceNumber)}/close`, bearer: accessToken, responseKind: 'none' });
}
