import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InvoiceSchema, INVOICE_TYPES } from '../../domain/invoice';
import { issuesFromZodError, validateInvoice } from '../../domain/validation';
import { buildFa3Xml } from '../../fa3/build';
import { parseFa3Xml } from '../../fa3/parse';
import { validateFa3Xml } from '../../fa3/xsd';
import { FIXTURE_NAMES, fixture, fixtureInput, TODAY } from '../fixtures/invoices/load';

const GENERATED_AT = new Date('2026-06-30T10:00:00Z');

/** Scenario → fixture; the brief's twelve plus WDT, export, third parties and a line discount. */
const SCENARIOS: Record<string, { fixture: string; type: (typeof INVOICE_TYPES)[number] }> = {
  'VAT basic': { fixture: 'vat-basic', type: 'VAT' },
  'UPR simplified': { fixture: 'upr-simplified', type: 'UPR' },
  'ZAL advance': { fixture: 'zal-advance', type: 'ZAL' },
  'ROZ settlement': { fixture: 'roz-settlement', type: 'ROZ' },
  'KOR value correction': { fixture: 'kor-value', type: 'KOR' },
  'KOR data correction (buyer)': { fixture: 'kor-buyer-data', type: 'KOR' },
  KOR_ZAL: { fixture: 'kor-zal', type: 'KOR_ZAL' },
  KOR_ROZ: { fixture: 'kor-roz', type: 'KOR_ROZ' },
  'foreign currency EUR': { fixture: 'vat-eur', type: 'VAT' },
  'reverse charge': { fixture: 'reverse-charge', type: 'VAT' },
  'split payment (MPP)': { fixture: 'split-payment', type: 'VAT' },
  'exempt zw with basis': { fixture: 'exempt-zw', type: 'VAT' },
  'intra-EU supply 0 WDT': { fixture: 'wdt-eu', type: 'VAT' },
  'export 0 EX in USD': { fixture: 'export-usd', type: 'VAT' },
  'third parties (JST recipient, factor, other role)': { fixture: 'vat-third-parties', type: 'VAT' },
  'line discount (P_10)': { fixture: 'vat-discount', type: 'VAT' },
};

describe('regression fixtures', () => {
  it('cover at least 12 scenarios and every invoice type', () => {
    expect(FIXTURE_NAMES.length).toBeGreaterThanOrEqual(12);
    expect(new Set(Object.values(SCENARIOS).map((s) => s.fixture))).toEqual(new Set(FIXTURE_NAMES));
    expect(new Set(FIXTURE_NAMES.map((n) => fixture(n).type))).toEqual(new Set(INVOICE_TYPES));
  });

  describe.each(Object.entries(SCENARIOS))('%s', (_scenario, { fixture: name, type }) => {
    it('parses with InvoiceSchema', () => {
      const parsed = InvoiceSchema.safeParse(fixtureInput(name));
      expect(parsed.success ? [] : issuesFromZodError(parsed.error)).toEqual([]);
      expect(parsed.data?.type).toBe(type);
    });

    it('passes validateInvoice with the XSD step, without any issue', async () => {
      const result = await validateInvoice(fixture(name), { today: TODAY, xsd: { generatedAt: GENERATED_AT } });
      expect(result.issues).toEqual([]);
      expect(result.valid).toBe(true);
    });

    it('builds XML that the FA(3) XSD accepts and that parses back to the same invoice', async () => {
      const invoice = fixture(name);
      const xml = buildFa3Xml(invoice, { generatedAt: GENERATED_AT });
      expect(await validateFa3Xml(xml)).toEqual({ valid: true, issues: [] });
      const roundTrip = InvoiceSchema.parse(parseFa3Xml(xml, { sourceSystem: invoice.sourceSystem }));
      expect(roundTrip.type).toBe(invoice.type);
      expect(roundTrip.lines.map((l) => [l.netAmount, l.vatRate, l.discount])).toEqual(invoice.lines.map((l) => [l.netAmount, l.vatRate, l.discount]));
      expect(roundTrip.thirdParties).toEqual(invoice.thirdParties);
      expect(roundTrip.correction?.originalBuyers).toEqual(invoice.correction?.originalBuyers);
    });
  });
});

