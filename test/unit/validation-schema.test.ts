import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InvoiceSchema, type Invoice } from '../../domain/invoice';
import {
  issuesFromZodError,
  mapSourceVatCodes,
  parseVatDictionary,
  RULE_CODES,
  RULES,
  validateInvoice,
  validateInvoiceInput,
  vatDictionaryFromEnv,
  VatDictionaryError,
  type ValidationIssue,
} from '../../domain/validation';
import { fieldLabel } from '../../domain/validation/labels';
import { fixtureInput, TODAY } from '../fixtures/invoices/load';

const pairs = (issues: ValidationIssue[]) => issues.map((i) => [i.code, i.path]);

function schemaIssues(change: (i: Record<string, any>) => unknown, vatDictionary?: Record<string, Record<string, any>>) {
  const input = structuredClone(fixtureInput('vat-basic')) as Record<string, any>;
  change(input);
  const parsed = InvoiceSchema.safeParse(input);
  expect(parsed.success).toBe(false);
  return issuesFromZodError(parsed.error!, { input, vatDictionary });
}

describe('zod errors → issues', () => {
  const cases: Array<[string, (string | number)[], (i: any) => unknown]> = [
    ['SCHEMA_REQUIRED', ['invoiceNumber'], (i: any) => delete i.invoiceNumber],
    ['SCHEMA_INVALID_TYPE', ['lines', 0, 'quantity'], (i: any) => (i.lines[0].quantity = 4)],
    ['SCHEMA_FORMAT', ['issueDate'], (i: any) => (i.issueDate = '10.03.2026')],
    ['SCHEMA_FORMAT', ['saleDate'], (i: any) => (i.saleDate = '2026-02-30')],
    ['SCHEMA_FORMAT', ['lines', 1, 'netAmount'], (i: any) => (i.lines[1].netAmount = '159.801')],
    ['SCHEMA_TOO_SHORT', ['seller', 'name'], (i: any) => (i.seller.name = '')],
    ['SCHEMA_TOO_SHORT', ['thirdParties'], (i: any) => (i.thirdParties = [])],
    ['SCHEMA_FORMAT', ['thirdParties', 0, 'share'], (i: any) => (i.thirdParties = [{ identifier: { type: 'NONE' }, role: '4', share: '100.5' }])],
    ['SCHEMA_TOO_LONG', ['invoiceNumber'], (i: any) => (i.invoiceNumber = 'F'.repeat(257))],
    ['SCHEMA_INVALID_VALUE', ['type'], (i: any) => (i.type = 'FAKTURA')],
    ['SCHEMA_INVALID_VALUE', ['buyer', 'identifier', 'type'], (i: any) => (i.buyer.identifier.type = 'PESEL')],
    ['NIP_CHECKSUM', ['seller', 'nip'], (i: any) => (i.seller.nip = '526-000-12-47')],
    ['NIP_FORMAT', ['buyer', 'identifier', 'nip'], (i: any) => (i.buyer.identifier.nip = 'ABC')],
    ['VAT_RATE_UNKNOWN', ['lines', 0, 'vatRate'], (i: any) => (i.lines[0].vatRate = '19')],
  ];
  it.each(cases)('%s at %j', (code, path, change) => {
    const issues = schemaIssues(change);
    expect(pairs(issues)).toEqual([[code, path]]);
    expect(issues[0].field).toBe(path.join('.'));
    expect(issues[0].message.en).not.toBe('');
    expect(issues[0].message.pl).not.toBe('');
  });

  it('VAT_CODE_UNMAPPED instead of an enum error when the system has a dictionary', () => {
    const issues = schemaIssues((i) => (i.lines[0].vatRate = 'X'), { erp: { A: '23' } });
    expect(pairs(issues)).toEqual([['VAT_CODE_UNMAPPED', ['lines', 0, 'vatRate']]]);
  });

  it('speaks to a finance user in both languages', () => {
    const [issue] = schemaIssues((i) => (i.issueDate = '10.03.2026'));
    expect(issue.message.en).toBe('Issue date: must be a date in YYYY-MM-DD format.');
    expect(issue.message.pl).toBe('Data wystawienia: musi być datą w formacie RRRR-MM-DD.');
    const [line] = schemaIssues((i) => (i.lines[1].netAmount = 'abc'));
    expect(line.message.en.startsWith('Line 2 — net value:')).toBe(true);
    expect(line.message.pl.startsWith('Pozycja 2 — wartość netto:')).toBe(true);
  });

  it('SCHEMA_UNKNOWN_FIELD and SCHEMA_INVALID for strict objects and custom refinements', () => {
    const strict = z.strictObject({ a: z.string() }).safeParse({ a: 'x', b: 1 });
    // The path names the unknown key itself, so a misspelled field is found by its own name.
    expect(pairs(issuesFromZodError(strict.error!, { input: { a: 'x', b: 1 } }))).toEqual([['SCHEMA_UNKNOWN_FIELD', ['b']]]);
    const custom = z.object({ iban: z.string().refine(() => false, 'checksum does not match') }).safeParse({ iban: 'PL00' });
    const [issue] = issuesFromZodError(custom.error!, { input: { iban: 'PL00' } });
    expect([issue.code, issue.path, issue.message.en]).toEqual(['SCHEMA_INVALID', ['iban'], 'Iban: checksum does not match.']);
  });

  it('validateInvoice answers a malformed object with SCHEMA_* issues instead of throwing', async () => {
    const broken = { ...fixtureInput('vat-basic'), lines: 'none' } as unknown as Invoice;
    const result = await validateInvoice(broken, { today: TODAY });
    expect(result.valid).toBe(false);
    expect(pairs(result.issues)).toEqual([['SCHEMA_INVALID_TYPE', ['lines']]]);
  });
});

