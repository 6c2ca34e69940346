import { InvoiceSchema, type Invoice, type InvoiceInput } from '../../domain/invoice';
import {
  RULE_CODES,
  validateInvoice,
  type CounterpartyLookup,
  type IssuePath,
  type RuleCode,
  type ValidationContext,
  type ValidationIssue,
} from '../../domain/validation';
import { fixtureInput, TODAY } from '../fixtures/invoices/load';

/** Codes asserted in this file; the last test checks every catalogued code has a negative case here or in the schema tests. */
const exercised = new Set<RuleCode>();

function variant(name: string, change: (inv: InvoiceInput & Record<string, any>) => void): Invoice {
  const input = structuredClone(fixtureInput(name)) as InvoiceInput & Record<string, any>;
  change(input);
  return InvoiceSchema.parse(input);
}

/** For data that the schema would already refuse: rules must still explain it, not crash. */
function raw(name: string, change: (inv: Record<string, any>) => void): Invoice {
  const input = structuredClone(fixtureInput(name)) as Record<string, any>;
  change(input);
  return input as unknown as Invoice;
}

async function issuesOf(invoice: Invoice, context: Partial<ValidationContext> = {}): Promise<ValidationIssue[]> {
  const result = await validateInvoice(invoice, { today: TODAY, ...context });
  expect(result.valid).toBe(!result.issues.some((i) => i.severity === 'error'));
  for (const i of result.issues) exercised.add(i.code);
  return result.issues;
}

const pairs = (issues: ValidationIssue[]) => issues.map((i) => [i.code, i.path] as [RuleCode, IssuePath]);

async function expectOnly(invoice: Invoice, code: RuleCode, path: IssuePath, context: Partial<ValidationContext> = {}) {
  const issues = await issuesOf(invoice, context);
  expect(pairs(issues)).toEqual([[code, path]]);
  const [issue] = issues;
  expect(issue.field).toBe(path.length ? path.join('.') : '(invoice)');
  expect(issue.message.en.length).toBeGreaterThan(10);
  expect(issue.message.pl.length).toBeGreaterThan(10);
  return issue;
}

describe('NIP', () => {
  it('NIP_CHECKSUM on the seller', async () => {
    const issue = await expectOnly(raw('vat-basic', (i) => (i.seller.nip = '5260001247')), 'NIP_CHECKSUM', ['seller', 'nip']);
    expect(issue.severity).toBe('error');
    expect(issue.message.pl).toContain('NIP sprzedawcy');
  });
  it('NIP_FORMAT on the buyer (too short after removing PL, spaces and dashes)', async () => {
    await expectOnly(raw('vat-basic', (i) => (i.buyer.identifier.nip = 'PL 777-000-00')), 'NIP_FORMAT', ['buyer', 'identifier', 'nip']);
  });
  it('accepts a NIP written with PL prefix, spaces and dashes', async () => {
    const invoice = variant('vat-basic', (i) => ((i.buyer.identifier as { nip: string }).nip = 'pl 777-000-00-05'));
    expect(await issuesOf(invoice)).toEqual([]);
  });
});

