/**
 * KSeF number format (facts §8): `NNNNNNNNNN-YYYYMMDD-XXXXXXXXXXXX-CC`, 35 characters, where CC is
 * CRC-8 (poly 0x07, init 0x00, no reflection, no final XOR) over the first 32 characters.
 * Reference numbers (`YYYYMMDD-TT-XXXXXXXXXX-XXXXXXXXXX-CC`) use the same CRC over 33 characters.
 */

const KSEF_NUMBER_PATTERN = /^([1-9]((\d[1-9])|([1-9]\d))\d{7})-(\d{4})(\d{2})(\d{2})-([0-9A-F]{12})-([0-9A-F]{2})$/;

export function crc8(data: string | Uint8Array): number {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'ascii') : data;
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crcHex(data: string): string {
  return crc8(data).toString(16).toUpperCase().padStart(2, '0');
}

export interface ParsedKsefNumber {
  sellerNip: string;
  /** Date the invoice was accepted for processing, YYYY-MM-DD. */
  date: string;
  technicalPart: string;
  checksum: string;
}

export type KsefNumberProblem = 'FORMAT' | 'DATE' | 'CHECKSUM';

export function checkKsefNumber(value: string): { valid: true; parsed: ParsedKsefNumber } | { valid: false; problem: KsefNumberProblem } {
  const m = KSEF_NUMBER_PATTERN.exec(value);
  if (!m) return { valid: false, problem: 'FORMAT' };
  const date = `${m[5]}-${m[6]}-${m[7]}`;
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) return { valid: false, problem: 'DATE' };
  if (crcHex(value.slice(0, 32)) !== m[9]) return { valid: false, problem: 'CHECKSUM' };
  return { valid: true, parsed: { sellerNip: m[1], date, technicalPart: m[8], checksum: m[9] } };
}

export function isValidKsefNumber(value: string): boolean {
  return checkKsefNumber(value).valid;
}

/** Appends the CRC to a 32-character KSeF number body (simulators, test data). */
export function withKsefChecksum(first32: string): string {
  if (first32.length !== 32) throw new RangeError('KSeF number body must be 32 characters');
  return `${first32}-${crcHex(first32)}`;
}

const REFERENCE_NUMBER_PATTERN = /^\d{8}-[A-Z]{2}-[0-9A-F]{10}-[0-9A-F]{10}-([0-9A-F]{2})$/;

export function isValidReferenceNumber(value: string): boolean {
  const m = REFERENCE_NUMBER_PATTERN.exec(value);
  return !!m && crcHex(value.slice(0, 33)) === m[1];
}
