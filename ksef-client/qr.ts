import { X509Certificate, constants, createPrivateKey, sign } from 'node:crypto';
import { base64UrlFromBase64, sha256, base64Url, utf8 } from './crypto';
import { KSEF_ENVIRONMENTS, type KsefEnvironmentName } from './environments';
import { KsefError } from './errors';

/**
 * QR KOD I (facts §9): `https://{qr-host}/invoice/{sellerNIP}/{P_1 as DD-MM-YYYY}/{hash}`, hash =
 * SHA-256 of the invoice XML bytes in Base64URL without padding. Printed on every invoice given to a
 * buyer outside KSeF; the label underneath is the KSeF number, or "OFFLINE" before it is known.
 */

export interface InvoiceVerificationLinkInput {
  /** Environment name or a QR base URL such as `https://qr-test.ksef.mf.gov.pl`. */
  environment: KsefEnvironmentName | string;
  sellerNip: string;
  /** P_1, YYYY-MM-DD. */
  issueDate: string;
  /** Either the invoice XML (hashed here) or its invoiceHash (Base64 SHA-256). */
  xml?: string | Uint8Array;
  invoiceHash?: string;
}

export function buildInvoiceVerificationUrl(input: InvoiceVerificationLinkInput): string {
  const host = input.environment in KSEF_ENVIRONMENTS ? KSEF_ENVIRONMENTS[input.environment as KsefEnvironmentName].qrBaseUrl : input.environment.replace(/\/+$/, '');
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.issueDate);
  if (!m) throw new KsefError('KSEF_INVALID_ARGUMENT', `issueDate must be YYYY-MM-DD, got ${input.issueDate}`, false);
  if (!/^\d{10}$/.test(input.sellerNip)) throw new KsefError('KSEF_INVALID_ARGUMENT', `sellerNip must be 10 digits, got ${input.sellerNip}`, false);
  let hash: string;
  if (input.xml !== undefined) hash = base64Url(sha256(utf8(input.xml)));
  else if (input.invoiceHash) hash = base64UrlFromBase64(input.invoiceHash);
  else throw new KsefError('KSEF_INVALID_ARGUMENT', 'either xml or invoiceHash is required', false);
  return `${host}/invoice/${input.sellerNip}/${m[3]}-${m[2]}-${m[1]}/${hash}`;
}

export function qrLabel(ksefNumber: string | undefined): string {
  return ksefNumber ?? 'OFFLINE';
}

/**
 * QR KOD II (facts §9): proves an offline invoice comes from someone holding a KSeF certificate of
 * type Offline. `https://{qr-host}/certificate/{ctxType}/{ctxValue}/{sellerNIP}/{certSerialHex}/{hash}/{signature}`;
 * the signature covers the URL without `https://` up to and including `{hash}`: RSASSA-PSS
 * (SHA-256, MGF1-SHA-256, salt 32) for RSA keys, ECDSA P-256/SHA-256 for EC keys, Base64URL.
 */
export type QrContextType = 'Nip' | 'InternalId' | 'NipVatUe' | 'PeppolId';

export interface CertificateVerificationLinkInput extends Omit<InvoiceVerificationLinkInput, 'issueDate'> {
  contextType: QrContextType;
  contextValue: string;
  /** Serial number of the KSeF offline certificate, hex (read from the certificate when it is given). */
  certificateSerialHex?: string;
  certificatePem?: string;
  privateKeyPem: string;
}

export function buildCertificateVerificationUrl(input: CertificateVerificationLinkInput): string {
  const host = input.environment in KSEF_ENVIRONMENTS ? KSEF_ENVIRONMENTS[input.environment as KsefEnvironmentName].qrBaseUrl : input.environment.replace(/\/+$/, '');
  if (!/^\d{10}$/.test(input.sellerNip)) throw new KsefError('KSEF_INVALID_ARGUMENT', `sellerNip must be 10 digits, got ${input.sellerNip}`, false);
  const serial = (input.certificateSerialHex ?? (input.certificatePem ? new X509Certificate(input.certificatePem).serialNumber : '')).toUpperCase();
  if (!/^[0-9A-F]+$/.test(serial)) throw new KsefError('KSEF_INVALID_ARGUMENT', 'certificateSerialHex or certificatePem is required', false);
  let hash: string;
  if (input.xml !== undefined) hash = base64Url(sha256(utf8(input.xml)));
  else if (input.invoiceHash) hash = base64UrlFromBase64(input.invoiceHash);
  else throw new KsefError('KSEF_INVALID_ARGUMENT', 'either xml or invoiceHash is required', false);
  const url = `${host}/certificate/${input.contextType}/${encodeURIComponent(input.contextValue)}/${input.sellerNip}/${serial}/${hash}`;
  const signed = Buffer.from(url.replace(/^https?:\/\//, ''), 'utf8');
  const key = createPrivateKey(input.privateKeyPem);
  const signature =
    key.asymmetricKeyType === 'ec'
      ? sign('sha256', signed, { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  return `${url}/${base64Url(signature)}`;
}

export const QR_CERTIFICATE_LABEL = 'CERTYFIKAT';