describe('per-source-system VAT dictionary', () => {
  const dictionary = parseVatDictionary({ erp: { A: '23', B: '8', C: '5', ZW: 'zw', '0': '0 KR' }, shop: { VAT23: '23' } });

  it('maps source codes given in vatCode or in vatRate, leaves FA(3) rates alone and does not mutate the input', () => {
    const input = structuredClone(fixtureInput('vat-basic')) as any;
    input.lines[0] = { ...input.lines[0], vatRate: undefined, vatCode: 'A' };
    input.lines[1].vatRate = ' c ';
    input.lines.push({ ...input.lines[1], vatRate: '8' });
    input.lines.push({ ...input.lines[1], vatRate: '0' });
    const before = JSON.stringify(input);
    const { input: mapped, issues } = mapSourceVatCodes(input, dictionary);
    expect(issues).toEqual([]);
    expect(mapped.lines.map((l: any) => l.vatRate)).toEqual(['23', '5', '8', '0 KR']);
    expect(mapped.lines[0]).not.toHaveProperty('vatCode');
    expect(JSON.stringify(input)).toBe(before);
  });

  it('VAT_CODE_UNMAPPED names the source system and the code', () => {
    const input = structuredClone(fixtureInput('vat-basic')) as any;
    input.lines[1].vatCode = 'Q';
    const { issues } = mapSourceVatCodes(input, dictionary);
    expect(pairs(issues)).toEqual([['VAT_CODE_UNMAPPED', ['lines', 1, 'vatCode']]]);
    expect(issues[0].message.en).toContain('"Q"');
    expect(issues[0].message.en).toContain('"erp"');
    expect(issues[0].message.pl).toContain('słownika "erp"');
  });

  it('VAT_CODE_UNMAPPED when a code is sent by a system without any dictionary', () => {
    const input = { ...structuredClone(fixtureInput('vat-basic')), sourceSystem: 'crm' } as any;
    input.lines[0].vatCode = 'A';
    expect(pairs(mapSourceVatCodes(input, dictionary).issues)).toEqual([['VAT_CODE_UNMAPPED', ['lines', 0, 'vatCode']]]);
  });

  it('passes through shapes it does not understand', () => {
    for (const value of [null, 42, 'text', { lines: 'x' }, { lines: [null, 5, []] }]) {
      expect(mapSourceVatCodes(value, dictionary)).toEqual({ input: value, issues: [] });
    }
  });

  it('rejects a dictionary that maps to something that is not an FA(3) rate', () => {
    expect(() => parseVatDictionary({ erp: { A: '19' } })).toThrow(VatDictionaryError);
    expect(() => parseVatDictionary({ erp: ['23'] })).toThrow(/erp/);
    expect(() => parseVatDictionary('x')).toThrow(VatDictionaryError);
  });

  it('loads from an environment variable', () => {
    expect(vatDictionaryFromEnv({ KSEF_VAT_DICTIONARY: '{"erp":{"A":"23"}}' })).toEqual({ erp: { A: '23' } });
    expect(vatDictionaryFromEnv({})).toEqual({});
    expect(() => vatDictionaryFromEnv({ KSEF_VAT_DICTIONARY: '{' })).toThrow(/not valid JSON/);
  });

  it('validateInvoiceInput: source codes → schema → rules, one issue per unmapped code', async () => {
    const input = structuredClone(fixtureInput('vat-basic')) as any;
    input.lines[0].vatRate = 'A';
    input.lines[1].vatRate = 'C';
    const ok = await validateInvoiceInput(input, { today: TODAY, vatDictionary: dictionary });
    expect(ok.issues).toEqual([]);
    expect(ok.invoice?.lines.map((l) => l.vatRate)).toEqual(['23', '5']);

    input.lines[1].vatRate = 'K';
    const bad = await validateInvoiceInput(input, { today: TODAY, vatDictionary: dictionary });
    expect(bad.valid).toBe(false);
    expect(pairs(bad.issues)).toEqual([['VAT_CODE_UNMAPPED', ['lines', 1, 'vatRate']]]);
    expect(bad.invoice).toBeUndefined();
  });
});