describe('third parties and original buyer data', () => {
  it('NIP_CHECKSUM on the second third party points at that entry', async () => {
    const parties = [
      { identifier: { type: 'NIP', nip: '2222222222' }, role: '1' },
      { identifier: { type: 'NIP', nip: '5260001247' }, role: '6' },
    ];
    await expectOnly(raw('vat-basic', (i) => (i.thirdParties = parties)), 'NIP_CHECKSUM', ['thirdParties', 1, 'identifier', 'nip']);
  });
  it('THIRD_PARTY_ROLE_REQUIRED when a third party has no role', async () => {
    await expectOnly(variant('vat-basic', (i) => (i.thirdParties = [{ identifier: { type: 'NIP', nip: '2222222222' }, name: 'Faktor' }])), 'THIRD_PARTY_ROLE_REQUIRED', ['thirdParties', 0, 'role']);
  });
  it('THIRD_PARTY_MISSING_FOR_FLAG when a JST buyer has no role-8 recipient', async () => {
    await expectOnly(variant('vat-basic', (i) => (i.buyer.isLocalGovernmentUnit = true)), 'THIRD_PARTY_MISSING_FOR_FLAG', ['buyer', 'isLocalGovernmentUnit']);
  });
  it('EU_VAT_ID_FORMAT on the buyer data before correction', async () => {
    const issues = await issuesOf(
      variant('kor-value', (i) => (i.correction!.originalBuyers = [{ identifier: { type: 'EU_VAT', countryCode: 'DE', vatNumber: '12345' } }])),
    );
    expect(pairs(issues)).toEqual([['EU_VAT_ID_FORMAT', ['correction', 'originalBuyers', 0, 'identifier', 'vatNumber']]]);
  });
});

describe('EU VAT id', () => {
  it('EU_VAT_ID_FORMAT when the number does not fit the country', async () => {
    await expectOnly(variant('wdt-eu', (i) => ((i.buyer.identifier as any).vatNumber = '12345')), 'EU_VAT_ID_FORMAT', ['buyer', 'identifier', 'vatNumber']);
  });
  it('EU_VAT_ID_FORMAT tells the user to drop a duplicated country prefix', async () => {
    const issue = await expectOnly(variant('wdt-eu', (i) => ((i.buyer.identifier as any).vatNumber = 'DE136695976')), 'EU_VAT_ID_FORMAT', ['buyer', 'identifier', 'vatNumber']);
    expect(issue.message.en).toContain('"136695976"');
  });
  it('EU_VAT_COUNTRY for GR (VAT prefix is EL)', async () => {
    const issue = await expectOnly(variant('wdt-eu', (i) => ((i.buyer.identifier as any).countryCode = 'GR')), 'EU_VAT_COUNTRY', ['buyer', 'identifier', 'countryCode']);
    expect(issue.message.en).toContain('"EL"');
  });
  it('accepts well-formed numbers of several member states', async () => {
    for (const [countryCode, vatNumber] of [['FR', 'AB123456789'], ['NL', '123456789B01'], ['AT', 'U12345678'], ['EL', '123456789']]) {
      const invoice = variant('wdt-eu', (i) => (i.buyer.identifier = { type: 'EU_VAT', countryCode, vatNumber }));
      expect(await issuesOf(invoice)).toEqual([]);
    }
  });
});

