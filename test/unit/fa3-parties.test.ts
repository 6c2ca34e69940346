import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { InvoiceSchema } from '../../domain/invoice';
import { validateInvoice, validateInvoiceInput } from '../../domain/validation';
import { buildFa3Xml } from '../../fa3/build';
import { parseFa3Xml } from '../../fa3/parse';
import { validateFa3Xml } from '../../fa3/xsd';
import { GENERATED_AT, sampleInvoice } from './fa3-samples';

/**
 * Third parties (Podmiot3) and buyer-data corrections (Podmiot2K): the MF examples that use them go
 * parse → model → build, the result must pass the official XSD and carry the same party elements.
 */

const EXAMPLES_DIR = path.resolve(__dirname, '../fixtures/ksef-examples');
const read = (name: string) => readFileSync(path.join(EXAMPLES_DIR, name), 'utf8');

// An independent reading of the XML: element trees as plain objects, numbers compared as numbers.
const tree = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: true, isArray: (n) => ['Podmiot3', 'Podmiot2K', 'DaneKontaktowe'].includes(n) });
type Node = Record<string, any>;
function partyElements(xml: string): { podmiot3: Node[]; podmiot2K: Node[]; podmiot2Ids: Node } {
  const doc = tree.parse(xml).Faktura as Node;
  const p2 = doc.Podmiot2 as Node;
  return {
    podmiot3: (doc.Podmiot3 ?? []).map(normalise),
    podmiot2K: (doc.Fa.Podmiot2K ?? []).map(normalise),
    podmiot2Ids: { DaneIdentyfikacyjne: p2.DaneIdentyfikacyjne, NrKlienta: p2.NrKlienta, IDNabywcy: p2.IDNabywcy, JST: p2.JST, GV: p2.GV },
  };
}
function normalise(node: Node): Node {
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'Udzial') out[k] = Number(v);
    else out[k] = v;
  }
  return out;
}

const EXAMPLES = [
  ['mf-fa3-04_VAT_factor-Podmiot3-rola1_WZ_Rozliczenie.xml', { podmiot3: 1, podmiot2K: 0 }],
  ['mf-fa3-05_KOR_buyer-data-Podmiot2K_no-lines.xml', { podmiot3: 0, podmiot2K: 1 }],
  ['mf-fa3-09_VAT_exempt-zw_OkresFa_JST-Podmiot3-rola8.xml', { podmiot3: 1, podmiot2K: 0 }],
  ['mf-fa3-10_ZAL_advance_Zamowienie_additional-buyer.xml', { podmiot3: 1, podmiot2K: 0 }],
] as const;

describe('MF examples with Podmiot3 / Podmiot2K: parse → model → build', () => {
  it.each(EXAMPLES)('%s: XSD-valid and the same party elements', async (file, counts) => {
    const original = read(file);
    const invoice = InvoiceSchema.parse(parseFa3Xml(original));
    const rebuilt = buildFa3Xml(invoice, { generatedAt: GENERATED_AT });
    const xsd = await validateFa3Xml(rebuilt);
    expect(xsd.issues).toEqual([]);
    expect(xsd.valid).toBe(true);

    const before = partyElements(original);
    const after = partyElements(rebuilt);
    expect(before.podmiot3).toHaveLength(counts.podmiot3);
    expect(before.podmiot2K).toHaveLength(counts.podmiot2K);
    expect(after.podmiot3).toEqual(before.podmiot3);
    expect(after.podmiot2K).toEqual(before.podmiot2K);
    expect(after.podmiot2Ids).toEqual(before.podmiot2Ids);
  });

  it('maps the examples into the model fields', () => {
    const factor = parseFa3Xml(read('mf-fa3-04_VAT_factor-Podmiot3-rola1_WZ_Rozliczenie.xml'));
    expect(factor.thirdParties).toEqual([
      {
        identifier: { type: 'NIP', nip: '2222222222' },
        name: 'Bank Bankowości Bankowej S. A. BBB Faktoring',
        address: { countryCode: 'PL', line1: 'ul. Bankowa 1', line2: '00-003 Łódź' },
        email: 'bbb@efaktoring.pl',
        phone: '666888999',
        role: '1',
      },
    ]);
    expect(factor.buyer.customerNumber).toBe('fdfd778343');

    const kor = parseFa3Xml(read('mf-fa3-05_KOR_buyer-data-Podmiot2K_no-lines.xml'));
    expect(kor.lines).toEqual([]);
    expect(kor.buyer.buyerId).toBe('0001');
    expect(kor.correction?.originalBuyers).toEqual([
      { identifier: { type: 'NIP', nip: '1111111111' }, name: 'CDE sp. j.', address: { countryCode: 'PL', line1: 'ul. Sadowa 1 lok. 3', line2: '00-002 Kraków' }, buyerId: '0001' },
    ]);

    const jst = parseFa3Xml(read('mf-fa3-09_VAT_exempt-zw_OkresFa_JST-Podmiot3-rola8.xml'));
    expect(jst.buyer.isLocalGovernmentUnit).toBe(true);
    expect(jst.thirdParties?.map((p) => [p.name, p.role])).toEqual([['Szkoła Podstawowa w Bzdziszewie', '8']]);

    const extra = parseFa3Xml(read('mf-fa3-10_ZAL_advance_Zamowienie_additional-buyer.xml'));
    expect(extra.thirdParties?.map((p) => [p.identifier, p.role, p.share])).toEqual([[{ type: 'NIP', nip: '3333333333' }, '4', '50']]);
  });

  it('builds every identifier kind, RolaInna + OpisRoli and Udzial in XSD order', async () => {
    const xml = buildFa3Xml(sampleInvoice('third_parties'), { generatedAt: GENERATED_AT });
    expect((await validateFa3Xml(xml)).valid).toBe(true);
    const p3 = partyElements(xml).podmiot3;
    expect(p3.map((p) => Object.keys(p))).toEqual([
      ['DaneIdentyfikacyjne', 'Adres', 'DaneKontaktowe', 'Rola'],
      ['DaneIdentyfikacyjne', 'Rola'],
      ['DaneIdentyfikacyjne', 'RolaInna', 'OpisRoli', 'NrKlienta'],
      ['IDNabywcy', 'DaneIdentyfikacyjne', 'Rola', 'Udzial'],
    ]);
    expect(p3[1].DaneIdentyfikacyjne).toEqual({ IDWew: '9999999999-00001', Nazwa: 'Oddział Kraków' });
    expect(p3[2].DaneIdentyfikacyjne).toEqual({ KodUE: 'DE', NrVatUE: '123456789', Nazwa: 'Zahler GmbH' });
    // Podmiot3 sits between Podmiot2 and Fa.
    expect(xml.indexOf('</Podmiot2>')).toBeLessThan(xml.indexOf('<Podmiot3>'));
    expect(xml.lastIndexOf('</Podmiot3>')).toBeLessThan(xml.indexOf('<Fa>'));
  });

  it('writes Podmiot2K only on corrections', async () => {
    const kor = sampleInvoice('KOR_buyer_data');
    const xml = buildFa3Xml(kor, { generatedAt: GENERATED_AT });
    expect((await validateFa3Xml(xml)).valid).toBe(true);
    expect(partyElements(xml).podmiot2K).toHaveLength(1);
    const asVat = buildFa3Xml({ ...kor, type: 'VAT', lines: sampleInvoice('VAT').lines }, { generatedAt: GENERATED_AT });
    expect(asVat).not.toContain('Podmiot2K');
  });
});

