/**
 * KSeF's limits are the ceiling: 500 invoices for one seller go out with the simulator enforcing
 * the published limits (online: 10/s, 30/min, 180/h; batch: 60 opens + closes an hour) and not a
 * single 429 — the dispatcher sends through batch sessions, never more than the hour's budget, and
 * online in between.
 */
import { PUBLISHED_LIMITS } from '../../workflows/rate-budget';
import { sampleInvoice } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';

const N = 500;

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ simulator: { rateLimits: 'published', processingDelayMs: 50 } });
});
afterAll(async () => {
  await stack?.stop();
});

// Generous bound: CI has 2 cores for everything; the figure that matters is in docs/BENCHMARKS.md, not here.
jest.setTimeout(1_800_000);

it(`sends ${N} invoices of one seller inside the published limits, part of them in a batch session`, async () => {
  const invoices = Array.from({ length: N }, () => sampleInvoice());
  const ids: string[] = [];
  const submit = async (wave: typeof invoices) => {
    const answers = await Promise.all(wave.map((invoice) => stack.api('/api/v1/invoices', { body: invoice })));
    for (const a of answers) {
      expect(a.status).toBe(202);
      ids.push(a.body.id);
    }
  };
  // A trickle first (fewer than DISPATCH_BATCH_MIN_SIZE queued: online), then the flood (batch). How
  // much of the flood also goes online depends on timing alone, so only the trickle is asserted.
  const TRICKLE = 5;
  await submit(invoices.slice(0, TRICKLE));
  await eventually(async () => (await stack.prisma.invoice.count({ where: { id: { in: ids }, status: 'ACCEPTED' } })) === TRICKLE, 120_000, 500);
  for (let i = TRICKLE; i < invoices.length; i += 25) await submit(invoices.slice(i, i + 25));

  const started = Date.now();
  await eventually(async () => {
    const byStatus = await stack.prisma.invoice.groupBy({ by: ['status'], where: { id: { in: ids } }, _count: { _all: true } });
    if (process.env.TEST_PROGRESS) process.stdout.write(`${Math.round((Date.now() - started) / 1000)}s ${JSON.stringify(byStatus.map((s) => [s.status, s._count._all]))}\n`);
    return byStatus.length === 1 && byStatus[0].status === 'ACCEPTED' && byStatus[0]._count._all === N;
  }, 1_500_000, 2000);

  const requests = (await (await fetch(`${stack.simulatorRootUrl}/_sim/requests`)).json()) as Record<string, { total: number; tooManyRequests?: number; byStatus?: Record<string, number> }>;
  const served429 = Object.values(requests).reduce((sum, c) => sum + (c.tooManyRequests ?? c.byStatus?.['429'] ?? 0), 0);
  expect(served429).toBe(0);

  const ledger = (await (await fetch(`${stack.simulatorRootUrl}/_sim/ledger?sellerNip=5260001246`)).json()) as { accepted: Array<{ invoiceNumber: string }> };
  const numbers = new Set(ledger.accepted.map((e) => e.invoiceNumber));
  for (const invoice of invoices) expect(numbers.has(invoice.invoiceNumber)).toBe(true);
  expect(ledger.accepted.filter((e) => invoices.some((i) => i.invoiceNumber === e.invoiceNumber))).toHaveLength(N);

  const modes = await stack.prisma.ksefDocument.groupBy({ by: ['sendMode'], where: { registryId: { in: ids } }, _count: { _all: true } });
  const byMode = Object.fromEntries(modes.map((m) => [m.sendMode, m._count._all]));
  expect(byMode.ONLINE).toBeGreaterThanOrEqual(TRICKLE);
  expect(byMode.ONLINE).toBeLessThanOrEqual(PUBLISHED_LIMITS.onlineSend.perHour);
  expect(byMode.BATCH).toBeGreaterThan(0);
  expect((byMode.ONLINE ?? 0) + (byMode.BATCH ?? 0)).toBe(N);

  // Batch sessions never exceed the hour's budget (open + close are two requests of 60 an hour).
  const sessions = await stack.prisma.ksefDocument.groupBy({ by: ['sessionRef'], where: { registryId: { in: ids }, sendMode: 'BATCH' } });
  expect(sessions.length).toBeLessThanOrEqual(PUBLISHED_LIMITS.batchSession.perHour / 2);
});
