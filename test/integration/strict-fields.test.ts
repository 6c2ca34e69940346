/**
 * Issue #16 item 4 on the real stack: a misspelled or unknown field in the invoice JSON
 * (`splitPaymnet: true`) was dropped silently, so split payment was lost on an accepted invoice. Now
 * it is 422 SCHEMA_UNKNOWN_FIELD naming the field's path, at every level of the model, nothing stored;
 * a source system listed in UNKNOWN_FIELDS_LENIENT_SOURCE_SYSTEMS (old integrations) gets the field
 * dropped with a warning naming it instead.
 */
import { ConfigError, loadConfig } from '../../config';
import { invoiceWorkflowId, registryIdFor } from '../../domain/identity';
import { sampleInvoice, SELLER_NIP } from '../support/invoices';
import { startStack, type TestStack } from '../support/stack';

describe('unknown invoice fields are refused (default) or dropped with a warning (lenient source system)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ lenientSourceSystems: ['legacy-erp'] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function nothingStored(sourceSystem: string, invoiceNumber: string) {
    const workflowId = invoiceWorkflowId(SELLER_NIP, sourceSystem, invoiceNumber);
    expect(await stack.prisma.invoice.findUnique({ where: { id: registryIdFor(workflowId) } })).toBeNull();
    await expect(stack.temporal.workflow.getHandle(workflowId).describe()).rejects.toThrow(/not found/i);
  }

  it('splitPaymnet (misspelled) → 422 SCHEMA_UNKNOWN_FIELD at ["splitPaymnet"], nothing stored, no workflow', async () => {
    const invoice = { ...sampleInvoice(), splitPaymnet: true };
    const res = await stack.api('/api/v1/invoices', { body: invoice });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('SCHEMA_UNKNOWN_FIELD');
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: ['splitPaymnet'], field: 'splitPaymnet', code: 'SCHEMA_UNKNOWN_FIELD', message: expect.stringContaining('"splitPaymnet" is not a field') }),
    ]);
    await nothingStored('erp', invoice.invoiceNumber!);
  });

  it('names unknown fields at every level: line, party address, buyer identifier, payment, note', async () => {
    const invoice = sampleInvoice() as Record<string, any>;
    invoice.lines[1].vatCod = 'A';
    invoice.seller.address.zip = '00-001';
    invoice.buyer.identifier.checksum = 1;
    invoice.payment.iban = 'PL61109010140000071219812874';
    invoice.notes = [{ key: 'a', value: 'b', lang: 'pl' }];
    const res = await stack.api('/api/v1/invoices', { body: invoice });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string; code: string }) => [e.code, e.field]).sort()).toEqual(
      [
        ['SCHEMA_UNKNOWN_FIELD', 'buyer.identifier.checksum'],
        ['SCHEMA_UNKNOWN_FIELD', 'lines.1.vatCod'],
        ['SCHEMA_UNKNOWN_FIELD', 'notes.0.lang'],
        ['SCHEMA_UNKNOWN_FIELD', 'payment.iban'],
        ['SCHEMA_UNKNOWN_FIELD', 'seller.address.zip'],
      ].sort(),
    );
    await nothingStored('erp', invoice.invoiceNumber);
  });

  it('an unknown field next to a malformed one is still 422, listing both', async () => {
    const invoice = { ...sampleInvoice(), issueDate: '20.11.2026', splitPaymnet: true };
    const res = await stack.api('/api/v1/invoices', { body: invoice });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { code: string; field: string }) => [e.code, e.field]).sort()).toEqual([
      ['SCHEMA_FORMAT', 'issueDate'],
      ['SCHEMA_UNKNOWN_FIELD', 'splitPaymnet'],
    ]);
  });

  it('the correctly spelled splitPayment is kept all the way to the registry', async () => {
    const res = await stack.api('/api/v1/invoices', { body: sampleInvoice({ splitPayment: true }) });
    expect(res.status).toBe(202);
    expect(res.body.warnings).toBeUndefined();
    const row = await stack.prisma.invoice.findUniqueOrThrow({ where: { id: res.body.id } });
    expect((row.payload as { splitPayment: boolean }).splitPayment).toBe(true);
  });

  it('a lenient source system has unknown fields dropped, each named in a warning of the 202; default systems stay strict', async () => {
    const invoice = { ...sampleInvoice({ sourceSystem: 'legacy-erp' }), erpInternalId: 'X-991' } as Record<string, any>;
    invoice.lines[0].costCenter = 'K-12';
    const res = await stack.api('/api/v1/invoices', { body: invoice });
    expect(res.status).toBe(202);
    expect(res.body.warnings.map((w: { code: string; field: string }) => [w.code, w.field]).sort()).toEqual([
      ['SCHEMA_UNKNOWN_FIELD', 'erpInternalId'],
      ['SCHEMA_UNKNOWN_FIELD', 'lines.0.costCenter'],
    ]);
    const row = await stack.prisma.invoice.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.payload).not.toHaveProperty('erpInternalId');
    expect((row.payload as { lines: object[] }).lines[0]).not.toHaveProperty('costCenter');
    // Leniency is per source system: the same payload from "erp" is refused.
    const strict = await stack.api('/api/v1/invoices', { body: { ...invoice, sourceSystem: 'erp' } });
    expect([strict.status, strict.body.code]).toEqual([422, 'SCHEMA_UNKNOWN_FIELD']);
    // Business rules still apply to what is left.
    const broken = { ...invoice, invoiceNumber: `${invoice.invoiceNumber}-2`, grossAmount: '1.00' };
    const refused = await stack.api('/api/v1/invoices', { body: broken });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e: { code: string }) => e.code)).toEqual(['TOTAL_MISMATCH']);
  });

  it('the switch is validated configuration, strict by default', () => {
    const base = { NODE_ENV: 'test' };
    expect(loadConfig(base).validation.lenientSourceSystems).toEqual([]);
    expect(loadConfig({ ...base, UNKNOWN_FIELDS_LENIENT_SOURCE_SYSTEMS: ' legacy-erp, old_crm ' }).validation.lenientSourceSystems).toEqual(['legacy-erp', 'old_crm']);
    expect(() => loadConfig({ ...base, UNKNOWN_FIELDS_LENIENT_SOURCE_SYSTEMS: 'Legacy ERP' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, UNKNOWN_FIELDS_LENIENT_SOURCE_SYSTEMS: 'Legacy ERP' })).toThrow(/UNKNOWN_FIELDS_LENIENT_SOURCE_SYSTEMS/);
  });
});
