import type { Invoice } from '../invoice';
import { roundToGrosze, toGrosze } from '../money';
import { impliedGross } from './amounts';
import { formatAmount, makeIssue } from './issue';
import type { ValidationIssue } from './types';

/** Types whose P_15 must equal the lines; ZAL/ROZ and corrections of them carry amounts paid or due instead. */
const GROSS_FROM_LINES: ReadonlySet<Invoice['type']> = new Set(['VAT', 'UPR', 'KOR']);
const LINE_TOLERANCE = 1n;

function scaled(decimal: string): { value: bigint; scale: number } {
  const negative = decimal.startsWith('-');
  const [whole, frac = ''] = decimal.replace(/^[-+]/, '').split('.');
  const value = BigInt(whole + frac);
  return { value: negative ? -value : value, scale: frac.length };
}

export function checkTotals(invoice: Invoice): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  invoice.lines.forEach((line, i) => {
    const q = scaled(line.quantity);
    const p = scaled(line.unitNetPrice);
    const gross = roundToGrosze(q.value * p.value, q.scale + p.scale);
    const actual = toGrosze(line.netAmount);
    const within = (expected: bigint) => actual - expected <= LINE_TOLERANCE && expected - actual <= LINE_TOLERANCE;
    if (line.discount === undefined) {
      if (within(gross)) return;
      const e = formatAmount(gross);
      const a = formatAmount(actual);
      out.push(
        makeIssue('LINE_NET_MISMATCH', ['lines', i, 'netAmount'], {
          en: `${line.quantity} × ${line.unitNetPrice} = ${e.en}, but the line says ${a.en}.`,
          pl: `${line.quantity} × ${line.unitNetPrice} = ${e.pl}, a w pozycji podano ${a.pl}.`,
        }),
      );
      return;
    }
    // P_10 is read two ways in practice: the line's total discount, or per unit (MF example 04).
    const discount = toGrosze(line.discount);
    const lineTotal = gross - discount;
    const s = Math.max(p.scale, 2);
    const perUnit = roundToGrosze(q.value * (p.value * 10n ** BigInt(s - p.scale) - discount * 10n ** BigInt(s - 2)), q.scale + s);
    if (within(lineTotal) || within(perUnit)) return;
    const [t, u, a, d] = [formatAmount(lineTotal), formatAmount(perUnit), formatAmount(actual), formatAmount(discount)];
    out.push(
      makeIssue('LINE_NET_MISMATCH', ['lines', i, 'netAmount'], {
        en: `${line.quantity} × ${line.unitNetPrice} less the discount ${d.en} is ${t.en} (or ${u.en} with the discount per unit), but the line says ${a.en}.`,
        pl: `${line.quantity} × ${line.unitNetPrice} minus opust ${d.pl} to ${t.pl} (lub ${u.pl} przy opuście na jednostkę), a w pozycji podano ${a.pl}.`,
      }),
    );
  });

  if (invoice.grossAmount !== undefined && GROSS_FROM_LINES.has(invoice.type)) {
    const expected = impliedGross(invoice);
    const declared = toGrosze(invoice.grossAmount);
    const diff = declared - expected;
    const abs = diff < 0n ? -diff : diff;
    if (abs !== 0n) {
      const e = formatAmount(expected);
      const d = formatAmount(declared);
      // Per-line VAT rounding can legitimately drift by up to a grosz per line.
      const rounding = abs <= BigInt(invoice.lines.length);
      out.push(
        makeIssue(rounding ? 'TOTAL_ROUNDING_DIFFERENCE' : 'TOTAL_MISMATCH', ['grossAmount'], {
          en: `declared gross ${d.en} ${invoice.currency}, but the lines add up to ${e.en} ${invoice.currency} (net per VAT rate + VAT per rate).`,
          pl: `podana kwota brutto ${d.pl} ${invoice.currency}, a pozycje sumują się do ${e.pl} ${invoice.currency} (netto w stawce + VAT od stawki).`,
        }),
      );
    }
  }
  return out;
}
