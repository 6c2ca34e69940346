import type { Invoice } from '../invoice';
import { declaredOrImpliedGross, impliedGross, toPlnGrosze } from './amounts';
import { formatAmount, makeIssue } from './issue';
import type { ValidationIssue } from './types';

export const CORRECTION_TYPES: ReadonlySet<Invoice['type']> = new Set(['KOR', 'KOR_ZAL', 'KOR_ROZ']);
const SETTLEMENT_TYPES: ReadonlySet<Invoice['type']> = new Set(['ROZ', 'KOR_ROZ']);

/** art. 106e(5)(3): 450 PLN or 100 EUR gross. */
const UPR_LIMIT_PLN = 45000n;
const UPR_LIMIT_EUR = 10000n;

export function checkInvoiceType(invoice: Invoice): ValidationIssue[] {
  return [...linesRequired(invoice), ...correctionRules(invoice), ...settlementRules(invoice), ...advanceRules(invoice), ...simplifiedRules(invoice), ...orderLineDiscounts(invoice)];
}

/** ZAL / KOR_ZAL describe the order in Zamowienie, whose rows have no discount element (FA(3) has no P_10Z). */
function orderLineDiscounts(invoice: Invoice): ValidationIssue[] {
  if (invoice.type !== 'ZAL' && invoice.type !== 'KOR_ZAL') return [];
  return invoice.lines.flatMap((line, i) =>
    line.discount === undefined
      ? []
      : [
          makeIssue('FIELD_NOT_ALLOWED_FOR_TYPE', ['lines', i, 'discount'], {
            en: `an order row of a ${invoice.type} invoice has no discount field in FA(3); it is not sent — put the price after discount in the unit net price.`,
            pl: `wiersz zamówienia na fakturze ${invoice.type} nie ma w FA(3) pola opustu; nie zostanie wysłany — podaj cenę po opuście w cenie jednostkowej netto.`,
          }),
        ],
  );
}

/** FA(3) lets a KOR carry no FaWiersz when it corrects data other than amounts (buyer data, MF example 5). */
function linesRequired(invoice: Invoice): ValidationIssue[] {
  if (invoice.lines.length > 0 || invoice.type === 'KOR') return [];
  return [
    makeIssue('REQUIRED_FIELD_FOR_TYPE', ['lines'], {
      en: `a ${invoice.type} invoice needs at least one line; only a correction (KOR) of data other than amounts may have none.`,
      pl: `faktura ${invoice.type} musi mieć co najmniej jedną pozycję; bez pozycji może być tylko korekta (KOR) danych innych niż kwoty.`,
    }),
  ];
}

function correctionRules(invoice: Invoice): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const isCorrection = CORRECTION_TYPES.has(invoice.type);
  if (!isCorrection) {
    if (invoice.correction) {
      out.push(
        makeIssue('FIELD_NOT_ALLOWED_FOR_TYPE', ['correction'], {
          en: `correction data is ignored on a ${invoice.type} invoice — use type KOR, KOR_ZAL or KOR_ROZ to correct an invoice.`,
          pl: `dane korekty są pomijane na fakturze ${invoice.type} — do korekty użyj rodzaju KOR, KOR_ZAL lub KOR_ROZ.`,
        }),
      );
    }
    invoice.lines.forEach((line, i) => {
      if (line.beforeCorrection) {
        out.push(
          makeIssue(
            'FIELD_NOT_ALLOWED_FOR_TYPE',
            ['lines', i, 'beforeCorrection'],
            {
              en: `only a correcting invoice can have "before correction" lines; on a ${invoice.type} invoice it would be subtracted from the totals.`,
              pl: `tylko faktura korygująca może mieć pozycje "przed korektą"; na fakturze ${invoice.type} zostałaby odjęta od sum.`,
            },
            'error',
          ),
        );
      }
    });
    return out;
  }
  const refs = invoice.correction?.correctedInvoices ?? [];
  if (refs.length === 0) {
    out.push(
      makeIssue(
        'CORRECTION_REFERENCE_MISSING',
        invoice.correction ? ['correction', 'correctedInvoices'] : ['correction'],
        {
          en: `a ${invoice.type} invoice must name the invoice it corrects (number, issue date and its KSeF number or "issued outside KSeF").`,
          pl: `faktura ${invoice.type} musi wskazać fakturę korygowaną (numer, datę wystawienia oraz numer KSeF lub oznaczenie "wystawiona poza KSeF").`,
        },
      ),
    );
  }
  refs.forEach((ref, i) => {
    if (!ref.number || ref.number.trim() === '') {
      out.push(
        makeIssue('CORRECTION_REFERENCE_MISSING', ['correction', 'correctedInvoices', i, 'number'], {
          en: 'the number of the corrected invoice is missing.',
          pl: 'brak numeru faktury korygowanej.',
        }),
      );
    }
    out.push(...ksefReference(ref, ['correction', 'correctedInvoices', i], 'corrected'));
  });
  return out;
}

function ksefReference(
  ref: { ksefNumber?: string; issuedOutsideKsef?: boolean },
  base: (string | number)[],
  kind: 'corrected' | 'advance',
): ValidationIssue[] {
  const code = kind === 'corrected' ? 'CORRECTION_REFERENCE_MISSING' : 'REQUIRED_FIELD_FOR_TYPE';
  const what = kind === 'corrected' ? { en: 'corrected invoice', pl: 'faktury korygowanej' } : { en: 'advance invoice', pl: 'faktury zaliczkowej' };
  if (ref.ksefNumber && ref.issuedOutsideKsef) {
    return [
      makeIssue(code, [...base, 'issuedOutsideKsef'], {
        en: `the ${what.en} has a KSeF number and is also marked as issued outside KSeF — keep only one.`,
        pl: `dla ${what.pl} podano numer KSeF i jednocześnie oznaczono ją jako wystawioną poza KSeF — zostaw jedno.`,
      }),
    ];
  }
  if (!ref.ksefNumber && !ref.issuedOutsideKsef) {
    return [
      makeIssue(code, [...base, 'ksefNumber'], {
        en: `give the KSeF number of the ${what.en}, or mark it as issued outside KSeF (issuedOutsideKsef: true).`,
        pl: `podaj numer KSeF ${what.pl} albo oznacz ją jako wystawioną poza KSeF (issuedOutsideKsef: true).`,
      }),
    ];
  }
  return [];
}

