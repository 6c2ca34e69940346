import { XMLParser } from 'fast-xml-parser';
import { ATTACHMENT_COLUMN_TYPES, INVOICE_TYPES, VAT_RATES, type InvoiceAttachment, type InvoiceInput, type InvoiceType, type VatRate } from '../domain/invoice';
import { originalBuyersFrom, thirdPartiesFrom } from './parse-parties';

/**
 * FA(3) XML → invoice model input. Reads what our builder writes (exact round trip) and the main
 * fields of third-party invoices (purchase invoices downloaded from KSeF). The result is *input*:
 * fields the model cannot express are dropped and missing ones stay missing, so callers validate it
 * with InvoiceSchema before trusting it.
 */

export class Fa3ParseError extends Error {
  override readonly name = 'Fa3ParseError';
  constructor(
    readonly code: 'FA3_NOT_XML' | 'FA3_NOT_AN_INVOICE',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export type Node = Record<string, unknown>;

/** Elements that may repeat; always parsed as arrays so one occurrence does not change the shape. */
const REPEATED = new Set([
  'FaWiersz',
  'ZamowienieWiersz',
  'DaneFaKorygowanej',
  'DodatkowyOpis',
  'FakturaZaliczkowa',
  'DaneKontaktowe',
  'TerminPlatnosci',
  'RachunekBankowy',
  'Podmiot3',
  'Podmiot2K',
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  // Amounts, NIPs and numbers like "0001" must stay strings.
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => REPEATED.has(name),
});

function parseDocument(xml: string): Node {
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (error) {
    throw new Fa3ParseError('FA3_NOT_XML', (error as Error).message);
  }
  const faktura = doc?.Faktura as Node | undefined;
  if (!faktura || typeof faktura !== 'object' || !faktura.Fa) throw new Fa3ParseError('FA3_NOT_AN_INVOICE', 'root element Faktura with Fa is missing');
  return faktura;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);
export const obj = (v: unknown): Node | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : undefined);
export const arr = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : v ? [v as Node] : []);
export const flag = (v: unknown): boolean => str(v) === '1';

export function address(node: unknown): { countryCode: string; line1: string; line2?: string } | undefined {
  const a = obj(node);
  if (!a || !str(a.AdresL1)) return undefined;
  const out: { countryCode: string; line1: string; line2?: string } = { countryCode: str(a.KodKraju) ?? 'PL', line1: str(a.AdresL1)! };
  if (str(a.AdresL2)) out.line2 = str(a.AdresL2);
  return out;
}

function buyerIdentifier(ids: Node): NonNullable<InvoiceInput['buyer']>['identifier'] {
  if (str(ids.NIP)) return { type: 'NIP', nip: str(ids.NIP)! };
  if (str(ids.NrVatUE)) return { type: 'EU_VAT', countryCode: str(ids.KodUE) ?? '', vatNumber: str(ids.NrVatUE)! };
  if (str(ids.NrID)) return str(ids.KodKraju) ? { type: 'OTHER', countryCode: str(ids.KodKraju), id: str(ids.NrID)! } : { type: 'OTHER', id: str(ids.NrID)! };
  return { type: 'NONE' };
}

export function withDefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}

function asVatRate(v: unknown): VatRate | undefined {
  const s = str(v);
  return s && (VAT_RATES as readonly string[]).includes(s) ? (s as VatRate) : undefined;
}

function lineFromFaWiersz(w: Node): InvoiceInput['lines'][number] {
  return withDefined({
    name: str(w.P_7) as string,
    unit: str(w.P_8A),
    quantity: str(w.P_8B) ?? '1',
    unitNetPrice: (str(w.P_9A) ?? str(w.P_11)) as string,
    discount: str(w.P_10),
    netAmount: (str(w.P_11) ?? str(w.P_11A)) as string,
    vatRate: asVatRate(w.P_12) as VatRate,
    beforeCorrection: flag(w.StanPrzed) ? true : undefined,
  });
}

function lineFromZamowienie(w: Node): InvoiceInput['lines'][number] {
  return withDefined({
    name: str(w.P_7Z) as string,
    unit: str(w.P_8AZ),
    quantity: str(w.P_8BZ) ?? '1',
    unitNetPrice: (str(w.P_9AZ) ?? str(w.P_11NettoZ)) as string,
    netAmount: str(w.P_11NettoZ) as string,
    vatRate: asVatRate(w.P_12Z) as VatRate,
    beforeCorrection: flag(w.StanPrzedZ) ? true : undefined,
  });
}

