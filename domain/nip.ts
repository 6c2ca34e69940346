/**
 * Polish NIP (tax id) handling. Source systems send NIPs as "PL 526-000-12-46", "5260001246", …;
 * we store and compare the bare 10 digits.
 */
const NIP_WEIGHTS = [6, 5, 7, 2, 3, 4, 5, 6, 7];

/** Strip spaces, dashes and a leading "PL" country prefix. Returns the input unchanged if it is not NIP-like. */
export function normalizeNip(raw: string): string {
  return raw.trim().replace(/^PL/i, '').replace(/[\s-]/g, '');
}

/** True when `nip` is 10 digits, matches KSeF's pattern and its checksum is right. */
export function isValidNip(nip: string): boolean {
  if (!/^[1-9]((\d[1-9])|([1-9]\d))\d{7}$/.test(nip)) return false;
  const digits = [...nip].map(Number);
  const sum = NIP_WEIGHTS.reduce((acc, w, i) => acc + w * digits[i], 0);
  const check = sum % 11;
  return check !== 10 && check === digits[9];
}

/** Build a checksum-valid NIP from a 9-digit prefix (tests and demo data), or null if none exists. */
export function nipWithChecksum(prefix9: string): string | null {
  const digits = [...prefix9].map(Number);
  const check = NIP_WEIGHTS.reduce((acc, w, i) => acc + w * digits[i], 0) % 11;
  if (check === 10) return null;
  const nip = prefix9 + String(check);
  return isValidNip(nip) ? nip : null;
}
