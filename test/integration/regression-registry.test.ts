/**
 * The registry end of the regression chain: every fixture type, submitted through the API, reaches
 * ACCEPTED with a KSeF number from the simulator. Corrections (KOR, KOR_ZAL, KOR_ROZ) and the
 * settlement (ROZ) reference invoices by KSeF numbers that are fixture data, not earlier runs: the
 * simulator runs with requireCorrectedInvoiceInLedger: false so the references are taken as given
 * (the validation suite, test/unit/regression-invoices.test.ts, checks their shape). A correction of
 * an invoice issued outside KSeF (kor-buyer-data) waits for an approver by the correction checklist;
 * the test releases it as an approver would. vat-third-parties carries Podmiot3 (JST recipient, factor, other role),
 * kor-buyer-data a Podmiot2K buyer-data correction without lines.
 */
import { randomUUID } from 'node:crypto';
import { FIXTURE_NAMES, fixture, fixtureInput } from '../fixtures/invoices/load';
import { freshDatabase } from '../support/fresh-database';
import { eventually, startStack, type TestStack } from '../support/stack';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let stack: TestStack;
beforeAll(async () => {
  // A database of its own: approval rules other test files create (by buyer, by type) would hold some fixtures.
  db = await freshDatabase();
  stack = await startStack({ databaseUrl: db.url, simulator: { requireCorrectedInvoiceInLedger: false } });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await db?.drop();
});

describe('regression fixtures through the API to the registry', () => {
  it('covers every fixture', () => {
    expect(FIXTURE_NAMES.length).toBeGreaterThanOrEqual(12);
  });

  it.each(FIXTURE_NAMES)('%s reaches ACCEPTED with a KSeF number', async (name) => {
    const input = fixtureInput(name);
    // A fresh number per run: the registry and KSeF refuse the same number twice.
    const invoice = { ...input, invoiceNumber: `${input.invoiceNumber}/${randomUUID().slice(0, 8)}` };
    const submit = await stack.api('/api/v1/invoices', { body: invoice, as: 'sender' });
    expect({ status: submit.status, body: submit.status === 202 ? 'ok' : submit.body }).toEqual({ status: 202, body: 'ok' });
    let last: Record<string, unknown> = {};
    let approved = false;
    const done = await eventually(async () => {
      last = (await stack.api(`/api/v1/invoices/${submit.body.id}`)).body;
      if (last.status === 'AWAITING_APPROVAL' && !approved) {
        const approve = await stack.api(`/api/v1/invoices/${submit.body.id}/actions/approve`, { body: { note: 'regression run' }, as: 'approver' });
        approved = approve.status < 300;
      }
      return last.status === 'ACCEPTED' || ['REJECTED', 'FAILED', 'CANCELLED'].includes(last.status as string) ? last : undefined;
    }, 60_000).catch(() => last);
    // On failure the registry row says why (status, step, rejection).
    expect({ name, status: done.status, rejection: done.rejectionReason ?? null, step: done.step }).toEqual({ name, status: 'ACCEPTED', rejection: null, step: done.step });
    expect(done.invoiceType).toBe(input.type ?? 'VAT');
    expect(done.ksefNumber).toMatch(new RegExp(`^${String(done.sellerNip)}-\\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$`));
    // The registry stores the model as sent: lines (discounts too), third parties and original buyer data survive the DB mapping.
    const stored = done.invoice as { lines: unknown; thirdParties?: unknown; correction?: { originalBuyers?: unknown } };
    expect(stored.lines).toEqual(fixture(name).lines);
    expect(stored.thirdParties).toEqual(fixture(name).thirdParties);
    expect(stored.correction?.originalBuyers).toEqual(fixture(name).correction?.originalBuyers);
  });
});