export interface ParseFa3Options {
  /** Model `sourceSystem` of the result; default "ksef" (the invoice came from KSeF, not from our ERP). */
  sourceSystem?: string;
}

export function parseFa3Xml(xml: string, options: ParseFa3Options = {}): InvoiceInput {
  const doc = parseDocument(xml);
  const p1 = obj(doc.Podmiot1) ?? {};
  const p2 = obj(doc.Podmiot2) ?? {};
  const fa = obj(doc.Fa)!;
  const ad = obj(fa.Adnotacje) ?? {};
  const sellerIds = obj(p1.DaneIdentyfikacyjne) ?? {};
  const buyerIds = obj(p2.DaneIdentyfikacyjne) ?? {};
  const sellerContact = arr(p1.DaneKontaktowe)[0] ?? {};
  const buyerContact = arr(p2.DaneKontaktowe)[0] ?? {};
  const faLines = arr(fa.FaWiersz);
  const orderLines = arr(obj(fa.Zamowienie)?.ZamowienieWiersz);
  const lines = faLines.length > 0 ? faLines.map(lineFromFaWiersz) : orderLines.map(lineFromZamowienie);
  const type = str(fa.RodzajFaktury);

  const zw = obj(ad.Zwolnienie) ?? {};
  const exemption = flag(zw.P_19)
    ? str(zw.P_19A)
      ? { basis: 'ACT' as const, text: str(zw.P_19A)! }
      : str(zw.P_19B)
        ? { basis: 'DIRECTIVE' as const, text: str(zw.P_19B)! }
        : { basis: 'OTHER' as const, text: str(zw.P_19C) ?? '' }
    : undefined;

  const corrected = arr(fa.DaneFaKorygowanej).map((d) =>
    withDefined({ issueDate: str(d.DataWystFaKorygowanej)!, number: str(d.NrFaKorygowanej)!, ksefNumber: str(d.NrKSeFFaKorygowanej) }),
  );
  const correction =
    corrected.length > 0
      ? withDefined({ reason: str(fa.PrzyczynaKorekty), effect: str(fa.TypKorekty) as '1' | '2' | '3' | undefined, correctedInvoices: corrected, originalBuyers: originalBuyersFrom(fa) })
      : undefined;

  const advanceInvoices = arr(fa.FakturaZaliczkowa).map((z) =>
    withDefined({ number: str(z.NrFaZaliczkowej) ?? str(z.NrKSeFFaZaliczkowej)!, ksefNumber: str(z.NrKSeFFaZaliczkowej) }),
  );

  const pay = obj(fa.Platnosc);
  const payment = pay
    ? withDefined({
        dueDate: str(arr(pay.TerminPlatnosci)[0]?.Termin),
        method: str(pay.FormaPlatnosci) as '1' | '2' | '3' | '4' | '5' | '6' | '7' | undefined,
        bankAccount: str(arr(pay.RachunekBankowy)[0]?.NrRB),
        paid: flag(pay.Zaplacono) ? true : undefined,
        paidOn: str(pay.DataZaplaty),
      })
    : undefined;

  const notes = arr(fa.DodatkowyOpis).map((n) => ({ key: str(n.Klucz)!, value: str(n.Wartosc)! }));
  const exchangeRate = str(faLines[0]?.KursWaluty) ?? str(fa.KursWalutyZ);

  return withDefined({
    sourceSystem: options.sourceSystem ?? 'ksef',
    type: type && (INVOICE_TYPES as readonly string[]).includes(type) ? (type as InvoiceType) : undefined,
    invoiceNumber: str(fa.P_2)!,
    issueDate: str(fa.P_1)!,
    issuePlace: str(fa.P_1M),
    saleDate: str(fa.P_6),
    currency: str(fa.KodWaluty),
    exchangeRate,
    seller: withDefined({
      nip: str(sellerIds.NIP)!,
      name: str(sellerIds.Nazwa)!,
      address: address(p1.Adres)!,
      email: str(sellerContact.Email),
      phone: str(sellerContact.Telefon),
    }),
    buyer: withDefined({
      identifier: buyerIdentifier(buyerIds),
      name: str(buyerIds.Nazwa),
      address: address(p2.Adres),
      email: str(buyerContact.Email),
      isLocalGovernmentUnit: flag(p2.JST),
      isVatGroupMember: flag(p2.GV),
      customerNumber: str(p2.NrKlienta),
      buyerId: str(p2.IDNabywcy),
    }),
    thirdParties: thirdPartiesFrom(doc),
    lines,
    grossAmount: str(fa.P_15),
    splitPayment: flag(ad.P_18A),
    cashAccounting: flag(ad.P_16),
    selfBilling: flag(ad.P_17),
    reverseCharge: flag(ad.P_18),
    exemption,
    correction,
    payment: payment && Object.keys(payment).length > 0 ? payment : undefined,
    advanceInvoices: advanceInvoices.length > 0 ? advanceInvoices : undefined,
    notes: notes.length > 0 ? notes : undefined,
    attachment: doc.Zalacznik !== undefined ? parseZalacznik(xml) : undefined,
  }) as InvoiceInput;
}

