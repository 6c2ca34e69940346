import type { Invoice, VatRate } from './invoice';
import { roundToGrosze, toGrosze } from './money';

/** Numeric VAT percentage for rates that carry tax; null for 0 %, exempt, reverse charge, out of scope. */
export function vatPercent(rate: VatRate): number | null {
  const n = Number(rate);
  return Number.isFinite(n) && n > 0 ? n : null;
}

export interface RateGroupTotal {
  rate: VatRate;
  net: bigint;
  vat: bigint;
}

/**
 * Net summed per rate and VAT computed once per rate group, rounded half away from zero
 * (the FA(3) P_13_x / P_14_x fields are per-group totals). For corrections, "before correction"
 * lines (StanPrzed) are subtracted: the totals are the difference after − before, as in P_13/P_15.
 */
export function totalsByRate(invoice: Pick<Invoice, 'lines'>): RateGroupTotal[] {
  const groups = new Map<VatRate, { after: bigint; before: bigint }>();
  for (const line of invoice.lines) {
    const g = groups.get(line.vatRate) ?? { after: 0n, before: 0n };
    if (line.beforeCorrection) g.before += toGrosze(line.netAmount);
    else g.after += toGrosze(line.netAmount);
    groups.set(line.vatRate, g);
  }
  return [...groups.entries()].map(([rate, { after, before }]) => {
    const pct = vatPercent(rate);
    const vatOf = (net: bigint) => (pct === null ? 0n : roundToGrosze(net * BigInt(Math.round(pct * 100)), 6));
    return { rate, net: after - before, vat: vatOf(after) - vatOf(before) };
  });
}

/** Gross total in grosze (FA(3) P_15) derived from the lines; for corrections the difference. */
export function grossTotal(invoice: Pick<Invoice, 'lines'>): bigint {
  return totalsByRate(invoice).reduce((acc, g) => acc + g.net + g.vat, 0n);
}