describe('required data per invoice type', () => {
  it('CORRECTION_REFERENCE_MISSING when a KOR has no correction data', async () => {
    await expectOnly(raw('kor-value', (i) => delete i.correction), 'CORRECTION_REFERENCE_MISSING', ['correction']);
  });
  it('CORRECTION_REFERENCE_MISSING when a corrected invoice has neither KSeF number nor "issued outside KSeF"', async () => {
    const invoice = variant('kor-zal', (i) => delete i.correction!.correctedInvoices[0].ksefNumber);
    await expectOnly(invoice, 'CORRECTION_REFERENCE_MISSING', ['correction', 'correctedInvoices', 0, 'ksefNumber']);
  });
  it('CORRECTION_REFERENCE_MISSING when both KSeF number and "issued outside KSeF" are given', async () => {
    const invoice = variant('kor-value', (i) => (i.correction!.correctedInvoices[0].issuedOutsideKsef = true));
    await expectOnly(invoice, 'CORRECTION_REFERENCE_MISSING', ['correction', 'correctedInvoices', 0, 'issuedOutsideKsef']);
  });
  it('REQUIRED_FIELD_FOR_TYPE when a ROZ lists no advance invoices', async () => {
    await expectOnly(variant('roz-settlement', (i) => delete i.advanceInvoices), 'REQUIRED_FIELD_FOR_TYPE', ['advanceInvoices']);
  });
  it('REQUIRED_FIELD_FOR_TYPE when an advance invoice reference lacks its KSeF number', async () => {
    await expectOnly(variant('roz-settlement', (i) => delete i.advanceInvoices![0].ksefNumber), 'REQUIRED_FIELD_FOR_TYPE', ['advanceInvoices', 0, 'ksefNumber']);
  });
  it('REQUIRED_FIELD_FOR_TYPE when a UPR buyer has no NIP', async () => {
    await expectOnly(variant('upr-simplified', (i) => (i.buyer.identifier = { type: 'NONE' })), 'REQUIRED_FIELD_FOR_TYPE', ['buyer', 'identifier']);
  });
  it('REQUIRED_FIELD_FOR_TYPE when a VAT invoice has no lines (only a KOR may have none)', async () => {
    await expectOnly(variant('vat-basic', (i) => { i.lines = []; delete i.grossAmount; }), 'REQUIRED_FIELD_FOR_TYPE', ['lines']);
  });
  it('FIELD_NOT_ALLOWED_FOR_TYPE when a VAT invoice carries correction data', async () => {
    const invoice = variant('vat-basic', (i) => (i.correction = fixtureInput('kor-value').correction));
    const issue = await expectOnly(invoice, 'FIELD_NOT_ALLOWED_FOR_TYPE', ['correction']);
    expect(issue.severity).toBe('warning');
  });
  it('FIELD_NOT_ALLOWED_FOR_TYPE (error) for a "before correction" line on a VAT invoice', async () => {
    const invoice = variant('exempt-zw', (i) => i.lines.push({ ...i.lines[0], beforeCorrection: true }));
    const issues = await issuesOf(invoice);
    expect(pairs(issues)).toContainEqual(['FIELD_NOT_ALLOWED_FOR_TYPE', ['lines', 1, 'beforeCorrection']]);
    expect(issues.find((i) => i.code === 'FIELD_NOT_ALLOWED_FOR_TYPE')?.severity).toBe('error');
  });
  it('SIMPLIFIED_INVOICE_LIMIT above 450 PLN gross', async () => {
    const invoice = variant('upr-simplified', (i) => {
      i.lines[0] = { ...i.lines[0], unitNetPrice: '365.86', netAmount: '365.86' };
      i.grossAmount = '450.01';
    });
    await expectOnly(invoice, 'SIMPLIFIED_INVOICE_LIMIT', ['grossAmount']);
  });
  it('SIMPLIFIED_INVOICE_LIMIT above 100 EUR for a EUR invoice', async () => {
    const invoice = variant('upr-simplified', (i) => {
      i.currency = 'EUR';
      i.exchangeRate = '4.25';
      i.lines[0] = { ...i.lines[0], unitNetPrice: '81.31', netAmount: '81.31' };
      i.grossAmount = '100.01';
    });
    await expectOnly(invoice, 'SIMPLIFIED_INVOICE_LIMIT', ['grossAmount']);
  });
  it('SIMPLIFIED_INVOICE_NOT_ALLOWED for a reverse-charge line on UPR', async () => {
    const invoice = variant('upr-simplified', (i) => {
      i.reverseCharge = true;
      i.lines[0].vatRate = 'oo';
      i.grossAmount = '365.85';
    });
    await expectOnly(invoice, 'SIMPLIFIED_INVOICE_NOT_ALLOWED', ['lines', 0, 'vatRate']);
  });
  it('ADVANCE_AMOUNT_INVALID when the advance exceeds the order value', async () => {
    await expectOnly(variant('zal-advance', (i) => (i.grossAmount = '10476.01')), 'ADVANCE_AMOUNT_INVALID', ['grossAmount']);
  });
  it('TOTAL_MISMATCH when a ROZ asks for more than the lines are worth', async () => {
    await expectOnly(variant('roz-settlement', (i) => (i.grossAmount = '10476.01')), 'TOTAL_MISMATCH', ['grossAmount']);
  });
});

