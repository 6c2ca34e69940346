import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InvoiceSchema } from '../../domain/invoice';
import { buildFa3Xml } from '../../fa3/build';
import { Fa3ParseError, parseFa3Xml, readFa3Summary } from '../../fa3/parse';
import { validateFa3Xml } from '../../fa3/xsd';
import { GENERATED_AT, SAMPLE_INPUTS, sampleInvoice } from './fa3-samples';

const EXAMPLES_DIR = path.resolve(__dirname, '../fixtures/ksef-examples');
const exampleFiles = [
  ...readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.xml')).map((f) => path.join(EXAMPLES_DIR, f)),
  ...readdirSync(path.join(EXAMPLES_DIR, 'third-party-ksef2-suite')).filter((f) => f.endsWith('.xml')).map((f) => path.join(EXAMPLES_DIR, 'third-party-ksef2-suite', f)),
];

/** Text of the first <name>…</name> inside <parent>, straight from the file, as an independent oracle. */
function firstText(xml: string, name: string, within = 'Faktura'): string | undefined {
  const scope = new RegExp(`<(?:\\w+:)?${within}[\\s>][\\s\\S]*?</(?:\\w+:)?${within}>`).exec(xml)?.[0] ?? xml;
  return new RegExp(`<(?:\\w+:)?${name}>([^<]*)</(?:\\w+:)?${name}>`).exec(scope)?.[1];
}

describe('parseFa3Xml round trip', () => {
  it.each(Object.keys(SAMPLE_INPUTS))('%s: build → parse → build gives identical bytes', (kind) => {
    const original = sampleInvoice(kind);
    const xml = buildFa3Xml(original, { generatedAt: GENERATED_AT, systemInfo: 'ksef-ops' });
    const parsed = InvoiceSchema.parse(parseFa3Xml(xml, { sourceSystem: original.sourceSystem }));
    expect(buildFa3Xml(parsed, { generatedAt: GENERATED_AT, systemInfo: 'ksef-ops' })).toBe(xml);
  });

  it('restores the model fields, not just the bytes', () => {
    const original = sampleInvoice('KOR');
    const parsed = InvoiceSchema.parse(parseFa3Xml(buildFa3Xml(original, { generatedAt: GENERATED_AT }), { sourceSystem: 'erp' }));
    // P_15 is always written, so the parsed invoice carries the computed total explicitly.
    expect(parsed).toEqual({ ...original, grossAmount: '-200.00' });
  });

  it('defaults sourceSystem to "ksef" for invoices read from KSeF', () => {
    const xml = buildFa3Xml(sampleInvoice('VAT'), { generatedAt: GENERATED_AT });
    expect(parseFa3Xml(xml).sourceSystem).toBe('ksef');
  });

  it('rejects documents that are not FA invoices, with codes', () => {
    expect(() => parseFa3Xml('<Faktura><Naglowek/></Faktura>')).toThrow(Fa3ParseError);
    expect(() => parseFa3Xml('<?xml version="1.0"?><Potwierdzenie/>')).toThrow(expect.objectContaining({ code: 'FA3_NOT_AN_INVOICE' }));
  });
});

