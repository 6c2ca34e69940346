/**
 * Money is carried as decimal strings ("1234.50") end to end and summed in integer grosze, so no
 * binary floating point ever touches an amount that ends up on an invoice.
 */
export const AMOUNT_PATTERN = /^-?\d{1,16}(\.\d{1,2})?$/;

export function toGrosze(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [whole, frac = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  return negative ? -value : value;
}

export function fromGrosze(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/** Round a value given in units of 1/10^scale to grosze, half away from zero (Polish VAT practice). */
export function roundToGrosze(value: bigint, scale: number): bigint {
  if (scale <= 2) return value * 10n ** BigInt(2 - scale);
  const div = 10n ** BigInt(scale - 2);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const q = abs / div;
  const r = abs % div;
  const rounded = r * 2n >= div ? q + 1n : q;
  return negative ? -rounded : rounded;
}