describe('VAT rates', () => {
  it('VAT_RATE_UNKNOWN for a rate KSeF does not know', async () => {
    await expectOnly(raw('vat-basic', (i) => (i.lines[1].vatRate = '6')), 'VAT_RATE_UNKNOWN', ['lines', 1, 'vatRate']);
  });
  it('VAT_CODE_UNMAPPED names the system and the code', async () => {
    const issue = await expectOnly(raw('vat-basic', (i) => (i.lines[1].vatRate = 'B9')), 'VAT_CODE_UNMAPPED', ['lines', 1, 'vatRate'], {
      vatDictionary: { erp: { A: '23', B: '8' } },
    });
    expect(issue.message.en).toContain('"erp"');
    expect(issue.message.en).toContain('"B9"');
  });
  it('VAT_RATE_HISTORIC warns about 22 % on a new invoice', async () => {
    const invoice = variant('exempt-zw', (i) => {
      i.lines.push({ name: 'Materiały', quantity: '1', unitNetPrice: '10.00', netAmount: '10.00', vatRate: '22' });
      i.grossAmount = '3262.20';
    });
    const issue = await expectOnly(invoice, 'VAT_RATE_HISTORIC', ['lines', 1, 'vatRate']);
    expect(issue.severity).toBe('warning');
  });
  it('EXEMPTION_BASIS_REQUIRED for a zw line without legal basis', async () => {
    await expectOnly(variant('exempt-zw', (i) => delete i.exemption), 'EXEMPTION_BASIS_REQUIRED', ['exemption']);
  });
  it('EXEMPTION_WITHOUT_EXEMPT_LINE warns when the basis has nothing to apply to', async () => {
    const invoice = variant('vat-basic', (i) => (i.exemption = { basis: 'ACT', text: 'art. 43 ust. 1 pkt 37' }));
    await expectOnly(invoice, 'EXEMPTION_WITHOUT_EXEMPT_LINE', ['exemption']);
  });
  it('REVERSE_CHARGE_RATE for an "oo" line without the reverse-charge annotation', async () => {
    await expectOnly(variant('reverse-charge', (i) => (i.reverseCharge = false)), 'REVERSE_CHARGE_RATE', ['lines', 0, 'vatRate']);
  });
  it('REVERSE_CHARGE_RATE for the annotation without any "oo" line', async () => {
    await expectOnly(variant('vat-basic', (i) => (i.reverseCharge = true)), 'REVERSE_CHARGE_RATE', ['reverseCharge']);
  });
  it('WDT_BUYER_EU_VAT when a 0 WDT line goes to a buyer identified by NIP', async () => {
    const invoice = variant('wdt-eu', (i) => (i.buyer.identifier = { type: 'NIP', nip: '7770000005' }));
    await expectOnly(invoice, 'WDT_BUYER_EU_VAT', ['lines', 0, 'vatRate']);
  });
});