function settlementRules(invoice: Invoice): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const advances = invoice.advanceInvoices ?? [];
  if (!SETTLEMENT_TYPES.has(invoice.type)) {
    if (advances.length > 0) {
      out.push(
        makeIssue('FIELD_NOT_ALLOWED_FOR_TYPE', ['advanceInvoices'], {
          en: `advance invoices are listed only on settlement invoices (ROZ, KOR_ROZ), not on ${invoice.type}.`,
          pl: `faktury zaliczkowe wskazuje się tylko na fakturze rozliczeniowej (ROZ, KOR_ROZ), a nie ${invoice.type}.`,
        }),
      );
    }
    return out;
  }
  if (invoice.type === 'ROZ' && advances.length === 0) {
    out.push(
      makeIssue('REQUIRED_FIELD_FOR_TYPE', ['advanceInvoices'], {
        en: 'a settlement invoice (ROZ) must list the advance invoices it settles.',
        pl: 'faktura rozliczeniowa (ROZ) musi wskazać rozliczane faktury zaliczkowe.',
      }),
    );
  }
  advances.forEach((a, i) => out.push(...ksefReference(a, ['advanceInvoices', i], 'advance')));
  if (invoice.type === 'ROZ' && invoice.grossAmount !== undefined) {
    // On a ROZ invoice P_15 is what remains to pay after the advances, so it can only be lower.
    const due = declaredOrImpliedGross(invoice);
    const full = impliedGross(invoice);
    if (due < 0n || due > full) {
      const f = formatAmount(full);
      out.push(
        makeIssue('TOTAL_MISMATCH', ['grossAmount'], {
          en: `the amount remaining to pay must be between 0 and the full gross value of the lines (${f.en}).`,
          pl: `kwota pozostała do zapłaty musi mieścić się między 0 a pełną wartością brutto pozycji (${f.pl}).`,
        }),
      );
    }
  }
  return out;
}

function advanceRules(invoice: Invoice): ValidationIssue[] {
  if (invoice.type !== 'ZAL' || invoice.grossAmount === undefined) return [];
  const advance = declaredOrImpliedGross(invoice);
  const order = impliedGross(invoice);
  if (advance > 0n && advance <= order) return [];
  const o = formatAmount(order);
  return [
    makeIssue('ADVANCE_AMOUNT_INVALID', ['grossAmount'], {
      en: `the advance received must be above zero and at most the order's gross value (${o.en} ${invoice.currency}).`,
      pl: `otrzymana zaliczka musi być większa od zera i nie większa niż wartość brutto zamówienia (${o.pl} ${invoice.currency}).`,
    }),
  ];
}

function simplifiedRules(invoice: Invoice): ValidationIssue[] {
  if (invoice.type !== 'UPR') return [];
  const out: ValidationIssue[] = [];
  if (invoice.buyer.identifier.type !== 'NIP') {
    out.push(
      makeIssue('REQUIRED_FIELD_FOR_TYPE', ['buyer', 'identifier'], {
        en: 'a simplified invoice (UPR) replaces a receipt only when it shows the buyer NIP; issue a regular VAT invoice otherwise.',
        pl: 'faktura uproszczona (UPR) wymaga NIP nabywcy; w przeciwnym razie wystaw zwykłą fakturę VAT.',
      }),
    );
  }
  invoice.lines.forEach((line, i) => {
    if (line.vatRate === '0 WDT' || line.vatRate === 'oo' || line.vatRate === 'np II') {
      out.push(
        makeIssue('SIMPLIFIED_INVOICE_NOT_ALLOWED', ['lines', i, 'vatRate'], {
          en: `rate "${line.vatRate}" (intra-EU supply, reverse charge or EU service) cannot appear on a simplified invoice.`,
          pl: `stawka "${line.vatRate}" (WDT, odwrotne obciążenie lub usługa unijna) nie może wystąpić na fakturze uproszczonej.`,
        }),
      );
    }
  });
  const gross = declaredOrImpliedGross(invoice);
  const eur = invoice.currency === 'EUR';
  const inPln = eur ? null : toPlnGrosze(gross, invoice);
  const over = eur ? gross > UPR_LIMIT_EUR : inPln !== null && inPln > UPR_LIMIT_PLN;
  if (over) {
    const shown = formatAmount(eur ? gross : (inPln as bigint));
    const cur = eur ? 'EUR' : 'PLN';
    out.push(
      makeIssue('SIMPLIFIED_INVOICE_LIMIT', invoice.grossAmount !== undefined ? ['grossAmount'] : ['lines'], {
        en: `gross ${shown.en} ${cur} exceeds the simplified-invoice limit of ${eur ? '100 EUR' : '450 PLN'}; issue a regular VAT invoice.`,
        pl: `kwota brutto ${shown.pl} ${cur} przekracza limit faktury uproszczonej ${eur ? '100 euro' : '450 zł'}; wystaw zwykłą fakturę VAT.`,
      }),
    );
  }
  return out;
}
