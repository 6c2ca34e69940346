import { randomBytes } from 'node:crypto';
import { warsawDateOf } from '../domain/business-days';

/**
 * KSeF identifiers end with a CRC-8 (poly 0x07, init 0, no reflection, no final XOR) of the
 * ASCII characters before the last dash. Verified against the published example
 * `5265877635-20250826-0100001AF629-AF` and the reference numbers in the official docs.
 */
export function crc8(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'ascii')) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    }
  }
  return crc;
}

function crcHex(text: string): string {
  return crc8(text).toString(16).toUpperCase().padStart(2, '0');
}

const KSEF_NUMBER_PATTERN = /^(\d{10})-(\d{8})-([0-9A-F]{12})-([0-9A-F]{2})$/;
const REFERENCE_NUMBER_PATTERN = /^(\d{8})-([0-9A-Z]{2})-([0-9A-F]{10})-([0-9A-F]{10})-([0-9A-F]{2})$/;

function compactDate(at: Date): string {
  // KSeF dates (KSeF number, automatic offline) follow the Warsaw calendar.
  return warsawDateOf(at).replace(/-/g, '');
}

export function newKsefNumber(sellerNip: string, acceptedAt: Date): string {
  const body = `${sellerNip}-${compactDate(acceptedAt)}-${randomBytes(6).toString('hex').toUpperCase()}`;
  return `${body}-${crcHex(body)}`;
}

/** Only the 35-character KSeF 2.0 form; the legacy 36-character form is accepted by the API but never issued. */
export function isValidKsefNumber(value: string): boolean {
  if (!KSEF_NUMBER_PATTERN.test(value)) return false;
  return crcHex(value.slice(0, 32)) === value.slice(33);
}

/**
 * Type codes observed in official examples: CR challenge, AU auth, SO online session, SB batch
 * session, EE invoice, EU UPO, EC KSeF token. Their meaning is inferred, not documented.
 */
export type ReferenceKind = 'CR' | 'AU' | 'SO' | 'SB' | 'EE' | 'EU' | 'EC' | 'EH';

export function newReferenceNumber(kind: ReferenceKind, at: Date = new Date()): string {
  return referenceNumberFromHex(kind, at, randomBytes(10).toString('hex'));
}

/** Deterministic variant: the 20 technical hex characters come from the caller. */
export function referenceNumberFromHex(kind: ReferenceKind, at: Date, hex: string): string {
  const technical = hex.toUpperCase().slice(0, 20);
  const body = `${compactDate(at)}-${kind}-${technical.slice(0, 10)}-${technical.slice(10)}`;
  return `${body}-${crcHex(body)}`;
}

export function isValidReferenceNumber(value: string): boolean {
  if (!REFERENCE_NUMBER_PATTERN.test(value)) return false;
  return crcHex(value.slice(0, 33)) === value.slice(34);
}