describe('totals', () => {
  it('LINE_NET_MISMATCH when net ≠ quantity × unit price beyond 0.01', async () => {
    const invoice = variant('vat-eur', (i) => {
      i.lines[1].netAmount = '500.02';
      i.grossAmount = '2460.02';
    });
    await expectOnly(invoice, 'LINE_NET_MISMATCH', ['lines', 1, 'netAmount']);
  });
  it('tolerates a 0.01 difference from rounding in a line', async () => {
    const invoice = variant('vat-eur', (i) => {
      i.lines[1] = { ...i.lines[1], quantity: '3', unitNetPrice: '0.333', netAmount: '1.01' };
      i.grossAmount = '1846.24';
    });
    expect(pairs(await issuesOf(invoice))).toEqual([]);
  });
  it('accepts a line discount (P_10) read as the line total or per unit, as MF example 04 does', async () => {
    expect(pairs(await issuesOf(fixtureInvoice('vat-discount')))).toEqual([]);
    const perUnit = variant('vat-discount', (i) => {
      i.lines[0] = { ...i.lines[0], quantity: '20', unitNetPrice: '1000', discount: '100', netAmount: '18000.00' };
      i.grossAmount = '22213.80';
      i.splitPayment = true;
    });
    expect(pairs(await issuesOf(perUnit))).toEqual([]);
  });
  it('LINE_NET_MISMATCH when the discount explains neither reading of the net value', async () => {
    const issue = await expectOnly(variant('vat-discount', (i) => (i.lines[0].discount = '20.00')), 'LINE_NET_MISMATCH', ['lines', 0, 'netAmount']);
    expect(issue.message.en).toContain('discount 20.00');
    expect(issue.message.pl).toContain('opust 20,00');
  });
  it('FIELD_NOT_ALLOWED_FOR_TYPE for a discount on an advance invoice order row (Zamowienie has no P_10)', async () => {
    const invoice = variant('zal-advance', (i) => (i.lines[0].discount = '0.00'));
    const issue = await expectOnly(invoice, 'FIELD_NOT_ALLOWED_FOR_TYPE', ['lines', 0, 'discount']);
    expect(issue.severity).toBe('warning');
  });
  it('TOTAL_MISMATCH when the gross total disagrees with the lines', async () => {
    const issue = await expectOnly(variant('vat-basic', (i) => (i.grossAmount = '1600.00')), 'TOTAL_MISMATCH', ['grossAmount']);
    expect(issue.message.en).toContain('1,589.67');
    expect(issue.message.pl).toContain('1\u00a0589,67');
  });
  it('TOTAL_ROUNDING_DIFFERENCE (warning) for a one-grosz difference', async () => {
    const issue = await expectOnly(variant('vat-basic', (i) => (i.grossAmount = '1589.68')), 'TOTAL_ROUNDING_DIFFERENCE', ['grossAmount']);
    expect(issue.severity).toBe('warning');
  });
  it('TOTAL_MISMATCH for a correction whose gross ignores the "before" lines', async () => {
    await expectOnly(variant('kor-value', (i) => (i.grossAmount = '1230.00')), 'TOTAL_MISMATCH', ['grossAmount']);
  });
});

describe('currency', () => {
  it('CURRENCY_RATE_REQUIRED for EUR without exchange rate', async () => {
    await expectOnly(variant('vat-eur', (i) => delete i.exchangeRate), 'CURRENCY_RATE_REQUIRED', ['exchangeRate']);
  });
  it('CURRENCY_RATE_NOT_ALLOWED for PLN with an exchange rate', async () => {
    await expectOnly(variant('vat-basic', (i) => (i.exchangeRate = '1.0000')), 'CURRENCY_RATE_NOT_ALLOWED', ['exchangeRate']);
  });
  it('CURRENCY_RATE_INVALID for a zero rate', async () => {
    await expectOnly(variant('vat-eur', (i) => (i.exchangeRate = '0.0000')), 'CURRENCY_RATE_INVALID', ['exchangeRate']);
  });
});