describe('official and third-party examples', () => {
  it('has examples to read', () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(30);
  });

  it.each(exampleFiles.map((f) => [path.basename(f), f]))('%s: main fields parse', (_name, file) => {
    const xml = readFileSync(file, 'utf8');
    const parsed = parseFa3Xml(xml);
    expect(parsed.invoiceNumber).toBe(firstText(xml, 'P_2', 'Fa'));
    expect(parsed.issueDate).toBe(firstText(xml, 'P_1', 'Fa'));
    expect(parsed.type).toBe(firstText(xml, 'RodzajFaktury', 'Fa'));
    expect(parsed.currency).toBe(firstText(xml, 'KodWaluty', 'Fa'));
    expect(parsed.grossAmount).toBe(firstText(xml, 'P_15', 'Fa'));
    expect(parsed.seller.nip).toBe(firstText(xml, 'NIP', 'Podmiot1'));
    expect(parsed.seller.name).toBe(firstText(xml, 'Nazwa', 'Podmiot1'));
    const buyerNip = firstText(xml, 'NIP', 'Podmiot2');
    if (buyerNip) expect(parsed.buyer.identifier).toEqual({ type: 'NIP', nip: buyerNip });
    else expect(parsed.buyer.identifier.type).not.toBe('NIP');
    const lineCount = (xml.match(/<(?:\w+:)?FaWiersz>/g) ?? []).length || (xml.match(/<(?:\w+:)?ZamowienieWiersz>/g) ?? []).length;
    expect(parsed.lines).toHaveLength(lineCount);
    const correctedCount = (xml.match(/<(?:\w+:)?DaneFaKorygowanej>/g) ?? []).length;
    expect(parsed.correction?.correctedInvoices.length ?? 0).toBe(correctedCount);

    const summary = readFa3Summary(xml);
    expect(summary).toMatchObject({
      sellerNip: parsed.seller.nip,
      invoiceNumber: parsed.invoiceNumber,
      invoiceType: parsed.type,
      issueDate: parsed.issueDate,
      grossAmount: parsed.grossAmount,
      currency: parsed.currency,
    });
    expect(summary.buyerNip).toBe(buyerNip);
  });

  it('reads lines, correction references and exemption of specific MF examples', () => {
    const kor = parseFa3Xml(readFileSync(path.join(EXAMPLES_DIR, 'mf-fa3-03_KOR_price-reduction_difference-line.xml'), 'utf8'));
    expect(kor.correction).toEqual({
      reason: 'obniżka ceny o 200 zł z uwagi na uszkodzenia estetyczne',
      effect: '3',
      correctedInvoices: [{ issueDate: '2026-02-15', number: 'FV2026/02/150', ksefNumber: '9999999999-20230908-8BEF280C8D35-4D' }],
    });
    expect(kor.lines).toEqual([{ name: 'lodówka Zimnotech mk1', unit: 'szt.', quantity: '1', unitNetPrice: '-162.60', netAmount: '-162.60', vatRate: '23' }]);

    const zw = parseFa3Xml(readFileSync(path.join(EXAMPLES_DIR, 'mf-fa3-09_VAT_exempt-zw_OkresFa_JST-Podmiot3-rola8.xml'), 'utf8'));
    expect(zw.exemption).toEqual({ basis: 'ACT', text: 'art. 43 ust. 1 pkt 37 ustawy VAT' });
    expect(zw.lines.map((l) => l.vatRate)).toEqual(['23', 'zw']);

    const eur = parseFa3Xml(readFileSync(path.join(EXAMPLES_DIR, 'mf-fa3-20_VAT_EUR_P_14_1W_single-exchange-rate.xml'), 'utf8'));
    expect([eur.currency, eur.exchangeRate]).toEqual(['EUR', '4.5005']);
    expect(eur.payment).toMatchObject({ dueDate: '2026-03-15', method: '6' });

    const zal = parseFa3Xml(readFileSync(path.join(EXAMPLES_DIR, 'mf-fa3-10_ZAL_advance_Zamowienie_additional-buyer.xml'), 'utf8'));
    expect(zal.lines[0]).toEqual({ name: 'mieszkanie 50m^2', unit: 'szt.', quantity: '1', unitNetPrice: '300000', netAmount: '300000', vatRate: '23' });
    expect(zal.payment).toEqual({ method: '6', paid: true, paidOn: '2026-02-15' });
  });
});

