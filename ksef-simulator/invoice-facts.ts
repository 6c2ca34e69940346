import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** The fields of an FA(3) document that KSeF's checks, metadata and UPO need. */
export interface InvoiceFacts {
  systemCode: string | null;
  schemaVersion: string | null;
  sellerNip: string;
  sellerName: string | null;
  buyer: { type: 'Nip' | 'VatUe' | 'Other' | 'None'; value: string | null; name: string | null };
  thirdPartyNips: string[];
  authorizedSubjectNip: string | null;
  issueDate: string;
  invoiceNumber: string;
  invoiceType: string;
  currency: string;
  grossAmount: number;
  netAmount: number;
  vatAmount: number;
  hasAttachment: boolean;
  isSelfInvoicing: boolean;
  /** KSeF numbers of corrected invoices marked NrKSeF=1 (i.e. issued in KSeF). */
  correctedKsefNumbers: string[];
}

export const FA3_NAMESPACE = 'http://crd.gov.pl/wzor/2025/06/25/13775/';

/** FA(3) RodzajFaktury → metadata InvoiceType. */
export const INVOICE_TYPE_BY_KIND: Record<string, string> = {
  VAT: 'Vat',
  KOR: 'Kor',
  ZAL: 'Zal',
  ROZ: 'Roz',
  UPR: 'Upr',
  KOR_ZAL: 'KorZal',
  KOR_ROZ: 'KorRoz',
};

export const CORRECTION_KINDS = new Set(['KOR', 'KOR_ZAL', 'KOR_ROZ']);

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ['DaneFaKorygowanej', 'Podmiot3'].includes(name),
});

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') {
    const inner = (value as Node)['#text'];
    return inner === undefined ? null : String(inner);
  }
  return String(value);
}

function child(node: unknown, name: string): Node | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const value = (node as Node)[name];
  return value && typeof value === 'object' ? (value as Node) : undefined;
}

function amount(node: Node | undefined, names: string[]): number {
  let sum = 0;
  for (const name of names) {
    const value = text(node?.[name]);
    if (value !== null && value !== '') sum += Number(value);
  }
  return Math.round(sum * 100) / 100;
}

const NET_FIELDS = ['P_13_1', 'P_13_2', 'P_13_3', 'P_13_4', 'P_13_5', 'P_13_6_1', 'P_13_6_2', 'P_13_6_3', 'P_13_7', 'P_13_8', 'P_13_9', 'P_13_10', 'P_13_11'];
const VAT_FIELDS = ['P_14_1', 'P_14_2', 'P_14_3', 'P_14_4', 'P_14_5'];

/** Extracts facts from a document that already passed the XSD, so required elements are present. */
export function extractInvoiceFacts(xml: string): InvoiceFacts {
  const doc = parser.parse(xml) as Node;
  const invoice = child(doc, 'Faktura') ?? {};
  const header = child(invoice, 'Naglowek');
  const formCode = header?.['KodFormularza'] as Node | string | undefined;
  const seller = child(child(invoice, 'Podmiot1'), 'DaneIdentyfikacyjne');
  const buyerIds = child(child(invoice, 'Podmiot2'), 'DaneIdentyfikacyjne');
  const fa = child(invoice, 'Fa') ?? {};
  const thirdParties = ((invoice['Podmiot3'] as Node[] | undefined) ?? []).map((p) => text(child(p, 'DaneIdentyfikacyjne')?.['NIP'])).filter((n): n is string => !!n);

  let buyer: InvoiceFacts['buyer'] = { type: 'None', value: null, name: text(buyerIds?.['Nazwa']) };
  if (buyerIds?.['NIP'] !== undefined) buyer = { ...buyer, type: 'Nip', value: text(buyerIds['NIP']) };
  else if (buyerIds?.['NrVatUE'] !== undefined) buyer = { ...buyer, type: 'VatUe', value: `${text(buyerIds['KodUE']) ?? ''}${text(buyerIds['NrVatUE'])}` };
  else if (buyerIds?.['NrID'] !== undefined) buyer = { ...buyer, type: 'Other', value: text(buyerIds['NrID']) };

  const corrections = (fa['DaneFaKorygowanej'] as Node[] | undefined) ?? [];
  return {
    systemCode: typeof formCode === 'object' ? text(formCode['@kodSystemowy']) : null,
    schemaVersion: typeof formCode === 'object' ? text(formCode['@wersjaSchemy']) : null,
    sellerNip: text(seller?.['NIP']) ?? '',
    sellerName: text(seller?.['Nazwa']),
    buyer,
    thirdPartyNips: thirdParties,
    authorizedSubjectNip: text(child(child(invoice, 'PodmiotUpowazniony'), 'DaneIdentyfikacyjne')?.['NIP']),
    issueDate: text(fa['P_1']) ?? '',
    invoiceNumber: text(fa['P_2']) ?? '',
    invoiceType: text(fa['RodzajFaktury']) ?? '',
    currency: text(fa['KodWaluty']) ?? 'PLN',
    grossAmount: amount(fa, ['P_15']),
    netAmount: amount(fa, NET_FIELDS),
    vatAmount: amount(fa, VAT_FIELDS),
    hasAttachment: invoice['Zalacznik'] !== undefined,
    isSelfInvoicing: text(child(fa, 'Adnotacje')?.['P_17']) === '1',
    correctedKsefNumbers: corrections
      .filter((c) => text(c['NrKSeF']) === '1')
      .map((c) => text(c['NrKSeFFaKorygowanej']))
      .filter((n): n is string => !!n),
  };
}

// Ranges KSeF calls discouraged (strict on PRD since 2026-07-16): C1 controls except NEL, non-characters.
const DISCOURAGED_CHARACTERS = /[\u007F-\u0084\u0086-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]/;

/**
 * File-level checks KSeF makes before the schema: UTF-8 without BOM, UTF-8-only prolog, no
 * processing instructions, well-formed XML. Returns the problems (empty = passed) and the text.
 */
export function checkInvoiceFile(content: Buffer): { problems: string[]; xml: string } {
  if (content.length >= 3 && content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf) {
    return { problems: ['Plik faktury zawiera znacznik BOM; wymagane jest kodowanie UTF-8 bez BOM.'], xml: '' };
  }
  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return { problems: ['Plik faktury nie jest poprawnie zakodowany w UTF-8.'], xml: '' };
  }
  const prolog = /^<\?xml\s[^?]*\?>/.exec(xml);
  if (prolog && /encoding\s*=\s*["'](?!utf-8["'])/i.test(prolog[0])) {
    return { problems: ['Deklaracja XML wskazuje kodowanie inne niż UTF-8.'], xml };
  }
  const body = prolog ? xml.slice(prolog[0].length) : xml;
  if (/<\?/.test(body)) {
    return { problems: ['Plik faktury zawiera instrukcje przetwarzania (processing instructions), które są niedozwolone.'], xml };
  }
  if (DISCOURAGED_CHARACTERS.test(xml)) {
    return { problems: ['Plik faktury zawiera niedozwolone znaki Unicode.'], xml };
  }
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    return { problems: [`Dokument XML jest niepoprawny składniowo: ${wellFormed.err.msg} (linia ${wellFormed.err.line})`], xml };
  }
  return { problems: [], xml };
}
