import type { Buyer, Invoice, InvoiceAttachment, InvoiceLine, VatRate } from '../domain/invoice';
import { identification, originalBuyerBlocks, thirdPartyBlocks } from './parties';
import { fromGrosze, roundToGrosze, toGrosze } from '../domain/money';
import { totalsByRate, vatPercent } from '../domain/totals';

/**
 * Invoice model → FA(3) XML (schema FA(3) v1-0E). Element order follows the XSD sequences exactly;
 * field-to-element mapping is listed next to each block.
 *
 * Output is byte-deterministic for a given (invoice, generatedAt, systemInfo): the SHA-256 of these
 * bytes is the invoiceHash KSeF uses (and the QR KOD I), so a re-send after a crash must produce the
 * very same document or KSeF would see a different file for the same invoice number.
 */

export const FA3_NAMESPACE = 'http://crd.gov.pl/wzor/2025/06/25/13775/';
export const ETD_NAMESPACE = 'http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/';
export const FA3_FORM_CODE = { systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' } as const;

export interface BuildFa3Options {
  /** DataWytworzeniaFa; pass the time the invoice was first rendered, not "now", to stay deterministic. */
  generatedAt: Date;
  systemInfo?: string;
}

export type Fa3BuildErrorCode =
  | 'FA3_INVALID_XML_CHARACTER'
  | 'FA3_THIRD_PARTY_ROLE_MISSING'
  | 'FA3_CORRECTION_DATA_MISSING'
  | 'FA3_EXCHANGE_RATE_MISSING'
  | 'FA3_EXEMPTION_BASIS_MISSING'
  | 'FA3_GENERATED_AT_OUT_OF_RANGE';

export class Fa3BuildError extends Error {
  override readonly name = 'Fa3BuildError';
  constructor(
    readonly code: Fa3BuildErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Totals

type RateGroup = '1' | '2' | '3' | '4' | '6_1' | '6_2' | '6_3' | '7' | '8' | '9' | '10';

/** Which P_13_x / P_14_x pair a rate is summed into, and the percentage used for the VAT amount. */
const RATE_GROUPS: Record<VatRate, { group: RateGroup; percent: bigint | null }> = {
  '23': { group: '1', percent: 23n },
  '22': { group: '1', percent: 22n },
  '8': { group: '2', percent: 8n },
  '7': { group: '2', percent: 7n },
  '5': { group: '3', percent: 5n },
  // P_13_4 is the taxi flat-rate group (4 % and 3 %).
  '4': { group: '4', percent: 4n },
  '3': { group: '4', percent: 3n },
  '0 KR': { group: '6_1', percent: null },
  '0 WDT': { group: '6_2', percent: null },
  '0 EX': { group: '6_3', percent: null },
  zw: { group: '7', percent: null },
  'np I': { group: '8', percent: null },
  'np II': { group: '9', percent: null },
  oo: { group: '10', percent: null },
};

const GROUP_ORDER: RateGroup[] = ['1', '2', '3', '4', '6_1', '6_2', '6_3', '7', '8', '9', '10'];
const GROUPS_WITH_VAT = new Set<RateGroup>(['1', '2', '3', '4']);

export interface Fa3RateGroupTotal {
  group: RateGroup;
  /** Element names this group is written to, e.g. P_13_1 / P_14_1 / P_14_1W. */
  netElement: string;
  vatElement?: string;
  net: string;
  vat?: string;
  /** VAT converted to PLN (foreign-currency invoices only). */
  vatPln?: string;
}

export interface Fa3Totals {
  groups: Fa3RateGroupTotal[];
  net: string;
  vat: string;
  gross: string;
}

/**
 * Net is summed per rate in grosze; VAT is computed once per rate (not per line) and rounded half away
 * from zero, which is how art. 106e(10) totals are normally printed. For corrections, lines marked
 * `beforeCorrection` are subtracted, so P_13/P_14 carry the difference "after − before".
 */
export function computeFa3Totals(invoice: Invoice): Fa3Totals {
  // Per-rate net and VAT (after − before) come from the domain, the same figures the registry shows.
  const byGroup = new Map<RateGroup, { net: bigint; vat: bigint }>();
  for (const { rate, net, vat } of totalsByRate(invoice)) {
    const { group } = RATE_GROUPS[rate];
    const g = byGroup.get(group) ?? { net: 0n, vat: 0n };
    g.net += net;
    g.vat += vat;
    byGroup.set(group, g);
  }

  const foreign = invoice.currency !== 'PLN';
  const rate = invoice.exchangeRate ? scaledRate(invoice.exchangeRate) : undefined;
  let net = 0n;
  let vat = 0n;
  const groups: Fa3RateGroupTotal[] = [];
  for (const group of GROUP_ORDER) {
    const g = byGroup.get(group);
    if (!g) continue;
    net += g.net;
    vat += g.vat;
    const hasVat = GROUPS_WITH_VAT.has(group);
    groups.push({
      group,
      netElement: `P_13_${group}`,
      vatElement: hasVat ? `P_14_${group}` : undefined,
      net: fromGrosze(g.net),
      vat: hasVat ? fromGrosze(g.vat) : undefined,
      vatPln: hasVat && foreign && rate ? fromGrosze(roundToGrosze(g.vat * rate.value, 2 + rate.scale)) : undefined,
    });
  }
  return { groups, net: fromGrosze(net), vat: fromGrosze(vat), gross: fromGrosze(net + vat) };
}

function scaledRate(rate: string): { value: bigint; scale: number } {
  const [whole, frac = ''] = rate.split('.');
  return { value: BigInt(whole + frac), scale: frac.length };
}

// ---------------------------------------------------------------------------------------------
// Decimal formatting: XSD patterns forbid leading zeros ("([1-9]\d*|0)(\.\d+)?"), the model allows them.

function amount(value: string): string {
  return fromGrosze(toGrosze(value));
}

function decimal(value: string): string {
  const negative = value.startsWith('-');
  const [whole, frac] = value.replace(/^[-+]/, '').split('.');
  const w = whole.replace(/^0+(?=\d)/, '');
  const body = frac !== undefined && frac.length > 0 ? `${w}.${frac}` : w;
  const isZero = /^0(\.0*)?$/.test(body);
  return negative && !isZero ? `-${body}` : body;
}

// ---------------------------------------------------------------------------------------------
// XML writer (tiny and byte-stable: fixed order, fixed indentation, explicit escaping)

export interface XmlElement {
  name: string;
  attributes?: ReadonlyArray<readonly [string, string]>;
  children?: XmlElement[];
  text?: string;
}

type Child = XmlElement | undefined | false | XmlElement[];

/** XML 1.0 forbids most C0 controls; KSeF additionally rejects some discouraged ranges (facts §10). */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]/;

export function escapeXmlText(value: string): string {
  if (FORBIDDEN_CHARS.test(value)) {
    throw new Fa3BuildError('FA3_INVALID_XML_CHARACTER', `text contains a character KSeF rejects: ${JSON.stringify(value)}`);
  }
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function el(name: string, ...children: Child[]): XmlElement {
  const flat: XmlElement[] = [];
  for (const c of children) {
    if (Array.isArray(c)) flat.push(...c);
    else if (c) flat.push(c);
  }
  return { name, children: flat };
}

export function leaf(name: string, value: string | number | undefined | null): XmlElement | undefined {
  if (value === undefined || value === null) return undefined;
  return { name, text: String(value) };
}

function serialize(root: XmlElement): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  const write = (node: XmlElement, depth: number) => {
    const indent = '\t'.repeat(depth);
    const attrs = (node.attributes ?? []).map(([k, v]) => ` ${k}="${escapeXmlText(v).replace(/"/g, '&quot;')}"`).join('');
    if (node.text !== undefined) {
      out.push(`${indent}<${node.name}${attrs}>${escapeXmlText(node.text)}</${node.name}>\n`);
      return;
    }
    const children = node.children ?? [];
    if (children.length === 0) {
      out.push(`${indent}<${node.name}${attrs}/>\n`);
      return;
    }
    out.push(`${indent}<${node.name}${attrs}>\n`);
    for (const child of children) write(child, depth + 1);
    out.push(`${indent}</${node.name}>\n`);
  };
  write(root, 0);
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Document

export const CORRECTION_TYPES = new Set(['KOR', 'KOR_ZAL', 'KOR_ROZ']);
const ORDER_BASED_TYPES = new Set(['ZAL', 'KOR_ZAL']);
const MIN_GENERATED_AT = Date.parse('2025-09-01T00:00:00Z');
const MAX_GENERATED_AT = Date.parse('2050-01-01T23:59:59Z');

/** xsd:token collapses whitespace anyway; collapsing here keeps the hash independent of stray spaces. */
export function token(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

const yesNo = (flag: boolean) => (flag ? '1' : '2');

export function buildFa3Xml(invoice: Invoice, options: BuildFa3Options): string {
  const generatedAtMs = options.generatedAt.getTime();
  if (!(generatedAtMs >= MIN_GENERATED_AT && generatedAtMs <= MAX_GENERATED_AT)) {
    throw new Fa3BuildError('FA3_GENERATED_AT_OUT_OF_RANGE', 'generatedAt must be between 2025-09-01 and 2050-01-01 (XSD DataWytworzeniaFa)');
  }
  // Only tax converted to PLN needs a rate (P_14_xW); 0 %/exempt lines in a foreign currency do not.
  if (invoice.currency !== 'PLN' && !invoice.exchangeRate && invoice.lines.some((l) => vatPercent(l.vatRate) !== null)) {
    throw new Fa3BuildError('FA3_EXCHANGE_RATE_MISSING', `invoice in ${invoice.currency} needs exchangeRate for P_14_xW`);
  }
  if (invoice.lines.some((l) => l.vatRate === 'zw') && !invoice.exemption) {
    throw new Fa3BuildError('FA3_EXEMPTION_BASIS_MISSING', 'a "zw" line requires exemption.basis and exemption.text (P_19A/B/C)');
  }
  if (CORRECTION_TYPES.has(invoice.type) && !invoice.correction) {
    throw new Fa3BuildError('FA3_CORRECTION_DATA_MISSING', `${invoice.type} invoice requires correction.correctedInvoices`);
  }

  const root = el(
    'Faktura',
    naglowek(options),
    podmiot1(invoice),
    podmiot2(invoice.buyer),
    thirdPartyBlocks(invoice),
    fa(invoice),
    invoice.attachment ? zalacznik(invoice.attachment) : undefined,
  );
  root.attributes = [
    ['xmlns', FA3_NAMESPACE],
    ['xmlns:etd', ETD_NAMESPACE],
  ];
  return serialize(root);
}

function naglowek(options: BuildFa3Options): XmlElement {
  const kod: XmlElement = {
    name: 'KodFormularza',
    attributes: [
      ['kodSystemowy', FA3_FORM_CODE.systemCode],
      ['wersjaSchemy', FA3_FORM_CODE.schemaVersion],
    ],
    text: FA3_FORM_CODE.value,
  };
  return el(
    'Naglowek',
    kod,
    leaf('WariantFormularza', '3'),
    // Whole seconds: sub-second noise would change the hash without meaning anything.
    leaf('DataWytworzeniaFa', options.generatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z')),
    options.systemInfo ? leaf('SystemInfo', token(options.systemInfo)) : undefined,
  );
}

export function adres(address: { countryCode: string; line1: string; line2?: string } | undefined, name = 'Adres'): XmlElement | undefined {
  if (!address) return undefined;
  return el(name, leaf('KodKraju', address.countryCode), leaf('AdresL1', token(address.line1)), address.line2 ? leaf('AdresL2', token(address.line2)) : undefined);
}

function podmiot1(invoice: Invoice): XmlElement {
  const s = invoice.seller;
  return el(
    'Podmiot1',
    el('DaneIdentyfikacyjne', leaf('NIP', s.nip), leaf('Nazwa', token(s.name))),
    adres(s.address),
    s.email || s.phone ? el('DaneKontaktowe', leaf('Email', s.email), s.phone ? leaf('Telefon', token(s.phone)) : undefined) : undefined,
  );
}

function buyerIdentification(buyer: Buyer): XmlElement {
  return identification(buyer.identifier, buyer.name);
}

function podmiot2(buyer: Buyer): XmlElement {
  return el(
    'Podmiot2',
    buyerIdentification(buyer),
    adres(buyer.address),
    buyer.email ? el('DaneKontaktowe', leaf('Email', buyer.email)) : undefined,
    buyer.customerNumber ? leaf('NrKlienta', token(buyer.customerNumber)) : undefined,
    buyer.buyerId ? leaf('IDNabywcy', token(buyer.buyerId)) : undefined,
    leaf('JST', yesNo(buyer.isLocalGovernmentUnit)),
    leaf('GV', yesNo(buyer.isVatGroupMember)),
  );
}

function fa(invoice: Invoice): XmlElement {
  const totals = computeFa3Totals(invoice);
  const orderBased = ORDER_BASED_TYPES.has(invoice.type);
  return el(
    'Fa',
    leaf('KodWaluty', invoice.currency),
    leaf('P_1', invoice.issueDate),
    invoice.issuePlace ? leaf('P_1M', token(invoice.issuePlace)) : undefined,
    leaf('P_2', token(invoice.invoiceNumber)),
    leaf('P_6', invoice.saleDate),
    totals.groups.flatMap((g) => [leaf(g.netElement, g.net), g.vatElement ? leaf(g.vatElement, g.vat) : undefined, g.vatElement ? leaf(`${g.vatElement}W`, g.vatPln) : undefined].filter((x): x is XmlElement => !!x)),
    leaf('P_15', invoice.grossAmount !== undefined ? amount(invoice.grossAmount) : totals.gross),
    // Advance invoices have no FaWiersz to carry KursWaluty; the rate goes to KursWalutyZ instead.
    orderBased && invoice.currency !== 'PLN' && invoice.exchangeRate ? leaf('KursWalutyZ', decimal(invoice.exchangeRate)) : undefined,
    adnotacje(invoice),
    leaf('RodzajFaktury', invoice.type),
    correctionBlock(invoice),
    originalBuyerBlocks(invoice),
    (invoice.notes ?? []).map((n) => el('DodatkowyOpis', leaf('Klucz', token(n.key)), leaf('Wartosc', token(n.value)))),
    (invoice.advanceInvoices ?? []).map((a) =>
      a.ksefNumber ? el('FakturaZaliczkowa', leaf('NrKSeFFaZaliczkowej', a.ksefNumber)) : el('FakturaZaliczkowa', leaf('NrKSeFZN', '1'), leaf('NrFaZaliczkowej', token(a.number))),
    ),
    orderBased ? undefined : invoice.lines.map((line, i) => faWiersz(invoice, line, i + 1)),
    platnosc(invoice),
    orderBased ? zamowienie(invoice) : undefined,
  );
}

function adnotacje(invoice: Invoice): XmlElement {
  const ex = invoice.exemption;
  const exemptionBasis = ex ? leaf(ex.basis === 'ACT' ? 'P_19A' : ex.basis === 'DIRECTIVE' ? 'P_19B' : 'P_19C', token(ex.text)) : undefined;
  return el(
    'Adnotacje',
    leaf('P_16', yesNo(invoice.cashAccounting)),
    leaf('P_17', yesNo(invoice.selfBilling)),
    leaf('P_18', yesNo(invoice.reverseCharge)),
    leaf('P_18A', yesNo(invoice.splitPayment)),
    ex ? el('Zwolnienie', leaf('P_19', '1'), exemptionBasis) : el('Zwolnienie', leaf('P_19N', '1')),
    el('NoweSrodkiTransportu', leaf('P_22N', '1')),
    leaf('P_23', '2'),
    el('PMarzy', leaf('P_PMarzyN', '1')),
  );
}

function correctionBlock(invoice: Invoice): XmlElement[] {
  const c = invoice.correction;
  if (!c || !CORRECTION_TYPES.has(invoice.type)) return [];
  const out: Array<XmlElement | undefined> = [c.reason ? leaf('PrzyczynaKorekty', token(c.reason)) : undefined, leaf('TypKorekty', c.effect)];
  for (const ref of c.correctedInvoices) {
    out.push(
      el(
        'DaneFaKorygowanej',
        leaf('DataWystFaKorygowanej', ref.issueDate),
        leaf('NrFaKorygowanej', token(ref.number)),
        ref.ksefNumber ? [leaf('NrKSeF', '1')!, leaf('NrKSeFFaKorygowanej', ref.ksefNumber)!] : leaf('NrKSeFN', '1'),
      ),
    );
  }
  return out.filter((x): x is XmlElement => !!x);
}

function faWiersz(invoice: Invoice, line: InvoiceLine, number: number): XmlElement {
  return el(
    'FaWiersz',
    leaf('NrWierszaFa', number),
    leaf('P_7', token(line.name)),
    line.unit ? leaf('P_8A', token(line.unit)) : undefined,
    leaf('P_8B', decimal(line.quantity)),
    leaf('P_9A', decimal(line.unitNetPrice)),
    line.discount !== undefined ? leaf('P_10', amount(line.discount)) : undefined,
    leaf('P_11', amount(line.netAmount)),
    leaf('P_12', line.vatRate),
    invoice.currency !== 'PLN' ? leaf('KursWaluty', invoice.exchangeRate ? decimal(invoice.exchangeRate) : undefined) : undefined,
    line.beforeCorrection ? leaf('StanPrzed', '1') : undefined,
  );
}

/** Advance invoices describe the ordered goods in Zamowienie instead of FaWiersz (MF examples 10–13). */
function zamowienie(invoice: Invoice): XmlElement {
  let orderGross = 0n;
  const rows = invoice.lines.map((line, i) => {
    const { percent } = RATE_GROUPS[line.vatRate];
    const net = toGrosze(line.netAmount);
    const vat = percent === null ? 0n : roundToGrosze(net * percent, 4);
    if (!line.beforeCorrection) orderGross += net + vat;
    return el(
      'ZamowienieWiersz',
      leaf('NrWierszaZam', i + 1),
      leaf('P_7Z', token(line.name)),
      line.unit ? leaf('P_8AZ', token(line.unit)) : undefined,
      leaf('P_8BZ', decimal(line.quantity)),
      leaf('P_9AZ', decimal(line.unitNetPrice)),
      leaf('P_11NettoZ', fromGrosze(net)),
      percent === null ? undefined : leaf('P_11VatZ', fromGrosze(vat)),
      leaf('P_12Z', line.vatRate),
      line.beforeCorrection ? leaf('StanPrzedZ', '1') : undefined,
    );
  });
  return el('Zamowienie', leaf('WartoscZamowienia', fromGrosze(orderGross)), rows);
}

function platnosc(invoice: Invoice): XmlElement | undefined {
  const p = invoice.payment;
  if (!p) return undefined;
  const paid = p.paid && p.paidOn ? [leaf('Zaplacono', '1')!, leaf('DataZaplaty', p.paidOn)!] : [];
  const block = el(
    'Platnosc',
    paid,
    p.dueDate ? el('TerminPlatnosci', leaf('Termin', p.dueDate)) : undefined,
    leaf('FormaPlatnosci', p.method),
    p.bankAccount ? el('RachunekBankowy', leaf('NrRB', p.bankAccount.replace(/\s+/g, ''))) : undefined,
  );
  return block.children && block.children.length > 0 ? block : undefined;
}

/** Zalacznik goes last in Faktura (after Fa and the optional Stopka). */
function zalacznik(attachment: InvoiceAttachment): XmlElement {
  return el(
    'Zalacznik',
    attachment.blocks.map((block) =>
      el(
        'BlokDanych',
        block.heading ? leaf('ZNaglowek', token(block.heading)) : undefined,
        block.metadata.map((m) => el('MetaDane', leaf('ZKlucz', token(m.key)), leaf('ZWartosc', token(m.value)))),
        block.paragraphs ? el('Tekst', block.paragraphs.map((p) => leaf('Akapit', token(p))!)) : undefined,
        (block.tables ?? []).map((table) =>
          el(
            'Tabela',
            (table.metadata ?? []).map((m) => el('TMetaDane', leaf('TKlucz', token(m.key)), leaf('TWartosc', token(m.value)))),
            table.description ? leaf('Opis', token(table.description)) : undefined,
            el(
              'TNaglowek',
              table.columns.map((c) => {
                const kol = el('Kol', leaf('NKom', token(c.name)));
                kol.attributes = [['Typ', c.type]];
                return kol;
              }),
            ),
            table.rows.map((row) => el('Wiersz', row.map((cell) => leaf('WKom', token(cell))!))),
            table.sum ? el('Suma', table.sum.map((cell) => leaf('SKom', token(cell))!)) : undefined,
          ),
        ),
      ),
    ),
  );
}
