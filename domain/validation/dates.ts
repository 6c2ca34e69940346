import type { Invoice } from '../invoice';
import { CORRECTION_TYPES } from './invoice-type';
import { makeIssue } from './issue';
import type { IssuePath, ValidationIssue } from './types';

/** XSD TDataT bounds. */
const MIN_DATE = '2006-01-01';
const MAX_DATE = '2050-01-01';
/** art. 106i(7): an invoice may be issued at most 60 days before the supply. */
const MAX_DAYS_BEFORE_SALE = 60;

// ISO dates compare correctly as strings; day arithmetic goes through UTC to avoid DST surprises.
function addDays(iso: string, days: number): string {
  const t = Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)) + days);
  return new Date(t).toISOString().slice(0, 10);
}

/** art. 106i(1): normally by the 15th of the month after the supply. */
function fifteenthOfNextMonth(iso: string): string {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const ny = m === 12 ? y + 1 : y;
  const nm = m === 12 ? 1 : m + 1;
  return `${ny}-${String(nm).padStart(2, '0')}-15`;
}

export function checkDates(invoice: Invoice, today: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const dated: Array<[IssuePath, string | undefined]> = [
    [['issueDate'], invoice.issueDate],
    [['saleDate'], invoice.saleDate],
    [['payment', 'dueDate'], invoice.payment?.dueDate],
    [['payment', 'paidOn'], invoice.payment?.paidOn],
    ...(invoice.correction?.correctedInvoices ?? []).map((r, i): [IssuePath, string] => [['correction', 'correctedInvoices', i, 'issueDate'], r.issueDate]),
  ];
  const outOfRange = new Set<string>();
  for (const [path, date] of dated) {
    if (date !== undefined && (date < MIN_DATE || date > MAX_DATE)) {
      outOfRange.add(path.join('.'));
      out.push(
        makeIssue('DATE_OUT_OF_RANGE', path, {
          en: `${date} is outside the range KSeF accepts (${MIN_DATE} to ${MAX_DATE}).`,
          pl: `${date} wykracza poza zakres akceptowany przez KSeF (od ${MIN_DATE} do ${MAX_DATE}).`,
        }),
      );
    }
  }

  if (invoice.issueDate > today && !outOfRange.has('issueDate')) {
    out.push(
      makeIssue('DATE_IN_FUTURE', ['issueDate'], {
        en: `issue date ${invoice.issueDate} is after today (${today}); KSeF rejects invoices dated later than the day they are sent.`,
        pl: `data wystawienia ${invoice.issueDate} jest późniejsza niż dziś (${today}); KSeF odrzuca faktury z datą późniejszą niż dzień wysyłki.`,
      }),
    );
  }
  const paidOn = invoice.payment?.paidOn;
  if (paidOn && paidOn > today && !outOfRange.has('payment.paidOn')) {
    out.push(
      makeIssue('DATE_IN_FUTURE', ['payment', 'paidOn'], {
        en: `payment date ${paidOn} is in the future (today is ${today}); a payment cannot be recorded before it happens.`,
        pl: `data zapłaty ${paidOn} jest z przyszłości (dziś ${today}); nie można odnotować zapłaty, zanim nastąpi.`,
      }),
    );
  }

  const due = invoice.payment?.dueDate;
  if (due && due < invoice.issueDate) {
    out.push(
      makeIssue('DATE_ORDER', ['payment', 'dueDate'], {
        en: `payment due date ${due} is before the issue date ${invoice.issueDate}.`,
        pl: `termin płatności ${due} jest wcześniejszy niż data wystawienia ${invoice.issueDate}.`,
      }),
    );
  }
  (invoice.correction?.correctedInvoices ?? []).forEach((ref, i) => {
    if (ref.issueDate > invoice.issueDate) {
      out.push(
        makeIssue('DATE_ORDER', ['correction', 'correctedInvoices', i, 'issueDate'], {
          en: `the corrected invoice (${ref.issueDate}) cannot be issued after its correction (${invoice.issueDate}).`,
          pl: `faktura korygowana (${ref.issueDate}) nie może być wystawiona później niż korekta (${invoice.issueDate}).`,
        }),
      );
    }
  });

  const sale = invoice.saleDate;
  if (sale && !CORRECTION_TYPES.has(invoice.type) && !outOfRange.has('saleDate')) {
    if (sale > addDays(invoice.issueDate, MAX_DAYS_BEFORE_SALE)) {
      out.push(
        makeIssue('SALE_DATE_RANGE', ['saleDate'], {
          en: `sale date ${sale} is more than ${MAX_DAYS_BEFORE_SALE} days after the issue date ${invoice.issueDate}; an invoice may not be issued that early (art. 106i(7)).`,
          pl: `data sprzedaży ${sale} jest ponad ${MAX_DAYS_BEFORE_SALE} dni po dacie wystawienia ${invoice.issueDate}; faktury nie wystawia się tak wcześnie (art. 106i ust. 7).`,
        }),
      );
    } else if (invoice.issueDate > fifteenthOfNextMonth(sale)) {
      out.push(
        makeIssue('SALE_DATE_RANGE', ['saleDate'], {
          en: `issued on ${invoice.issueDate}, later than the 15th of the month after the sale (${sale}); check the sale date (art. 106i(1)).`,
          pl: `wystawiona ${invoice.issueDate}, później niż 15. dnia miesiąca następującego po sprzedaży (${sale}); sprawdź datę sprzedaży (art. 106i ust. 1).`,
        }),
      );
    }
  }
  return out;
}