describe('FA(3) Zalacznik (attachment block) round trip of the MF utility examples', () => {
  const ZAL_EXAMPLES = ['mf-fa3-24_VAT_utility_Zalacznik-attachment_OkresFa.xml', 'mf-fa3-25_VAT_utility_Zalacznik-attachment_variant.xml'];

  /** Independent oracle: cell texts straight from the file with a regex, whitespace collapsed as xsd:token does. */
  const rawCells = (xml: string, tag: string) =>
    [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>|<${tag}/>`, 'g'))].map((m) =>
      (m[1] ?? '').replace(/&lt;|&#60;/g, '<').replace(/\s+/g, ' ').trim(),
    );

  it.each(ZAL_EXAMPLES)('%s: parse → model → build is XSD-valid and keeps the Zalacznik content', async (file) => {
    const xml = readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
    const model = InvoiceSchema.parse(parseFa3Xml(xml));
    const attachment = model.attachment!;
    expect(attachment.blocks).toHaveLength(1);
    const [block] = attachment.blocks;
    expect(block.metadata.map((m) => m.key)).toEqual(rawCells(xml, 'ZKlucz'));
    expect(block.metadata.map((m) => m.value)).toEqual(rawCells(xml, 'ZWartosc'));
    expect(block.tables).toHaveLength(3);
    expect(block.tables!.flatMap((t) => t.columns.map((c) => c.type))).toEqual([...xml.matchAll(/<Kol Typ="(\w+)">/g)].map((m) => m[1]));
    expect(block.tables!.flatMap((t) => t.rows.flat())).toEqual(rawCells(xml, 'WKom'));
    expect(block.tables!.flatMap((t) => t.sum ?? [])).toEqual(rawCells(xml, 'SKom'));
    expect(block.tables![1].metadata).toEqual([{ key: 'Informacja o akcyzie', value: 'Od 20 kWh energii elektrycznej czynnej naliczono akcyzę w kwocie 0,10 zł' }]);
    expect(block.tables![2].rows[2]).toEqual(['Opłata przejściowa <500 kWh']);

    const rebuilt = buildFa3Xml(model, { generatedAt: GENERATED_AT });
    const xsd = await validateFa3Xml(rebuilt);
    expect(xsd.issues).toEqual([]);
    expect(xsd.valid).toBe(true);
    expect(rebuilt).toContain('<Kol Typ="dec">');
    expect(rebuilt).toContain('<WKom>Opłata mocowa &lt;500 kWh</WKom>');

    const again = InvoiceSchema.parse(parseFa3Xml(rebuilt));
    expect(again.attachment).toEqual(attachment);
    expect(buildFa3Xml(again, { generatedAt: GENERATED_AT })).toBe(rebuilt);
  });

  it('writes heading and paragraphs in XSD order and rejects what the XSD would', async () => {
    const invoice = InvoiceSchema.parse({
      ...sampleInvoice('VAT'),
      attachment: {
        blocks: [
          {
            heading: 'Rozliczenie',
            metadata: [{ key: 'Kod PPE', value: '590000' }],
            paragraphs: ['Pierwszy   akapit', 'Drugi'],
            tables: [{ columns: [{ type: 'int', name: 'Ilość' }], rows: [['1'], ['']] }],
          },
        ],
      },
    });
    const xml = buildFa3Xml(invoice, { generatedAt: GENERATED_AT });
    expect((await validateFa3Xml(xml)).valid).toBe(true);
    expect(xml.indexOf('<ZNaglowek>')).toBeLessThan(xml.indexOf('<MetaDane>'));
    expect(xml.indexOf('<Akapit>Pierwszy akapit</Akapit>')).toBeLessThan(xml.indexOf('<Tabela>'));
    expect(InvoiceSchema.parse(parseFa3Xml(xml)).attachment!.blocks[0]).toEqual({
      heading: 'Rozliczenie',
      metadata: [{ key: 'Kod PPE', value: '590000' }],
      paragraphs: ['Pierwszy akapit', 'Drugi'],
      tables: [{ columns: [{ type: 'int', name: 'Ilość' }], rows: [['1'], ['']] }],
    });

    const bad = InvoiceSchema.safeParse({ ...sampleInvoice('VAT'), attachment: { blocks: [{ metadata: [] }] } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(['attachment', 'blocks', 0, 'metadata']);
    const badType = InvoiceSchema.safeParse({ ...sampleInvoice('VAT'), attachment: { blocks: [{ metadata: [{ key: 'a', value: 'b' }], tables: [{ columns: [{ type: 'money', name: 'x' }], rows: [['1']] }] }] } });
    expect(badType.error!.issues[0].path).toEqual(['attachment', 'blocks', 0, 'tables', 0, 'columns', 0, 'type']);
  });
});