describe('field labels', () => {
  it.each([
    [['lines', 2, 'vatRate'], 'line 3 — VAT rate', 'pozycja 3 — stawka VAT'],
    [['lines', 0], 'line 1', 'pozycja 1'],
    [['advanceInvoices', 1, 'ksefNumber'], 'advance invoice KSeF number (#2)', 'numer KSeF faktury zaliczkowej (nr 2)'],
    [['correction', 'correctedInvoices', 0, 'issueDate'], 'corrected invoice issue date (#1)', 'data wystawienia faktury korygowanej (nr 1)'],
    [['seller', 'nip'], 'seller NIP', 'NIP sprzedawcy'],
    [['somethingNew', 3], 'somethingNew.3', 'somethingNew.3'],
    [[], 'invoice', 'faktura'],
  ])('%j', (path, en, pl) => {
    expect(fieldLabel(path as (string | number)[])).toEqual({ en, pl });
  });
});

describe('RULES catalogue', () => {
  it('describes every code in English and Polish with a severity', () => {
    expect(RULE_CODES.length).toBeGreaterThanOrEqual(40);
    for (const code of RULE_CODES) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(RULES[code].en.length).toBeGreaterThan(10);
      expect(RULES[code].pl.length).toBeGreaterThan(10);
      expect(['error', 'warning']).toContain(RULES[code].severity);
    }
  });

  it('is documented: README lists every code with its English meaning', () => {
    const readme = readFileSync(path.resolve(__dirname, '..', '..', 'domain', 'validation', 'README.md'), 'utf8');
    for (const code of RULE_CODES) expect(readme).toContain(`| \`${code}\` | ${RULES[code].severity} |`);
    for (const code of RULE_CODES) expect(readme).toContain(RULES[code].en);
  });

  it('the README table lists exactly the catalogued codes: none missing, none stale, none twice', () => {
    const readme = readFileSync(path.resolve(__dirname, '..', '..', 'domain', 'validation', 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...RULE_CODES].sort());
  });
});
