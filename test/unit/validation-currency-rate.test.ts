/**
 * Issue #17 item 6: a rule may refuse only what the XSD, KSeF or the law refuses. FA(3) asks for an
 * exchange rate only where tax is converted to PLN (KursWaluty "do wyliczenia kwoty podatku", P_14_xW),
 * so an intra-EU supply (0 WDT) or an export (0 EX) in a foreign currency without a rate is valid —
 * MF example 23 (export in USD) has none — while VAT charged in EUR still needs one (art. 106e(11)).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InvoiceSchema, type Invoice, type InvoiceInput } from '../../domain/invoice';
import { validateInvoice } from '../../domain/validation';
import { needsExchangeRate } from '../../domain/validation/currency';
import { buildFa3Xml } from '../../fa3/build';
import { parseFa3Xml } from '../../fa3/parse';
import { validateFa3Xml } from '../../fa3/xsd';
import { fixtureInput, TODAY } from '../fixtures/invoices/load';

const GENERATED_AT = new Date('2026-06-30T10:00:00Z');

function withoutRate(name: string, change: (i: InvoiceInput) => void = () => undefined): Invoice {
  const input = structuredClone(fixtureInput(name));
  delete input.exchangeRate;
  change(input);
  return InvoiceSchema.parse(input);
}
const codes = async (invoice: Invoice) => (await validateInvoice(invoice, { today: TODAY, xsd: { generatedAt: GENERATED_AT } })).issues.map((i) => `${i.severity}:${i.code}@${i.field}`);

describe('exchange rate only where VAT is converted to PLN', () => {
  it.each(['wdt-eu', 'export-usd'])('%s without a rate: valid, and its XML passes the FA(3) XSD without KursWaluty', async (name) => {
    const invoice = withoutRate(name);
    expect(needsExchangeRate(invoice)).toBe(false);
    expect(await codes(invoice)).toEqual([]);
    const xml = buildFa3Xml(invoice, { generatedAt: GENERATED_AT });
    expect(xml).not.toContain('KursWaluty');
    expect(xml).not.toMatch(/P_14_\dW/);
    expect(await validateFa3Xml(xml)).toEqual({ valid: true, issues: [] });
  });

  it('exempt (zw) lines in EUR need no rate either', async () => {
    const invoice = withoutRate('exempt-zw', (i) => (i.currency = 'EUR'));
    expect(needsExchangeRate(invoice)).toBe(false);
    expect(await codes(invoice)).toEqual([]);
  });

  it('VAT at 23 % in EUR without a rate: still CURRENCY_RATE_REQUIRED, naming art. 106e(11)', async () => {
    const invoice = withoutRate('vat-eur');
    expect(needsExchangeRate(invoice)).toBe(true);
    const result = await validateInvoice(invoice, { today: TODAY });
    expect(result.issues.map((i) => i.code)).toEqual(['CURRENCY_RATE_REQUIRED']);
    expect(result.issues[0].message.en).toContain('106e(11)');
  });

  it('one taxed line among 0 WDT lines is enough to need the rate', async () => {
    const invoice = withoutRate('wdt-eu', (i) => {
      i.lines = [...i.lines, { ...i.lines[0], name: 'Usługa krajowa', vatRate: '23' }];
    });
    expect(needsExchangeRate(invoice)).toBe(true);
    expect((await validateInvoice(invoice, { today: TODAY })).issues.map((i) => i.code)).toContain('CURRENCY_RATE_REQUIRED');
  });

  it('MF example 23 (export 0 EX in USD, no rate) parses and validates clean', async () => {
    const xml = readFileSync(path.resolve(__dirname, '..', 'fixtures', 'ksef-examples', 'mf-fa3-23_VAT_export_0-EX_USD_non-EU-buyer.xml'), 'utf8');
    const invoice = InvoiceSchema.parse(parseFa3Xml(xml));
    expect(invoice.exchangeRate).toBeUndefined();
    expect((await validateInvoice(invoice, { today: '2026-12-31', xsd: true })).issues).toEqual([]);
  });
});