describe('validation of third parties and original buyer data', () => {
  const today = '2026-03-01';
  const issuesOf = async (input: unknown) => {
    const parsed = InvoiceSchema.safeParse(input);
    if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
    return (await validateInvoice(parsed.data, { today, xsd: true })).issues.map((i) => `${i.severity}:${i.code}@${i.field}`);
  };

  it('the third-party sample is clean', async () => {
    expect(await issuesOf(sampleInvoice('third_parties'))).toEqual([]);
    expect(await issuesOf(sampleInvoice('KOR_buyer_data'))).toEqual([]);
  });

  it('points a bad third-party NIP at its own entry, with the NIP codes', async () => {
    const input = structuredClone(sampleInvoice('third_parties')) as any;
    input.thirdParties[1] = { identifier: { type: 'NIP', nip: '5260001247' }, role: '6' };
    input.thirdParties[3].identifier.nip = '0123456789';
    const result = await validateInvoiceInput(input, { today });
    expect(result.valid).toBe(false);
    const found = result.issues.map((i) => [i.code, i.field]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['NIP_CHECKSUM', 'thirdParties.1.identifier.nip'],
        ['NIP_FORMAT', 'thirdParties.3.identifier.nip'],
      ]),
    );
    const checksum = result.issues.find((i) => i.code === 'NIP_CHECKSUM')!;
    expect(checksum.message.en).toMatch(/^Third party NIP \(#2\)/i);
    expect(checksum.message.pl).toMatch(/NIP podmiotu trzeciego/);
  });

  it('requires exactly one of role / otherRole, and a recipient for JST / GV buyers', async () => {
    const input = structuredClone(sampleInvoice('third_parties')) as any;
    delete input.thirdParties[0].role;
    input.thirdParties[3].otherRole = 'współnabywca';
    input.thirdParties[1].role = '2';
    input.buyer.isLocalGovernmentUnit = true;
    expect(await issuesOf(input)).toEqual([
      'error:THIRD_PARTY_ROLE_REQUIRED@thirdParties.0.role',
      'error:THIRD_PARTY_ROLE_REQUIRED@thirdParties.3.role',
      'warning:THIRD_PARTY_MISSING_FOR_FLAG@buyer.isLocalGovernmentUnit',
      'warning:THIRD_PARTY_MISSING_FOR_FLAG@buyer.isVatGroupMember',
    ]);
  });

  it('checks EU VAT ids of third parties and original buyers, and the internal id NIP part', async () => {
    const input = structuredClone(sampleInvoice('KOR_buyer_data')) as any;
    input.thirdParties = [
      { identifier: { type: 'EU_VAT', countryCode: 'DE', vatNumber: 'DE123456789' }, role: '6' },
      { identifier: { type: 'INTERNAL', internalId: '5260001247-00001' }, role: '2' },
    ];
    input.correction.originalBuyers[0].identifier = { type: 'EU_VAT', countryCode: 'PL', vatNumber: '5260001246' };
    expect(await issuesOf(input)).toEqual([
      'error:EU_VAT_ID_FORMAT@thirdParties.0.identifier.vatNumber',
      'error:NIP_CHECKSUM@thirdParties.1.identifier.internalId',
      'error:EU_VAT_COUNTRY@correction.originalBuyers.0.identifier.countryCode',
    ]);
  });

  it('allows an empty line list only on KOR', async () => {
    expect(await issuesOf({ ...sampleInvoice('VAT'), lines: [] })).toEqual(['error:REQUIRED_FIELD_FOR_TYPE@lines']);
  });
});
