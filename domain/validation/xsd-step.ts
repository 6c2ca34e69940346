import { buildFa3Xml, Fa3BuildError } from '../../fa3/build';
import { validateFa3Xml } from '../../fa3/xsd';
import type { Invoice } from '../invoice';
import { makeIssue } from './issue';
import { findForbiddenText } from './xml-text';
import type { IssuePath, ValidationIssue, XsdStepOptions } from './types';

/** Builder's accepted DataWytworzeniaFa window; the trial build clamps into it. */
const MIN_GENERATED = Date.parse('2025-09-01T00:00:00Z');
const MAX_GENERATED = Date.parse('2050-01-01T00:00:00Z');

export function defaultGeneratedAt(today: string): Date {
  const t = Date.parse(`${today}T12:00:00Z`);
  return new Date(Number.isNaN(t) ? MIN_GENERATED : Math.min(Math.max(t, MIN_GENERATED), MAX_GENERATED));
}

/** FA(3) leaf element → model field, within the section it appears in. */
const SECTION_FIELDS: Record<string, Record<string, IssuePath>> = {
  Podmiot1: {
    NIP: ['seller', 'nip'],
    Nazwa: ['seller', 'name'],
    KodKraju: ['seller', 'address', 'countryCode'],
    AdresL1: ['seller', 'address', 'line1'],
    AdresL2: ['seller', 'address', 'line2'],
    Email: ['seller', 'email'],
    Telefon: ['seller', 'phone'],
  },
  Podmiot2: {
    NIP: ['buyer', 'identifier', 'nip'],
    KodUE: ['buyer', 'identifier', 'countryCode'],
    NrVatUE: ['buyer', 'identifier', 'vatNumber'],
    NrID: ['buyer', 'identifier', 'id'],
    Nazwa: ['buyer', 'name'],
    AdresL1: ['buyer', 'address', 'line1'],
    AdresL2: ['buyer', 'address', 'line2'],
    Email: ['buyer', 'email'],
  },
  Fa: {
    KodWaluty: ['currency'],
    P_1: ['issueDate'],
    P_1M: ['issuePlace'],
    P_2: ['invoiceNumber'],
    P_6: ['saleDate'],
    P_15: ['grossAmount'],
    P_19A: ['exemption', 'text'],
    P_19B: ['exemption', 'text'],
    P_19C: ['exemption', 'text'],
    PrzyczynaKorekty: ['correction', 'reason'],
    TypKorekty: ['correction', 'effect'],
    Termin: ['payment', 'dueDate'],
    DataZaplaty: ['payment', 'paidOn'],
    FormaPlatnosci: ['payment', 'method'],
    NrRB: ['payment', 'bankAccount'],
    KursWaluty: ['exchangeRate'],
  },
};

/** Repeated FA(3) groups and the model array each one comes from. */
const REPEATED: Record<string, { array: IssuePath; fields: Record<string, string> }> = {
  FaWiersz: {
    array: ['lines'],
    fields: { P_7: 'name', P_8A: 'unit', P_8B: 'quantity', P_9A: 'unitNetPrice', P_11: 'netAmount', P_12: 'vatRate', StanPrzed: 'beforeCorrection' },
  },
  ZamowienieWiersz: {
    array: ['lines'],
    fields: { P_7Z: 'name', P_8AZ: 'unit', P_8BZ: 'quantity', P_9AZ: 'unitNetPrice', P_11NettoZ: 'netAmount', P_12Z: 'vatRate', StanPrzedZ: 'beforeCorrection' },
  },
  DaneFaKorygowanej: {
    array: ['correction', 'correctedInvoices'],
    fields: { DataWystFaKorygowanej: 'issueDate', NrFaKorygowanej: 'number', NrKSeFFaKorygowanej: 'ksefNumber' },
  },
  FakturaZaliczkowa: { array: ['advanceInvoices'], fields: { NrKSeFFaZaliczkowej: 'ksefNumber', NrFaZaliczkowej: 'number' } },
  DodatkowyOpis: { array: ['notes'], fields: { Klucz: 'key', Wartosc: 'value' } },
  Podmiot3: {
    array: ['thirdParties'],
    fields: {
      NIP: 'identifier.nip', IDWew: 'identifier.internalId', KodUE: 'identifier.countryCode', NrVatUE: 'identifier.vatNumber', NrID: 'identifier.id',
      Nazwa: 'name', AdresL1: 'address.line1', AdresL2: 'address.line2', Email: 'email', Telefon: 'phone', Rola: 'role', OpisRoli: 'otherRole', Udzial: 'share',
      NrKlienta: 'customerNumber', IDNabywcy: 'buyerId',
    },
  },
  Podmiot2K: {
    array: ['correction', 'originalBuyers'],
    fields: { NIP: 'identifier.nip', KodUE: 'identifier.countryCode', NrVatUE: 'identifier.vatNumber', NrID: 'identifier.id', Nazwa: 'name', AdresL1: 'address.line1', AdresL2: 'address.line2', IDNabywcy: 'buyerId' },
  },
};