/**
 * Cross-check with the Ministry's own examples: whatever our parser reads from them must either be
 * rejected by the schema for a reason the model cannot express, or validate with known findings.
 * Pinning the findings makes any change in a rule's behaviour on real documents visible in review.
 */
describe('official MF examples through parse → validate', () => {
  const dir = path.resolve(__dirname, '..', 'fixtures', 'ksef-examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.xml')).sort();

  const EXPECTED: Record<string, string[]> = {
    // P_15 printed with VAT rounded per line; differs from per-rate rounding by a grosz.
    'mf-fa3-01_VAT_basic_rates-23-5_FP_payment.xml': ['warning:TOTAL_ROUNDING_DIFFERENCE@grossAmount'],
    // Line 2 carries a discount P_10 stated per unit (20 × (1000 − 100) = 18000): accepted since P_10 is in the model.
    'mf-fa3-04_VAT_factor-Podmiot3-rola1_WZ_Rozliczenie.xml': ['warning:SPLIT_PAYMENT_THRESHOLD@splitPayment'],
    // A buyer-data correction (Podmiot2K, no lines) is in the model and clean. A period rebate without lines
    // states per-rate totals (P_13/P_14) the model cannot carry, so P_15 disagrees with the (absent) lines.
    'mf-fa3-06_KOR_period-rebate_multi-DaneFaKorygowanej_no-lines.xml': ['error:TOTAL_MISMATCH@grossAmount'],
    // Margin schemes and UPR without per-line amounts: outside the model.
    'mf-fa3-07_KOR_period-rebate_multi-DaneFaKorygowanej_one-line.xml': ['error:SCHEMA_REQUIRED@lines.0.unitNetPrice', 'error:SCHEMA_REQUIRED@lines.0.netAmount', 'error:SCHEMA_REQUIRED@lines.0.vatRate'],
    'mf-fa3-08_VAT_margin-used-goods_P_13_11.xml': ['error:SCHEMA_REQUIRED@lines.0.unitNetPrice', 'error:SCHEMA_REQUIRED@lines.0.vatRate'],
    'mf-fa3-10_ZAL_advance_Zamowienie_additional-buyer.xml': ['warning:SPLIT_PAYMENT_THRESHOLD@splitPayment'],
    'mf-fa3-15_UPR_simplified_with-totals.xml': ['error:SCHEMA_REQUIRED@lines.0.unitNetPrice', 'error:SCHEMA_REQUIRED@lines.0.netAmount', 'error:SCHEMA_REQUIRED@lines.0.vatRate'],
    'mf-fa3-16_UPR_simplified_no-rate-totals.xml': ['error:SCHEMA_REQUIRED@lines.0.unitNetPrice', 'error:SCHEMA_REQUIRED@lines.0.netAmount'],
    'mf-fa3-17_ROZ_settlement_FakturaZaliczkowa.xml': ['warning:SPLIT_PAYMENT_THRESHOLD@splitPayment'],
    'mf-fa3-19_VAT_margin-tourism_P_13_11.xml': ['error:SCHEMA_REQUIRED@lines.0.unitNetPrice', 'error:SCHEMA_REQUIRED@lines.0.vatRate', 'error:SCHEMA_REQUIRED@lines.1.unitNetPrice'],
    'mf-fa3-20_VAT_EUR_P_14_1W_single-exchange-rate.xml': ['warning:SPLIT_PAYMENT_THRESHOLD@splitPayment'],
    'mf-fa3-21_VAT_EUR_P_14_1W_per-line-exchange-rates.xml': ['warning:SPLIT_PAYMENT_THRESHOLD@splitPayment'],
    // Example 23 (export 0 EX in USD) carries no PLN rate and needs none: no VAT is converted (clean).
  };

  it.each(files)('%s', async (file) => {
    const input = parseFa3Xml(readFileSync(path.join(dir, file), 'utf8'));
    const parsed = InvoiceSchema.safeParse(input);
    const issues = parsed.success
      ? (await validateInvoice(parsed.data, { today: '2026-12-31', xsd: true })).issues
      : issuesFromZodError(parsed.error, { input });
    expect(issues.map((i) => `${i.severity}:${i.code}@${i.field}`)).toEqual(EXPECTED[file] ?? []);
  });
});
