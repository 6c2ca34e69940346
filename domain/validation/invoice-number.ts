import { invoiceNumberProblem } from '../invoice-number';
import type { Invoice } from '../invoice';
import { makeIssue } from './issue';
import type { ValidationIssue } from './types';

/**
 * The invoice number is half of KSeF's duplicate key (domain/invoice-number.ts): a number that only
 * looks like another one (a Cyrillic "а" among Latin letters, a zero-width space) would slip past the
 * registry's duplicate check and be refused by nobody — or be a different invoice in KSeF that a
 * person cannot tell apart from the original. Refused at the door with the character named.
 */
export function checkInvoiceNumber(invoice: Invoice): ValidationIssue[] {
  const problem = invoiceNumberProblem(invoice.invoiceNumber);
  if (!problem) return [];
  if (problem.kind === 'invisible') {
    return [
      makeIssue('INVOICE_NUMBER_CONFUSABLE', ['invoiceNumber'], {
        en: `contains an invisible character (${problem.codePoint} at position ${problem.index + 1}) that makes it look like another number — retype it.`,
        pl: `zawiera niewidoczny znak (${problem.codePoint} na pozycji ${problem.index + 1}), przez który wygląda jak inny numer — wpisz go ponownie.`,
      }),
    ];
  }
  return [
    makeIssue('INVOICE_NUMBER_CONFUSABLE', ['invoiceNumber'], {
      en: `mixes letters of different scripts (${problem.scripts.join(' + ')}) that look alike, e.g. Cyrillic "А" and Latin "A" — retype it in one script.`,
      pl: `łączy podobnie wyglądające litery różnych alfabetów (${problem.scripts.join(' + ')}), np. cyrylickie "А" i łacińskie "A" — wpisz go w jednym alfabecie.`,
    }),
  ];
}