interface Located {
  element: string;
  path: IssuePath;
}

/**
 * Replays the builder's one-element-per-line output up to the reported line to learn where the
 * element sits (which FaWiersz, which Podmiot) and so which model field the user must fix.
 */
export function locateXmlLine(xml: string, lineNo: number | null, element: string): Located {
  if (lineNo === null) return { element, path: [] };
  const lines = xml.split('\n');
  const stack: string[] = [];
  const counters = new Map<string, number>();
  const indexOf = new Map<string, number>();
  let target = element;
  for (let i = 0; i < Math.min(lineNo, lines.length); i++) {
    const text = lines[i].trim();
    const open = /^<([A-Za-z_][\w.-]*)(?:\s[^>]*)?>(?!.*<\/)/.exec(text);
    const close = /^<\/([A-Za-z_][\w.-]*)>/.exec(text);
    const leaf = /^<([A-Za-z_][\w.-]*)(?:\s[^>]*)?>.*<\/\1>$/.exec(text) ?? /^<([A-Za-z_][\w.-]*)[^>]*\/>$/.exec(text);
    const isLast = i === lineNo - 1;
    if (leaf) {
      if (isLast) target = leaf[1];
    } else if (close) {
      stack.pop();
    } else if (open && !text.startsWith('<?')) {
      const name = open[1];
      if (REPEATED[name]) {
        const n = counters.get(name) ?? 0;
        counters.set(name, n + 1);
        indexOf.set(name, n);
      }
      stack.push(name);
      if (isLast) target = name;
    }
  }
  for (let s = stack.length - 1; s >= 0; s--) {
    const group = REPEATED[stack[s]];
    if (group) {
      const base = [...group.array, indexOf.get(stack[s]) ?? 0];
      const field = group.fields[target];
      return { element: target, path: field ? [...base, ...field.split('.')] : base };
    }
  }
  for (let s = stack.length - 1; s >= 0; s--) {
    const fields = SECTION_FIELDS[stack[s]];
    if (fields?.[target]) return { element: target, path: fields[target] };
  }
  return { element: target, path: [] };
}

function elementOf(message: string): string {
  return /Element '(?:\{[^}]*\})?([^']+)'/.exec(message)?.[1] ?? 'Faktura';
}

const BUILD_ERROR_PATHS: Record<string, IssuePath> = {
  FA3_CORRECTION_DATA_MISSING: ['correction'],
  FA3_EXCHANGE_RATE_MISSING: ['exchangeRate'],
  FA3_EXEMPTION_BASIS_MISSING: ['exemption'],
  FA3_THIRD_PARTY_ROLE_MISSING: ['thirdParties'],
};

export async function checkXsd(invoice: Invoice, today: string, options: XsdStepOptions = {}): Promise<ValidationIssue[]> {
  let xml: string;
  try {
    xml = buildFa3Xml(invoice, { generatedAt: options.generatedAt ?? defaultGeneratedAt(today) });
  } catch (e) {
    const code = e instanceof Fa3BuildError ? e.code : 'UNEXPECTED';
    const path = BUILD_ERROR_PATHS[code] ?? (code === 'FA3_INVALID_XML_CHARACTER' ? findForbiddenText(invoice)[0] : undefined) ?? [];
    const reason = e instanceof Error ? e.message.slice(0, 300) : String(e);
    return [
      makeIssue('XML_BUILD_FAILED', path, {
        en: `the FA(3) XML could not be generated (${reason}).`,
        pl: `nie udało się wygenerować FA(3) XML (${reason}).`,
      }),
    ];
  }
  const result = await validateFa3Xml(xml);
  return result.issues.map((issue) => {
    const located = locateXmlLine(xml, issue.line, elementOf(issue.message));
    const detail = issue.message.replace(/^.*?Schemas validity error\s*:\s*/, '').replace(/\{https?:[^}]*\}/g, '')
      // Enumerations list hundreds of values (currencies, countries); the value itself is what matters.
      .replace(/ is not an element of the set \{.*\}\.?/, ' is not an allowed value.');
    const short = detail.length > 300 ? `${detail.slice(0, 300)}…` : detail;
    const where = issue.line !== null ? ` (line ${issue.line})` : '';
    const wherePl = issue.line !== null ? ` (wiersz ${issue.line})` : '';
    return makeIssue('XSD_INVALID', located.path, {
      en: `FA(3) element <${located.element}>${where} breaks the official schema: ${short}`,
      pl: `element FA(3) <${located.element}>${wherePl} narusza oficjalny schemat: ${short}`,
    });
  });
}