describe('dates', () => {
  it('DATE_IN_FUTURE for an issue date after today', async () => {
    const issue = await expectOnly(fixtureInvoice('vat-basic'), 'DATE_IN_FUTURE', ['issueDate'], { today: '2026-03-09' });
    expect(issue.message.en).toContain('2026-03-09');
  });
  it('DATE_IN_FUTURE for a payment recorded in the future', async () => {
    await expectOnly(variant('upr-simplified', (i) => (i.payment!.paidOn = '2026-07-01')), 'DATE_IN_FUTURE', ['payment', 'paidOn']);
  });
  it('DATE_OUT_OF_RANGE for a corrected invoice dated before 2006', async () => {
    const invoice = variant('kor-buyer-data', (i) => (i.correction!.correctedInvoices[0].issueDate = '2005-12-31'));
    await expectOnly(invoice, 'DATE_OUT_OF_RANGE', ['correction', 'correctedInvoices', 0, 'issueDate']);
  });
  it('DATE_ORDER for a payment due before the issue date', async () => {
    await expectOnly(variant('vat-basic', (i) => (i.payment!.dueDate = '2026-03-09')), 'DATE_ORDER', ['payment', 'dueDate']);
  });
  it('DATE_ORDER for a corrected invoice issued after its correction', async () => {
    const invoice = variant('kor-value', (i) => (i.correction!.correctedInvoices[0].issueDate = '2026-03-21'));
    await expectOnly(invoice, 'DATE_ORDER', ['correction', 'correctedInvoices', 0, 'issueDate']);
  });
  it('SALE_DATE_RANGE for a sale more than 60 days after the invoice', async () => {
    await expectOnly(variant('vat-basic', (i) => (i.saleDate = '2026-05-10')), 'SALE_DATE_RANGE', ['saleDate']);
  });
  it('SALE_DATE_RANGE for an invoice issued after the 15th of the month following the sale', async () => {
    await expectOnly(variant('vat-basic', (i) => (i.saleDate = '2026-01-31')), 'SALE_DATE_RANGE', ['saleDate']);
  });
});

describe('split payment', () => {
  it('SPLIT_PAYMENT_THRESHOLD (warning) at ≥ 15 000 PLN gross without MPP', async () => {
    const issue = await expectOnly(variant('split-payment', (i) => (i.splitPayment = false)), 'SPLIT_PAYMENT_THRESHOLD', ['splitPayment']);
    expect(issue.severity).toBe('warning');
  });
  it('converts foreign currency to PLN before comparing with the threshold', async () => {
    const invoice = variant('vat-eur', (i) => (i.exchangeRate = '6.1000'));
    await expectOnly(invoice, 'SPLIT_PAYMENT_THRESHOLD', ['splitPayment']);
  });
});

describe('counterparty lookup', () => {
  const lookup = (impl: CounterpartyLookup['findByNip']): CounterpartyLookup => ({ findByNip: impl });
  it('COUNTERPARTY_UNKNOWN when the register has no such NIP', async () => {
    await expectOnly(fixtureInvoice('vat-basic'), 'COUNTERPARTY_UNKNOWN', ['buyer', 'identifier', 'nip'], { counterparties: lookup(async () => null) });
  });
  it('COUNTERPARTY_INACTIVE for a buyer removed from the VAT register', async () => {
    await expectOnly(fixtureInvoice('vat-basic'), 'COUNTERPARTY_INACTIVE', ['buyer', 'identifier', 'nip'], {
      counterparties: lookup(async (nip) => ({ nip, vatStatus: 'REMOVED' })),
    });
  });
  it('COUNTERPARTY_LOOKUP_FAILED when the register is down, without failing validation', async () => {
    const invoice = fixtureInvoice('vat-basic');
    const issue = await expectOnly(invoice, 'COUNTERPARTY_LOOKUP_FAILED', ['buyer', 'identifier', 'nip'], {
      counterparties: lookup(async () => {
        throw new Error('connection refused');
      }),
    });
    expect(issue.severity).toBe('warning');
  });
  it('passes the normalised NIP to the lookup and accepts an active buyer', async () => {
    const seen: string[] = [];
    const issues = await issuesOf(fixtureInvoice('vat-basic'), { counterparties: lookup(async (nip) => (seen.push(nip), { nip, active: true, vatStatus: 'ACTIVE' })) });
    expect(issues).toEqual([]);
    expect(seen).toEqual(['7770000005']);
  });
  it('INTERNAL_RULE_ERROR when a rule itself blows up (here: a broken lookup record)', async () => {
    const broken = lookup(async () => ({ nip: 'x', get active(): boolean { throw new Error('boom'); } }));
    const issues = await issuesOf(fixtureInvoice('vat-basic'), { counterparties: broken });
    expect(pairs(issues)).toEqual([['INTERNAL_RULE_ERROR', []]]);
    expect(issues[0].field).toBe('(invoice)');
  });
});

