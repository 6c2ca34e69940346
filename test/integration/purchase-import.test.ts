/**
 * Purchase-invoice import on the real stack: another seller sends invoices to the simulator with
 * our NIP as buyer (through the ksef-client directly); the Temporal Schedule's runs import them
 * incrementally from the stored high-water mark, without duplicates; a backfill re-reads a range
 * and finds nothing new; a failing import alerts.
 */
import { InvoiceSchema } from '../../domain/invoice';
import { buildFa3Xml } from '../../fa3/build';
import { KsefClient } from '../../ksef-client';
import { ensurePurchaseImportSchedules } from '../../worker/purchase-import-schedule';
import { sampleInvoice } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';

const OUR_NIP = '5260001246';
const SUPPLIER_NIP = '7770001111';

let stack: TestStack;
let scheduleId: string;
let supplier: KsefClient;

beforeAll(async () => {
  stack = await startStack({ features: { imports: { initialLookbackMs: 24 * 60 * 60 * 1000, pageSize: 10 } } });
  supplier = new KsefClient({ baseUrl: stack.simulatorUrl, contextNip: SUPPLIER_NIP, ksefToken: 'supplier-token', timeoutMs: 5000 });
  // Created twice: the second call updates the same schedule instead of failing.
  await ensurePurchaseImportSchedules(stack.temporal, stack.taskQueue, { buyerNips: [OUR_NIP], everyMs: 2 * 60 * 60 * 1000, idPrefix: `purchase-import-${stack.taskQueue}-` });
  [scheduleId] = await ensurePurchaseImportSchedules(stack.temporal, stack.taskQueue, { buyerNips: [OUR_NIP], everyMs: 60 * 60 * 1000, idPrefix: `purchase-import-${stack.taskQueue}-` });
});
afterAll(async () => {
  await stack?.temporal.schedule.getHandle(scheduleId).delete().catch(() => undefined);
  await stack?.stop();
});

async function supplierSends(count: number): Promise<string[]> {
  const session = await supplier.openOnlineSession();
  const numbers: string[] = [];
  for (let i = 0; i < count; i++) {
    const invoice = InvoiceSchema.parse(
      sampleInvoice({
        seller: { nip: SUPPLIER_NIP, name: 'Dostawca Sp. z o.o.', address: { countryCode: 'PL', line1: 'ul. Krótka 2', line2: '00-950 Warszawa' } },
        buyer: { identifier: { type: 'NIP', nip: OUR_NIP }, name: 'Przykładowa Spółka z o.o.', address: { countryCode: 'PL', line1: 'ul. Prosta 1' } },
      }),
    );
    const sent = await supplier.sendInvoice(session, buildFa3Xml(invoice, { generatedAt: new Date() }));
    const status = await supplier.waitForInvoiceStatus(session.referenceNumber, sent.referenceNumber);
    expect(status.status.code).toBe(200);
    numbers.push(invoice.invoiceNumber);
  }
  return numbers;
}

/** Trigger the schedule now and wait for that run to finish; returns its result. */
async function scheduledRun(): Promise<{ imported: number; skipped: number; hwm: string }> {
  const handle = stack.temporal.schedule.getHandle(scheduleId);
  const before = (await handle.describe()).info.recentActions.length;
  await handle.trigger();
  const action = await eventually(async () => {
    const recent = (await handle.describe()).info.recentActions;
    return recent.length > before ? recent.at(-1) : undefined;
  });
  return stack.temporal.workflow.getHandle(action.action.workflow.workflowId).result();
}

async function incoming() {
  return stack.prisma.invoice.findMany({ where: { direction: 'INCOMING', buyerIdentifier: OUR_NIP }, orderBy: { invoiceNumber: 'asc' } });
}

