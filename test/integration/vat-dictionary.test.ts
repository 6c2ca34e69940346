/**
 * The per-source-system VAT dictionary (KSEF_VAT_DICTIONARY) at the real submit endpoint: a source
 * system's own codes (in `vatCode` or in `vatRate`) become FA(3) rates before validation, the registry
 * stores and KSeF receives the FA(3) rate, and a code without a mapping is a clear error naming the
 * system and the code — nothing stored.
 */
import { parseVatDictionary } from '../../domain/validation';
import type { InvoiceWorkflowState } from '../../workflows/contracts';
import { sampleInvoice } from '../support/invoices';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ vatDictionary: parseVatDictionary({ erp: { A: '23', B: '8', V05: '5', ZW: 'zw' } }) });
});
afterAll(async () => {
  await stack?.stop();
});

describe('per-source-system VAT dictionary at POST /api/v1/invoices', () => {
  it("maps the source system's codes to FA(3) rates: stored in the registry and sent to KSeF as FA(3)", async () => {
    const base = sampleInvoice();
    const invoice = { ...base, lines: [{ ...base.lines[0], vatRate: undefined, vatCode: 'A' }, { ...base.lines[1], vatRate: 'V05' }] } as unknown as typeof base;
    const res = await stack.api('/api/v1/invoices', { body: invoice });
    expect(res.status).toBe(202);
    const done = (await stack.temporal.workflow.getHandle(res.body.workflowId).result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    const row = await stack.prisma.invoice.findUniqueOrThrow({ where: { id: res.body.id } });
    expect((row.payload as { lines: Array<{ vatRate: string; vatCode?: string }> }).lines.map((l) => [l.vatRate, l.vatCode])).toEqual([
      ['23', undefined],
      ['5', undefined],
    ]);
    const record = [...stack.simulator.state.invoices.values()].find((r) => r.content?.toString('utf8').includes(`<P_2>${invoice.invoiceNumber}</P_2>`));
    expect([...record!.content!.toString('utf8').matchAll(/<P_12>([^<]+)<\/P_12>/g)].map((m) => m[1])).toEqual(['23', '5']);
  });

  it('answers an unmapped code, or a vatCode from a system without a dictionary, with VAT_CODE_UNMAPPED at the line, and stores nothing', async () => {
    const before = await stack.prisma.invoice.count();
    const base = sampleInvoice();
    const unmapped = await stack.api('/api/v1/invoices', { body: { ...base, lines: [base.lines[0], { ...base.lines[1], vatCode: 'Q7' }] } });
    expect(unmapped.status).toBe(400);
    expect(unmapped.body.errors).toEqual([expect.objectContaining({ code: 'VAT_CODE_UNMAPPED', path: ['lines', 1, 'vatCode'], field: 'lines.1.vatCode' })]);
    expect(unmapped.body.errors[0].message).toContain('"Q7"');
    expect(unmapped.body.errors[0].message).toContain('"erp"');
    expect(unmapped.body.errors[0].messagePl).toContain('"erp"');

    const other = sampleInvoice({ sourceSystem: 'crm' });
    const noDictionary = await stack.api('/api/v1/invoices', { body: { ...other, lines: [{ ...other.lines[0], vatRate: undefined, vatCode: 'A' }, other.lines[1]] } });
    expect(noDictionary.status).toBe(400);
    expect(noDictionary.body.errors).toEqual([expect.objectContaining({ code: 'VAT_CODE_UNMAPPED', path: ['lines', 0, 'vatCode'] })]);
    expect(noDictionary.body.errors[0].message).toContain('"crm"');
    // Without a dictionary for the system, a non-FA(3) value in vatRate is simply not a KSeF rate.
    const asRate = await stack.api('/api/v1/invoices', { body: { ...other, lines: [{ ...other.lines[0], vatRate: 'A' }, other.lines[1]] } });
    expect(asRate.body.errors).toEqual([expect.objectContaining({ code: 'VAT_RATE_UNKNOWN', path: ['lines', 0, 'vatRate'] })]);
    expect(await stack.prisma.invoice.count()).toBe(before);
  });
});
