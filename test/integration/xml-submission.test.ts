import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SELLER_NIP } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';

/** Official MF examples, submitted as a source system would: our seller NIP, a fresh number. */
const EXAMPLES = path.resolve(__dirname, '..', 'fixtures', 'ksef-examples');
const example = (name: string) => readFileSync(path.join(EXAMPLES, name), 'utf8');

function renumbered(xml: string, sellerNip = SELLER_NIP): { xml: string; number: string } {
  const number = `XML/${randomUUID().slice(0, 13)}`;
  const out = xml
    .replace(/<P_2>[^<]*<\/P_2>/, `<P_2>${number}</P_2>`)
    // Podmiot1 comes first in FA(3): the first NIP is the seller's.
    .replace(/<NIP>\d+<\/NIP>/, `<NIP>${sellerNip}</NIP>`);
  return { xml: out, number };
}

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const postXml = (xml: string, query = '?sourceSystem=erp', extra: { headers?: Record<string, string>; as?: 'sender-key' } = {}) =>
  stack.api(`/api/v1/invoices${query}`, { rawBody: xml, contentType: 'application/xml', ...extra });

describe('POST /api/v1/invoices with a ready FA(3) document', () => {
  it('takes the official basic VAT example to ACCEPTED with a KSeF number, under the named source system', async () => {
    const { xml, number } = renumbered(example('mf-fa3-01_VAT_basic_rates-23-5_FP_payment.xml'));
    const submit = await postXml(xml);
    expect(submit.status).toBe(202);
    // What the model does not carry (FP, UU_ID, NrKlienta…) is named, not silently lost.
    const dropped = submit.body.warnings.map((w: { field: string }) => w.field);
    expect(dropped).toEqual(expect.arrayContaining(['xml.Fa.FP', 'xml.Fa.FaWiersz.UU_ID']));
    // The buyer's customer number is part of the model now and travels on.
    expect(dropped).not.toContain('xml.Podmiot2.NrKlienta');
    for (const w of submit.body.warnings) expect(w.code).toBe('XML_ELEMENT_NOT_CARRIED');

    const done = await eventually(async () => {
      const res = await stack.api(`/api/v1/invoices/${submit.body.id}`);
      return res.body.status === 'ACCEPTED' ? res.body : undefined;
    });
    expect(done).toMatchObject({ invoiceNumber: number, sourceSystem: 'erp', sellerNip: SELLER_NIP, grossAmount: '2051.00' });
    expect(done.ksefNumber).toMatch(/^5260001246-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/);

    // The same document again is the same submission (idempotent), whichever way the source is named.
    const again = await postXml(xml, '', { headers: { 'X-Source-System': 'erp' } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: submit.body.id, created: false });
  });

  it('answers a broken document with 400 XML_NOT_WELL_FORMED and the line of the problem', async () => {
    const { xml } = renumbered(example('mf-fa3-01_VAT_basic_rates-23-5_FP_payment.xml'));
    const broken = xml.replace('<P_1M>Warszawa</P_1M>', '<P_1M>Warszawa</P_1X>');
    const expectedLine = broken.slice(0, broken.indexOf('</P_1X>')).split('\n').length;
    const res = await postXml(broken);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('XML_NOT_WELL_FORMED');
    expect(res.body.errors[0]).toMatchObject({ code: 'XML_NOT_WELL_FORMED', line: expectedLine, path: ['xml', `line ${expectedLine}`] });
  });

  it('answers a well-formed document the official XSD refuses with 400 XSD_INVALID and its line', async () => {
    const { xml } = renumbered(example('mf-fa3-01_VAT_basic_rates-23-5_FP_payment.xml'));
    const bad = xml.replace('<KodWaluty>PLN</KodWaluty>', '<KodWaluty>PLNX</KodWaluty>');
    const line = bad.split('\n').findIndex((l) => l.includes('PLNX')) + 1;
    const res = await postXml(bad);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('XSD_INVALID');
    expect(res.body.errors.some((e: { line: number; message: string }) => e.line === line && e.message.includes('KodWaluty'))).toBe(true);
  });

  it('applies the same business rules as JSON: 422 with the model field path', async () => {
    // Official example 20 (VAT 23 % in EUR) without its rates: the XSD allows it, the law (VAT in PLN) does not.
    const stripped = example('mf-fa3-20_VAT_EUR_P_14_1W_single-exchange-rate.xml').replace(/\s*<KursWaluty>[^<]*<\/KursWaluty>/g, '').replace(/\s*<P_14_1W>[^<]*<\/P_14_1W>/g, '');
    const { xml } = renumbered(stripped);
    const res = await postXml(xml);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('BUSINESS_RULES_FAILED');
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'CURRENCY_RATE_REQUIRED', path: ['exchangeRate'] })]);
  });

  it('carries third parties (Podmiot3) to ACCEPTED: the JST example with its role-8 recipient', async () => {
    const { xml, number } = renumbered(example('mf-fa3-09_VAT_exempt-zw_OkresFa_JST-Podmiot3-rola8.xml'));
    const submit = await postXml(xml);
    expect(submit.status).toBe(202);
    const dropped = submit.body.warnings.map((w: { field: string }) => w.field);
    expect(dropped.filter((f: string) => f.startsWith('xml.Podmiot3'))).toEqual([]);
    const done = await eventually(async () => {
      const res = await stack.api(`/api/v1/invoices/${submit.body.id}`);
      return res.body.status === 'ACCEPTED' ? res.body : undefined;
    });
    expect(done).toMatchObject({ invoiceNumber: number, status: 'ACCEPTED' });
    // The stored model (registry payload) keeps the party, so a re-send rebuilds the same Podmiot3.
    expect(done.invoice.buyer.isLocalGovernmentUnit).toBe(true);
    expect(done.invoice.thirdParties).toEqual([
      expect.objectContaining({ identifier: { type: 'NIP', nip: '2222222222' }, name: 'Szkoła Podstawowa w Bzdziszewie', role: '8' }),
    ]);
  });

  it('names a bad third-party NIP by its entry, with 422 and the NIP code', async () => {
    const { xml } = renumbered(example('mf-fa3-04_VAT_factor-Podmiot3-rola1_WZ_Rozliczenie.xml'));
    const res = await postXml(xml.replace(/(<Podmiot3>[\s\S]*?<NIP>)2222222222(<\/NIP>)/, '$12222222223$2'));
    expect([400, 422]).toContain(res.status);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'NIP_CHECKSUM', path: ['thirdParties', 0, 'identifier', 'nip'] })]));
  });

  it('takes a buyer-data correction without lines (Podmiot2K) through validation', async () => {
    const { xml } = renumbered(example('mf-fa3-05_KOR_buyer-data-Podmiot2K_no-lines.xml'));
    const res = await postXml(xml);
    expect(res.status).toBe(202);
    const detail = await stack.api(`/api/v1/invoices/${res.body.id}`);
    expect(detail.body.invoice.lines).toEqual([]);
    expect(detail.body.invoice.correction.originalBuyers).toEqual([
      expect.objectContaining({ identifier: { type: 'NIP', nip: '1111111111' }, name: 'CDE sp. j.', buyerId: '0001' }),
    ]);
  });

  it('needs a source system, refuses a DOCTYPE, and keeps an API key inside its scope', async () => {
    const { xml } = renumbered(example('mf-fa3-01_VAT_basic_rates-23-5_FP_payment.xml'));
    const noSource = await postXml(xml, '');
    expect(noSource.status).toBe(400);
    expect(noSource.body.errors[0]).toMatchObject({ code: 'SOURCE_SYSTEM_REQUIRED', path: ['sourceSystem'] });

    const doctype = await postXml(xml.replace('<Faktura', '<!DOCTYPE Faktura [<!ENTITY a "aaaa">]>\n<Faktura'));
    expect(doctype.status).toBe(400);
    expect(doctype.body.errors[0]).toMatchObject({ code: 'XML_DOCTYPE_NOT_ALLOWED', line: 2 });

    const foreignSeller = renumbered(example('mf-fa3-01_VAT_basic_rates-23-5_FP_payment.xml'), '9999999999');
    const scoped = await postXml(foreignSeller.xml, '', { as: 'sender-key' });
    expect(scoped.status).toBe(403);
    expect(scoped.body.code).toBe('KSEFOPS_SCOPE_VIOLATION');
    const otherSystem = await postXml(xml, '?sourceSystem=crm', { as: 'sender-key' });
    expect(otherSystem.status).toBe(403);

    // The key's own source system is implied; its own seller is accepted.
    const own = await postXml(renumbered(example('mf-fa3-01_VAT_basic_rates-23-5_FP_payment.xml')).xml, '', { as: 'sender-key' });
    expect(own.status).toBe(202);
    expect((await stack.api(`/api/v1/invoices/${own.body.id}`)).body.sourceSystem).toBe('erp');
  });
});
