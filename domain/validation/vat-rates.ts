import { VAT_RATES, type Invoice } from '../invoice';
import { makeIssue } from './issue';
import type { IssuePath, ValidationIssue, VatDictionary } from './types';

const KNOWN_RATES: ReadonlySet<string> = new Set(VAT_RATES);
/** 22 % and 7 % were replaced by 23 % and 8 % on 2011-01-01. */
const HISTORIC_RATES = new Set(['22', '7']);
const HISTORIC_UNTIL = '2011-01-01';

/**
 * A rate that is not an FA(3) value: if the source system has a dictionary the value is its own
 * code that nobody mapped (the fix is in the dictionary), otherwise it is simply a wrong rate.
 */
export function unknownRateIssue(value: unknown, path: IssuePath, sourceSystem: unknown, dictionary?: VatDictionary): ValidationIssue {
  const shown = typeof value === 'string' ? `"${value.slice(0, 20)}"` : String(value);
  const system = typeof sourceSystem === 'string' ? sourceSystem : undefined;
  if (system && dictionary && Object.prototype.hasOwnProperty.call(dictionary, system)) {
    return makeIssue('VAT_CODE_UNMAPPED', path, {
      en: `VAT code ${shown} from source system "${system}" has no mapping in the VAT dictionary — add it to the "${system}" dictionary or send an FA(3) rate.`,
      pl: `kod VAT ${shown} z systemu źródłowego "${system}" nie ma odpowiednika w słowniku VAT — dodaj go do słownika "${system}" lub prześlij stawkę FA(3).`,
    });
  }
  return makeIssue('VAT_RATE_UNKNOWN', path, {
    en: `${shown} is not a VAT rate KSeF accepts (23, 8, 5, 0 KR, 0 WDT, 0 EX, zw, oo, np I, np II; historic 22, 7, 4, 3).`,
    pl: `${shown} nie jest stawką VAT akceptowaną przez KSeF (23, 8, 5, 0 KR, 0 WDT, 0 EX, zw, oo, np I, np II; historyczne 22, 7, 4, 3).`,
  });
}

export function checkVatRates(invoice: Invoice, dictionary?: VatDictionary): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const isCorrection = invoice.type.startsWith('KOR');
  let hasZw = false;
  let hasOo = false;
  let hasNpII = false;
  invoice.lines.forEach((line, i) => {
    const path = ['lines', i, 'vatRate'];
    if (!KNOWN_RATES.has(line.vatRate)) {
      out.push(unknownRateIssue(line.vatRate, path, invoice.sourceSystem, dictionary));
      return;
    }
    hasZw ||= line.vatRate === 'zw';
    hasNpII ||= line.vatRate === 'np II';
    if (line.vatRate === 'oo') {
      hasOo = true;
      if (!invoice.reverseCharge) {
        out.push(
          makeIssue('REVERSE_CHARGE_RATE', path, {
            en: 'a reverse-charge line ("oo") requires the invoice to be marked "reverse charge" (reverseCharge: true).',
            pl: 'pozycja z odwrotnym obciążeniem ("oo") wymaga oznaczenia faktury adnotacją "odwrotne obciążenie" (reverseCharge: true).',
          }),
        );
      }
    }
    if (HISTORIC_RATES.has(line.vatRate) && !isCorrection && invoice.issueDate >= HISTORIC_UNTIL) {
      out.push(
        makeIssue('VAT_RATE_HISTORIC', path, {
          en: `the ${line.vatRate} % rate has not applied since 2011 — did you mean ${line.vatRate === '22' ? '23' : '8'} %?`,
          pl: `stawka ${line.vatRate}% nie obowiązuje od 2011 r. — czy chodziło o ${line.vatRate === '22' ? '23' : '8'}%?`,
        }),
      );
    }
    if (line.vatRate === '0 WDT' && invoice.buyer.identifier.type !== 'EU_VAT') {
      out.push(
        makeIssue('WDT_BUYER_EU_VAT', path, {
          en: 'the 0 % intra-EU supply rate requires the buyer to be identified by an EU VAT number.',
          pl: 'stawka 0% WDT wymaga identyfikacji nabywcy numerem VAT UE.',
        }),
      );
    }
  });
  if (hasZw && !invoice.exemption) {
    out.push(
      makeIssue('EXEMPTION_BASIS_REQUIRED', ['exemption'], {
        en: 'the invoice has VAT-exempt ("zw") lines, so it must state the legal basis of the exemption (e.g. "art. 43 ust. 1 pkt 37 ustawy o VAT").',
        pl: 'faktura ma pozycje zwolnione ("zw"), więc musi wskazywać podstawę prawną zwolnienia (np. "art. 43 ust. 1 pkt 37 ustawy o VAT").',
      }),
    );
  }
  if (!hasZw && invoice.exemption) {
    out.push(
      makeIssue('EXEMPTION_WITHOUT_EXEMPT_LINE', ['exemption'], {
        en: 'an exemption basis is given but no line uses the "zw" rate.',
        pl: 'podano podstawę zwolnienia, ale żadna pozycja nie ma stawki "zw".',
      }),
    );
  }
  if (invoice.reverseCharge && !hasOo && !hasNpII) {
    out.push(
      makeIssue('REVERSE_CHARGE_RATE', ['reverseCharge'], {
        en: 'the invoice is marked "reverse charge" but no line has the "oo" rate (or "np II" for services taxed where the buyer is).',
        pl: 'faktura ma adnotację "odwrotne obciążenie", ale żadna pozycja nie ma stawki "oo" (ani "np II" dla usług opodatkowanych u nabywcy).',
      }),
    );
  }
  if (hasNpII && !hasOo && !invoice.reverseCharge) {
    out.push(
      makeIssue(
        'REVERSE_CHARGE_RATE',
        ['reverseCharge'],
        {
          en: 'services taxed in the buyer\'s country ("np II") normally need the "reverse charge" annotation (art. 106e(1)(18)).',
          pl: 'usługi opodatkowane w kraju nabywcy ("np II") zwykle wymagają adnotacji "odwrotne obciążenie" (art. 106e ust. 1 pkt 18).',
        },
        'warning',
      ),
    );
  }
  return out;
}