export interface Fa3Summary {
  sellerNip: string;
  buyerNip?: string;
  invoiceNumber: string;
  invoiceType: string;
  issueDate: string;
  /** P_15 as written (decimal string). */
  grossAmount: string;
  currency: string;
}

/** The handful of fields a purchase-invoice registry needs, without building the full model. */
export function readFa3Summary(xml: string): Fa3Summary {
  const doc = parseDocument(xml);
  const fa = obj(doc.Fa)!;
  const sellerIds = obj(obj(doc.Podmiot1)?.DaneIdentyfikacyjne) ?? {};
  const buyerIds = obj(obj(doc.Podmiot2)?.DaneIdentyfikacyjne) ?? {};
  return withDefined({
    sellerNip: str(sellerIds.NIP) ?? '',
    buyerNip: str(buyerIds.NIP),
    invoiceNumber: str(fa.P_2) ?? '',
    invoiceType: str(fa.RodzajFaktury) ?? '',
    issueDate: str(fa.P_1) ?? '',
    grossAmount: str(fa.P_15) ?? '',
    currency: str(fa.KodWaluty) ?? '',
  });
}

// ---------------------------------------------------------------------------------------------
// Zalacznik

/**
 * A parser of its own: the column type lives in an attribute (Kol/@Typ) the main parser ignores, and
 * cells may be empty, so every repeated element must stay an array and "" must survive. htmlEntities
 * makes numeric character references (&#60; in MF example 25) decode like &lt; does.
 */
const ZALACZNIK_REPEATED = new Set(['BlokDanych', 'MetaDane', 'Akapit', 'Tabela', 'TMetaDane', 'Kol', 'Wiersz', 'WKom', 'SKom']);
const zalacznikParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => ZALACZNIK_REPEATED.has(name),
});

/** Texts are xsd:token: collapsing whitespace here makes parse → build → parse a fixed point. */
const tok = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '').replace(/\s+/g, ' ').trim();
const optTok = (v: unknown): string | undefined => (tok(v).length > 0 ? tok(v) : undefined);
const cells = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(tok);

function parseZalacznik(xml: string): InvoiceAttachment {
  const z = obj(obj((zalacznikParser.parse(xml) as Node).Faktura)?.Zalacznik) ?? {};
  return {
    blocks: arr(z.BlokDanych).map((b) =>
      withDefined({
        heading: optTok(b.ZNaglowek),
        metadata: arr(b.MetaDane).map((m) => ({ key: tok(m.ZKlucz), value: tok(m.ZWartosc) })),
        paragraphs: obj(b.Tekst) ? cells(obj(b.Tekst)!.Akapit) : undefined,
        tables: arr(b.Tabela).length > 0
          ? arr(b.Tabela).map((t) =>
              withDefined({
                metadata: arr(t.TMetaDane).length > 0 ? arr(t.TMetaDane).map((m) => ({ key: tok(m.TKlucz), value: tok(m.TWartosc) })) : undefined,
                description: optTok(t.Opis),
                columns: arr(obj(t.TNaglowek)?.Kol).map((k) => ({
                  type: (ATTACHMENT_COLUMN_TYPES as readonly string[]).includes(tok(k['@_Typ'])) ? (tok(k['@_Typ']) as (typeof ATTACHMENT_COLUMN_TYPES)[number]) : 'txt',
                  name: tok(k.NKom),
                })),
                rows: arr(t.Wiersz).map((w) => cells(w.WKom)),
                sum: obj(t.Suma) ? cells(obj(t.Suma)!.SKom) : undefined,
              }),
            )
          : undefined,
      }),
    ),
  };
}
