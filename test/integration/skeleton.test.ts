import { WorkflowNotFoundError } from '@temporalio/client';
import { invoiceWorkflowId } from '../../domain/identity';
import { sampleInvoice, SELLER_NIP } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function ledger() {
  const response = await fetch(`${stack.simulatorRootUrl}/_sim/ledger`);
  return (await response.json()) as { accepted: Array<{ ksefNumber: string; invoiceNumber: string; sellerNip: string }> };
}

async function waitForStatus(id: string, status: string) {
  return eventually(async () => {
    const res = await stack.api(`/api/v1/invoices/${id}`);
    return res.status === 200 && res.body.status === status ? res.body : undefined;
  });
}

describe('walking skeleton: one invoice end to end on real infrastructure', () => {
  it('accepts a submitted invoice, sends it to the simulator and shows its KSeF number', async () => {
    const invoice = sampleInvoice();
    const submit = await stack.api('/api/v1/invoices', { body: invoice });
    expect(submit.status).toBe(202);
    expect(submit.body.workflowId).toBe(invoiceWorkflowId(SELLER_NIP, 'erp', invoice.invoiceNumber));

    const done = await waitForStatus(submit.body.id, 'ACCEPTED');
    expect(done.ksefNumber).toMatch(/^5260001246-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/);
    expect(done.workflowId).toBe(submit.body.workflowId);
    expect(done.grossAmount).toBe('1950.00');

    const inLedger = (await ledger()).accepted.filter((i) => i.invoiceNumber === invoice.invoiceNumber);
    expect(inLedger).toHaveLength(1);
    expect(inLedger[0].ksefNumber).toBe(done.ksefNumber);

    // The process owner filters the Temporal UI by these attributes.
    const description = await stack.temporal.workflow.getHandle(submit.body.workflowId).describe();
    expect(description.searchAttributes).toMatchObject({
      KsefStatus: ['ACCEPTED'],
      SourceSystem: ['erp'],
      SellerNip: [SELLER_NIP],
      InvoiceType: ['VAT'],
      GrossAmount: [1950],
    });
  });

  it('starts one workflow when the same invoice is submitted twice', async () => {
    const invoice = sampleInvoice();
    const [first, second] = await Promise.all([stack.api('/api/v1/invoices', { body: invoice }), stack.api('/api/v1/invoices', { body: invoice })]);
    expect([first.status, second.status].sort()).toEqual([200, 202].sort());
    expect(first.body.id).toBe(second.body.id);
    await waitForStatus(first.body.id, 'ACCEPTED');
    const third = await stack.api('/api/v1/invoices', { body: invoice });
    expect(third.status).toBe(200);
    expect(third.body.created).toBe(false);

    const runs = await stack.temporal.workflow.list({ query: `WorkflowId = '${first.body.workflowId}'` });
    let count = 0;
    for await (const _ of runs) count += 1;
    expect(count).toBe(1);
    expect((await ledger()).accepted.filter((i) => i.invoiceNumber === invoice.invoiceNumber)).toHaveLength(1);
  });

  it('refuses different content under an existing number with 409 and says how to correct', async () => {
    const invoice = sampleInvoice();
    const first = await stack.api('/api/v1/invoices', { body: invoice });
    expect(first.status).toBe(202);
    const changed = { ...invoice, lines: [{ ...invoice.lines![0], quantity: '11', netAmount: '1650.00' }] };
    const conflict = await stack.api('/api/v1/invoices', { body: changed });
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('content-type')).toContain('application/problem+json');
    expect(conflict.body.code).toBe('INVOICE_CONFLICT');
    expect(conflict.body.detail).toContain('correct');
  });

  it('answers bad JSON and missing fields with 400 problem+json naming the field, storing nothing', async () => {
    const before = await stack.prisma.invoice.count();
    const malformed = await stack.api('/api/v1/invoices', { rawBody: '{"sourceSystem": "erp",' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
    expect(malformed.body.code).toBe('MALFORMED_JSON');

    const invoice = sampleInvoice();
    const { seller: _seller, ...withoutSeller } = invoice;
    const missing = await stack.api('/api/v1/invoices', { body: withoutSeller });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('VALIDATION_FAILED');
    expect(missing.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'seller', path: ['seller'], code: 'SCHEMA_REQUIRED', message: 'Seller: is required.', messagePl: 'Sprzedawca: jest wymagane.' })]));

    const badNip = await stack.api('/api/v1/invoices', { body: { ...invoice, seller: { ...invoice.seller, nip: '5260001247' } } });
    expect(badNip.status).toBe(400);
    expect(badNip.body.errors[0]).toMatchObject({ field: 'seller.nip', path: ['seller', 'nip'], code: 'NIP_CHECKSUM' });
    expect(badNip.body.errors[0].message).toContain('NIP');

    // Well-formed but against the rules (line net ≠ quantity × price): 422, also nothing stored.
    const badTotals = await stack.api('/api/v1/invoices', { body: { ...invoice, lines: [{ ...invoice.lines![0], netAmount: '1499.00' }] } });
    expect(badTotals.status).toBe(422);
    expect(badTotals.body.code).toBe('BUSINESS_RULES_FAILED');
    expect(badTotals.body.errors[0]).toMatchObject({ code: 'LINE_NET_MISMATCH', path: ['lines', 0, 'netAmount'] });

    expect(await stack.prisma.invoice.count()).toBe(before);
    // No workflow was started for the refused submission.
    await expect(stack.temporal.workflow.getHandle(invoiceWorkflowId(SELLER_NIP, 'erp', invoice.invoiceNumber)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });

  it('answers unknown ids and routes with problem+json', async () => {
    const unknown = await stack.api('/api/v1/invoices/00000000-0000-5000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('INVOICE_NOT_FOUND');
    const invalid = await stack.api('/api/v1/invoices/not-an-id');
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('INVALID_ID');
    const route = await stack.api('/api/v1/nothing-here');
    expect(route.status).toBe(404);
    expect(route.body.code).toBe('ROUTE_NOT_FOUND');
  });

  it('reports health and readiness of every dependency', async () => {
    const health = await stack.api('/healthz');
    expect(health.status).toBe(200);
    const ready = await stack.api('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
      ['database', true],
      ['temporal', true],
      ['worker', true],
      ['ksef', true],
    ]);
  });
});
