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
