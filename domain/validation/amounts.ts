import type { Invoice, VatRate } from '../invoice';
import { roundToGrosze, toGrosze } from '../money';
import { vatPercent } from '../totals';

/**
 * Totals the invoice implies, computed the way FA(3) reports them: net summed per rate, VAT once
 * per rate, and for corrections "after" minus "before" lines. Kept here rather than reusing the
 * builder so that validation does not silently agree with a builder bug.
 */
export function impliedGross(invoice: Pick<Invoice, 'lines'>): bigint {
  const sums = new Map<VatRate, { after: bigint; before: bigint }>();
  for (const line of invoice.lines) {
    const s = sums.get(line.vatRate) ?? { after: 0n, before: 0n };
    if (line.beforeCorrection) s.before += toGrosze(line.netAmount);
    else s.after += toGrosze(line.netAmount);
    sums.set(line.vatRate, s);
  }
  let gross = 0n;
  for (const [rate, s] of sums) {
    const pct = vatPercent(rate);
    const vat = (net: bigint) => (pct === null ? 0n : roundToGrosze(net * BigInt(Math.round(pct * 100)), 6));
    gross += s.after - s.before + vat(s.after) - vat(s.before);
  }
  return gross;
}

/** The P_15 that will be sent: the declared gross when given, otherwise what the lines imply. */
export function declaredOrImpliedGross(invoice: Pick<Invoice, 'lines' | 'grossAmount'>): bigint {
  return invoice.grossAmount !== undefined ? toGrosze(invoice.grossAmount) : impliedGross(invoice);
}

/** Exchange rate as an exact fraction so conversions stay in integers. */
export function parseRate(rate: string): { value: bigint; scale: number } {
  const [whole, frac = ''] = rate.split('.');
  return { value: BigInt(whole + frac), scale: frac.length };
}

/** Amount in invoice currency → PLN grosze; null when a foreign invoice has no usable rate. */
export function toPlnGrosze(grosze: bigint, invoice: Pick<Invoice, 'currency' | 'exchangeRate'>): bigint | null {
  if (invoice.currency === 'PLN') return grosze;
  if (!invoice.exchangeRate) return null;
  const { value, scale } = parseRate(invoice.exchangeRate);
  if (value === 0n) return null;
  return roundToGrosze(grosze * value, scale + 2);
}
