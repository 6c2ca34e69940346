/**
 * Chaos: the worker is killed with SIGKILL mid-run and restarted, the Temporal dev server restarts
 * (persistent SQLite), and KSeF answers 20 % 5xx, 429 bursts, added latency and a short outage.
 * After each: every invoice reaches a final state, the simulator's ledger holds each exactly once,
 * and the registry agrees with the workflows and the ledger.
 * `npm test` runs a small version; `npm run test:chaos` runs it with CHAOS_INVOICES=200.
 */
import { getStateQuery, type InvoiceWorkflowState } from '../../workflows/contracts';
import { sampleInvoice } from '../support/invoices';
import { eventually } from '../support/stack';
import { startChaosSystem, type ChaosSystem } from './harness';

const N = Number(process.env.CHAOS_INVOICES ?? 12);
jest.setTimeout(Number(process.env.CHAOS_TIMEOUT_MS ?? 600_000));

let system: ChaosSystem;
beforeAll(async () => {
  system = await startChaosSystem();
});
afterAll(async () => {
  await system?.stop();
});

function invoicesFor(label: string) {
  return Array.from({ length: N }, (_, i) =>
    sampleInvoice({
      invoiceNumber: `CHAOS/${label}/${Date.now()}/${i}`,
      seller: { nip: system.sellerNip, name: 'Chaos Sp. z o.o.', address: { countryCode: 'PL', line1: 'ul. Burzowa 1' } },
    }),
  );
}

async function submitAll(invoices: ReturnType<typeof invoicesFor>): Promise<string[]> {
  const ids: string[] = [];
  for (const invoice of invoices) {
    // The API is allowed to say "try again" while Temporal is restarting; nothing is lost by that.
    const res = await eventually(async () => {
      const r = await system.submit(invoice);
      return r.status === 202 || r.status === 200 ? r : undefined;
    }, 120_000, 500);
    ids.push(res.body.id);
  }
  return ids;
}

/** Everything final, each invoice once in KSeF, and registry = workflow = ledger. */
async function verify(ids: string[], invoiceNumbers: string[]) {
  await eventually(async () => (await system.prisma.invoice.count({ where: { id: { in: ids }, status: 'ACCEPTED' } })) === ids.length, 400_000, 1000);
  const ledger = (await (await fetch(`${system.simulatorRootUrl}/_sim/ledger?sellerNip=${system.sellerNip}`)).json()) as {
    accepted: Array<{ invoiceNumber: string; ksefNumber: string }>;
  };
  for (const number of invoiceNumbers) expect(ledger.accepted.filter((e) => e.invoiceNumber === number)).toHaveLength(1);
  const rows = await system.prisma.invoice.findMany({ where: { id: { in: ids } } });
  for (const row of rows) {
    const inLedger = ledger.accepted.find((e) => e.invoiceNumber === row.invoiceNumber);
    expect(row.ksefNumber).toBe(inLedger?.ksefNumber);
    const state = await system.temporal().workflow.getHandle(row.workflowId).query(getStateQuery);
    expect((state as InvoiceWorkflowState).ksefNumber).toBe(row.ksefNumber);
  }
}

it('a worker killed with SIGKILL mid-run is replaced and nothing is lost or sent twice', async () => {
  const first = await system.startWorker('chaos-worker-1');
  const invoices = invoicesFor('kill');
  const ids = await submitAll(invoices);
  await eventually(async () => (await system.prisma.invoice.count({ where: { id: { in: ids }, status: { in: ['SENDING', 'SENT', 'ACCEPTED'] } } })) >= Math.min(3, N), 120_000, 200);
  first.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  await system.startWorker('chaos-worker-2');
  await verify(ids, invoices.map((i) => i.invoiceNumber));
});

it('the Temporal server restarts mid-run (persistent SQLite) and the run completes', async () => {
  const invoices = invoicesFor('restart');
  const ids = await submitAll(invoices.slice(0, Math.ceil(N / 2)));
  await system.restartTemporal();
  ids.push(...(await submitAll(invoices.slice(Math.ceil(N / 2)))));
  await verify(ids, invoices.map((i) => i.invoiceNumber));
});

it('KSeF with 20 % 5xx, 429 bursts, latency and a short outage: every invoice once', async () => {
  await system.faults({ seed: 7, serverErrorRate: 0.2, tooManyRequests: { count: 5, retryAfterSeconds: 1 }, latencyMs: 40 });
  const invoices = invoicesFor('faults');
  const ids = await submitAll(invoices.slice(0, Math.ceil(N / 2)));
  await system.faults({ seed: 8, serverErrorRate: 0.2, latencyMs: 40, outage: { durationMs: 1500, status: 503 } });
  ids.push(...(await submitAll(invoices.slice(Math.ceil(N / 2)))));
  await verify(ids, invoices.map((i) => i.invoiceNumber));
  await system.faults({});
});
