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
 * (the FA(3) P_13_x / P_14_x fields are per-group totals).
 */
export function totalsByRate(invoice: Pick<Invoice, 'lines'>): RateGroupTotal[] {
  const groups = new Map<VatRate, bigint>();
  for (const line of invoice.lines) groups.set(line.vatRate, (groups.get(line.vatRate) ?? 0n) + toGrosze(line.netAmount));
  return [...groups.entries()].map(([rate, net]) => {
    const pct = vatPercent(rate);
    const vat = pct === null ? 0n : roundToGrosze(net * BigInt(Math.round(pct * 100)), 6);
    return { rate, net, vat };
  });
}

/** Gross total in grosze (FA(3) P_15) derived from the lines. */
export function grossTotal(invoice: Pick<Invoice, 'lines'>): bigint {
  return totalsByRate(invoice).reduce((acc, g) => acc + g.net + g.vat, 0n);
}