describe('purchase-invoice import', () => {
  it('imports what the simulator holds for our NIP as buyer, incrementally and without duplicates', async () => {
    const first = await supplierSends(2);
    const run1 = await scheduledRun();
    expect(run1).toMatchObject({ imported: 2 });
    const rows1 = await incoming();
    expect(rows1.map((r) => r.invoiceNumber).sort()).toEqual([...first].sort());
    expect(rows1[0]).toMatchObject({ direction: 'INCOMING', status: 'ACCEPTED', step: 'imported', sellerNip: SUPPLIER_NIP, sourceSystem: 'ksef-import', currency: 'PLN' });
    expect(rows1[0].grossAmount.toFixed(2)).toBe('1950.00');
    expect(rows1[0].ksefNumber).toMatch(new RegExp(`^${SUPPLIER_NIP}-`));
    const doc = await stack.prisma.incomingDocument.findUniqueOrThrow({ where: { ksefNumber: rows1[0].ksefNumber! } });
    expect(doc.xml).toContain(`<P_2>${rows1[0].invoiceNumber}</P_2>`);
    const cursor1 = await stack.prisma.purchaseImportCursor.findUniqueOrThrow({ where: { buyerNip: OUR_NIP } });
    expect(cursor1).toMatchObject({ lastImported: 2, totalImported: 2, lastError: null });

    const second = await supplierSends(1);
    const run2 = await scheduledRun();
    expect(run2.imported).toBe(1);
    const cursor2 = await stack.prisma.purchaseImportCursor.findUniqueOrThrow({ where: { buyerNip: OUR_NIP } });
    expect(cursor2.hwm.getTime()).toBeGreaterThanOrEqual(cursor1.hwm.getTime());
    expect(cursor2).toMatchObject({ lastImported: 1, totalImported: 3 });

    const run3 = await scheduledRun();
    expect(run3.imported).toBe(0);
    const rows = await incoming();
    expect(rows.map((r) => r.invoiceNumber).sort()).toEqual([...first, ...second].sort());
    expect(new Set(rows.map((r) => r.ksefNumber)).size).toBe(3);

    const state = await stack.api('/api/v1/imports');
    expect(state.body.items).toEqual([expect.objectContaining({ buyerNip: OUR_NIP, totalImported: 3 })]);
  });

  it('backfills a range on demand; what is already known is skipped', async () => {
    const bad = await stack.api('/api/v1/imports/backfill', { body: { buyerNip: '123', from: '2026-11-20', to: '2026-11-19' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string[] }) => e.path.join('.'))).toContain('buyerNip');

    const from = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await stack.api('/api/v1/imports/backfill', { body: { buyerNip: OUR_NIP, from, to } });
    expect(res.status).toBe(202);
    const result = await stack.temporal.workflow.getHandle(res.body.workflowId).result();
    expect(result).toMatchObject({ imported: 0, skipped: 3 });
    expect(await incoming()).toHaveLength(3);
    const forbidden = await stack.api('/api/v1/imports/backfill', { body: { buyerNip: OUR_NIP, from, to }, as: 'corrector' });
    expect(forbidden.status).toBe(403);
  });

  it('runs by itself on the schedule interval (realigned at start) and picks up a new invoice once', async () => {
    const handle = stack.temporal.schedule.getHandle(scheduleId);
    // The second ensure call at start moved the interval from 2 h to 1 h instead of failing.
    expect((await handle.describe()).spec.intervals?.map((i) => Number(i.every))).toEqual([60 * 60 * 1000]);
    const [number] = await supplierSends(1);
    const actionsBefore = (await handle.describe()).info.recentActions.length;
    await ensurePurchaseImportSchedules(stack.temporal, stack.taskQueue, { buyerNips: [OUR_NIP], everyMs: 1500, idPrefix: `purchase-import-${stack.taskQueue}-` });
    try {
      // No trigger: the schedule's own ticks import it, and later ticks find nothing new.
      const rows = await eventually(async () => {
        const r = await incoming();
        return r.some((x) => x.invoiceNumber === number) ? r : undefined;
      }, 30_000, 250);
      await eventually(async () => ((await handle.describe()).info.recentActions.length >= actionsBefore + 2 ? true : undefined), 30_000, 250);
      const after = await incoming();
      expect(after.length).toBe(rows.length);
      expect(after.filter((r) => r.invoiceNumber === number)).toHaveLength(1);
      expect(new Set(after.map((r) => r.ksefNumber)).size).toBe(after.length);
      const cursor = await stack.prisma.purchaseImportCursor.findUniqueOrThrow({ where: { buyerNip: OUR_NIP } });
      expect(cursor.totalImported).toBe(after.length);
    } finally {
      await ensurePurchaseImportSchedules(stack.temporal, stack.taskQueue, { buyerNips: [OUR_NIP], everyMs: 60 * 60 * 1000, idPrefix: `purchase-import-${stack.taskQueue}-` });
    }
  });

  it('alerts when an import fails', async () => {
    await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage: { durationMs: 600_000, status: 503 } }) });
    try {
      const from = new Date(Date.now() - 60 * 60 * 1000).toISOString();
      const res = await stack.api('/api/v1/imports/backfill', { body: { buyerNip: OUR_NIP, from, to: new Date().toISOString() } });
      await expect(stack.temporal.workflow.getHandle(res.body.workflowId).result()).rejects.toThrow();
      const alert = await eventually(() => stack.prisma.alert.findFirst({ where: { errorCode: 'PURCHASE_IMPORT_FAILED', scope: stack.taskQueue } }));
      expect(alert.reason).toContain(OUR_NIP);
    } finally {
      await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'DELETE' });
    }
  });
});
