import type { Invoice } from '../invoice';
import { vatPercent } from '../totals';
import { impliedGross, toPlnGrosze } from './amounts';
import { formatAmount, makeIssue } from './issue';
import type { ValidationIssue } from './types';

/** art. 108a(1a): 15 000 PLN gross. */
const MPP_THRESHOLD = 1_500_000n;

/**
 * The model does not know which goods are in Annex 15, so this can only warn: the threshold is
 * crossed, the buyer is a Polish taxpayer and VAT is charged, yet MPP is not marked.
 */
export function checkSplitPayment(invoice: Invoice): ValidationIssue[] {
  if (invoice.splitPayment || invoice.type.startsWith('KOR')) return [];
  if (invoice.buyer.identifier.type !== 'NIP') return [];
  if (!invoice.lines.some((l) => vatPercent(l.vatRate) !== null)) return [];
  // The whole transaction counts, not what remains to pay on a settlement invoice.
  const gross = impliedGross(invoice);
  const pln = toPlnGrosze(gross, invoice);
  if (pln === null || pln < MPP_THRESHOLD) return [];
  const shown = formatAmount(pln);
  return [
    makeIssue('SPLIT_PAYMENT_THRESHOLD', ['splitPayment'], {
      en: `gross total is ${shown.en} PLN (≥ 15,000 PLN) and split payment is not marked; if any line is in Annex 15 of the VAT Act (e.g. steel, electronics, fuel, construction services), the invoice must say "mechanizm podzielonej płatności".`,
      pl: `kwota brutto wynosi ${shown.pl} zł (≥ 15 000 zł), a MPP nie jest zaznaczony; jeżeli którakolwiek pozycja jest w załączniku nr 15 do ustawy o VAT (np. stal, elektronika, paliwa, usługi budowlane), faktura musi zawierać adnotację "mechanizm podzielonej płatności".`,
    }),
  ];
}