describe('text and XML', () => {
  it('TEXT_INVALID_CHARACTER names the field holding a control character', async () => {
    await expectOnly(variant('vat-basic', (i) => (i.lines[0].name = 'Kabel\u0007YDY')), 'TEXT_INVALID_CHARACTER', ['lines', 0, 'name']);
  });
  it('INVOICE_NUMBER_CONFUSABLE for a Cyrillic letter among Latin ones, and for an invisible character', async () => {
    const mixed = await expectOnly(variant('vat-basic', (i) => (i.invoiceNumber = 'SEC/XSYS-56d35\u0430')), 'INVOICE_NUMBER_CONFUSABLE', ['invoiceNumber']);
    expect(mixed.message.en).toContain('Latin + Cyrillic');
    const zeroWidth = await expectOnly(variant('vat-basic', (i) => (i.invoiceNumber = 'FV/2026\u200B/1')), 'INVOICE_NUMBER_CONFUSABLE', ['invoiceNumber']);
    expect(zeroWidth.message.en).toContain('U+200B at position 8');
    // One script throughout, or spaces of any kind (they are compared as one space), are fine.
    expect(await issuesOf(variant('vat-basic', (i) => (i.invoiceNumber = 'ФВ/2026/1')))).toEqual([]);
    expect(await issuesOf(variant('vat-basic', (i) => (i.invoiceNumber = 'FV\u00A02026/1')))).toEqual([]);
  });
  it('XSD_INVALID with the model field of the offending FA(3) element', async () => {
    const issue = await expectOnly(variant('vat-eur', (i) => (i.currency = 'ABC')), 'XSD_INVALID', ['currency'], { xsd: true });
    expect(issue.message.en).toContain('<KodWaluty>');
  });
  it('XML_BUILD_FAILED when the XML cannot be built', async () => {
    await expectOnly(fixtureInvoice('vat-basic'), 'XML_BUILD_FAILED', [], { xsd: { generatedAt: new Date('2020-01-01T00:00:00Z') } });
  });
  it('skips the XSD step when an earlier rule already found an error', async () => {
    const invoice = variant('vat-eur', (i) => {
      i.currency = 'ABC';
      delete i.exchangeRate;
    });
    expect(pairs(await issuesOf(invoice, { xsd: true }))).toEqual([['CURRENCY_RATE_REQUIRED', ['exchangeRate']]]);
  });
});

describe('entry point', () => {
  it('refuses a context without an ISO "today" rather than guessing the clock', async () => {
    await expect(validateInvoice(fixtureInvoice('vat-basic'), { today: '30.06.2026' })).rejects.toThrow(/today/);
  });
  it('is deterministic for the same input and context', async () => {
    const invoice = variant('vat-basic', (i) => (i.grossAmount = '1.00'));
    const a = await validateInvoice(invoice, { today: TODAY });
    const b = await validateInvoice(invoice, { today: TODAY });
    expect(a).toEqual(b);
    expect(a.valid).toBe(false);
  });
  it('reports every problem at once', async () => {
    const invoice = variant('vat-basic', (i) => {
      i.grossAmount = '1.00';
      i.payment!.dueDate = '2026-01-01';
      i.exchangeRate = '4.0';
    });
    expect(pairs(await issuesOf(invoice)).map(([c]) => c).sort()).toEqual(['CURRENCY_RATE_NOT_ALLOWED', 'DATE_ORDER', 'TOTAL_MISMATCH']);
  });
});

function fixtureInvoice(name: string): Invoice {
  return InvoiceSchema.parse(fixtureInput(name));
}

describe('coverage of the rule catalogue', () => {
  it('every business rule code has a negative case above (SCHEMA_* are covered in validation-schema.test.ts)', () => {
    const missing = RULE_CODES.filter((c) => !c.startsWith('SCHEMA_') && !exercised.has(c));
    expect(missing).toEqual([]);
  });
});
