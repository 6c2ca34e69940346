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
    const expected = roundToGrosze(q.value * p.value, q.scale + p.scale);
    const actual = toGrosze(line.netAmount);
    const diff = actual - expected;
    if (diff > LINE_TOLERANCE || diff < -LINE_TOLERANCE) {
      const e = formatAmount(expected);
      const a = formatAmount(actual);
      out.push(
        makeIssue('LINE_NET_MISMATCH', ['lines', i, 'netAmount'], {
          en: `${line.quantity} × ${line.unitNetPrice} = ${e.en}, but the line says ${a.en}.`,
          pl: `${line.quantity} × ${line.unitNetPrice} = ${e.pl}, a w pozycji podano ${a.pl}.`,
        }),
      );
    }
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
