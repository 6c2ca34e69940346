/**
 * Scaling out = starting another worker process with the same configuration. Two production
 * workers on one task queue must both take work, and every invoice must still end ACCEPTED once.
 */
import { randomUUID } from 'node:crypto';
import { createKsefSimulator } from '../../ksef-simulator/app';
import { nipWithChecksum } from '../../domain/nip';
import { sampleInvoice } from '../support/invoices';
import { eventually } from '../support/stack';
import { historyIdentities, spawnWorker, startApiOnly, type ApiOnly, type WorkerProcess } from '../support/deployment';

const INVOICES = 8;
let api: ApiOnly;
let sim: Awaited<ReturnType<ReturnType<typeof createKsefSimulator>['listen']>>;
let workers: WorkerProcess[] = [];
const taskQueue = `deploy-scale-${randomUUID()}`;
/**
 * A seller of its own: the dispatcher is one workflow per seller NIP, and an earlier test file's
 * dispatcher for the shared sample seller may still run on that file's (now unpolled) task queue.
 */
const sellerNip = (() => {
  for (;;) {
    const nip = nipWithChecksum(`6${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`);
    if (nip) return nip;
  }
})();

async function terminateRunning() {
  for await (const run of api.temporal.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
    await api.temporal.workflow.getHandle(run.workflowId).terminate('test finished').catch(() => undefined);
  }
}

beforeAll(async () => {
  sim = await createKsefSimulator({ processingDelayMs: 20 }).listen(0);
  api = await startApiOnly({ taskQueue, ksefBaseUrl: sim.url });
  workers = await Promise.all(['worker-1', 'worker-2'].map((identity) => spawnWorker({ taskQueue, identity, ksefBaseUrl: sim.url })));
});
afterAll(async () => {
  if (api) await terminateRunning().catch(() => undefined);
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  await api?.stop();
  await sim?.close();
});

describe('two workers on one task queue', () => {
  it('both poll, both execute workflow and activity tasks, and every invoice is accepted exactly once', async () => {
    // A worker logs "polling" just before its first poll reaches the server: wait until both are seen.
    const identities = await eventually(async () => {
      const pollers = await api.temporal.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 });
      const seen = new Set(pollers.pollers?.map((p) => p.identity));
      return seen.size === 2 ? seen : undefined;
    }, 60_000, 250);
    expect(identities).toEqual(new Set(['worker-1', 'worker-2']));

    const invoices = Array.from({ length: INVOICES }, () => sampleInvoice({ seller: { nip: sellerNip, name: 'Skala Sp. z o.o.', address: { countryCode: 'PL', line1: 'ul. Szeroka 2' } } }));
    const submitted = await Promise.all(invoices.map((invoice) => api.call('/api/v1/invoices', invoice)));
    expect(submitted.map((s) => s.status)).toEqual(Array(INVOICES).fill(202));

    for (const s of submitted) {
      await eventually(async () => {
        const res = await api.call(`/api/v1/invoices/${s.body.id}`);
        return res.status === 200 && res.body.status === 'ACCEPTED';
      }, 90000);
    }

    // Who did the work, from the server's own record (every workflow on this queue, dispatchers included).
    const workflowTasks = new Map<string, number>();
    const activityTasks = new Map<string, number>();
    for await (const run of api.temporal.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
      const seen = await historyIdentities(api.temporal, run.workflowId);
      for (const identity of seen.workflowTasks) workflowTasks.set(identity, (workflowTasks.get(identity) ?? 0) + 1);
      for (const identities of seen.activities.values()) for (const identity of identities) activityTasks.set(identity, (activityTasks.get(identity) ?? 0) + 1);
    }
    expect([...workflowTasks.keys()].sort()).toEqual(['worker-1', 'worker-2']);
    expect([...activityTasks.keys()].sort()).toEqual(['worker-1', 'worker-2']);

    const ledger = (await (await fetch(`${sim.rootUrl}/_sim/ledger`)).json()) as { accepted: Array<{ invoiceNumber: string }> };
    for (const invoice of invoices) expect(ledger.accepted.filter((e) => e.invoiceNumber === invoice.invoiceNumber)).toHaveLength(1);
  });
});
