/**
 * Rolling a worker in production: SIGTERM reaches a worker while it is in the middle of sending an
 * invoice to KSeF. The worker must let the send finish (not abandon it half-way), exit cleanly, and a
 * replacement worker must carry the invoice to ACCEPTED — with KSeF holding it exactly once.
 */
import { randomUUID } from 'node:crypto';
import { createKsefSimulator } from '../../ksef-simulator/app';
import { freePort } from '../../infra/processes';
import { sampleInvoice } from '../support/invoices';
import { eventually } from '../support/stack';
import { historyIdentities, spawnWorker, startApiOnly, type ApiOnly, type WorkerProcess } from '../support/deployment';

const SEND_LATENCY_MS = 4000;
const SECRET_TOKEN = `never-logged-${randomUUID()}`;

let api: ApiOnly;
let sim: Awaited<ReturnType<ReturnType<typeof createKsefSimulator>['listen']>>;
const workers: WorkerProcess[] = [];
const taskQueue = `deploy-shutdown-${randomUUID()}`;

beforeAll(async () => {
  sim = await createKsefSimulator({ processingDelayMs: 20 }).listen(0);
  api = await startApiOnly({ taskQueue, ksefBaseUrl: sim.url });
});
afterAll(async () => {
  await terminateRunning(taskQueue).catch(() => undefined);
  for (const w of workers) if (w.child.exitCode === null) w.kill('SIGKILL');
  await api?.stop();
  await sim?.close();
});

async function simAdmin(path: string, method = 'GET', body?: unknown) {
  const response = await fetch(`${sim.rootUrl}/_sim${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.status === 204 ? null : response.json();
}

describe('graceful worker shutdown during an in-flight KSeF send', () => {
  it('finishes the send on the stopping worker, the replacement completes the invoice, KSeF holds it once', async () => {
    const metricsPort = await freePort();
    const first = await spawnWorker({
      taskQueue,
      identity: 'worker-a',
      ksefBaseUrl: sim.url,
      env: { KSEF_TOKEN: SECRET_TOKEN, WORKER_METRICS_BIND: `127.0.0.1:${metricsPort}`, WORKER_SHUTDOWN_GRACE_MS: '30000' },
    });
    workers.push(first);

    // Every request that opens a session or sends an invoice now takes seconds.
    await simAdmin('/faults', 'PUT', { pathPrefix: '/sessions/online', latencyMs: SEND_LATENCY_MS });
    const invoice = sampleInvoice();
    const submitted = await api.call('/api/v1/invoices', invoice);
    expect(submitted.status).toBe(202);
    const { id, workflowId } = submitted.body as { id: string; workflowId: string };

    // Sending is done by whichever workflow owns KSeF traffic for the seller: find its in-flight send.
    const inFlight = await eventually(async () => {
      for await (const run of api.temporal.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
        const description = await api.temporal.workflow.getHandle(run.workflowId).describe();
        const sending = description.raw.pendingActivities?.find(
          (a) => /^send/.test(a.activityType?.name ?? '') && a.lastWorkerIdentity === 'worker-a' && Number(a.state) === 2 /* STARTED */,
        );
        if (sending) return { workflowId: run.workflowId, activityId: sending.activityId!, type: sending.activityType!.name! };
      }
      return undefined;
    }, 30000, 50);

    // The SDK's Prometheus endpoint of the worker (WORKER_METRICS_BIND) serves worker metrics.
    const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(scraped).toMatch(/^temporal_\w+/m);
    expect(scraped).toContain(`task_queue="${taskQueue}"`);

    first.kill('SIGTERM');
    await simAdmin('/faults', 'DELETE');
    const second = await spawnWorker({ taskQueue, identity: 'worker-b', ksefBaseUrl: sim.url, env: { KSEF_TOKEN: SECRET_TOKEN } });
    workers.push(second);

    const exit = await first.exited;
    if (exit.code !== 0) process.stderr.write(first.output().slice(-3000));
    expect(exit).toEqual({ code: 0, signal: null });
    expect(first.logs.some((l) => l.msg === 'worker stopped')).toBe(true);

    const done = await eventually(async () => {
      const res = await api.call(`/api/v1/invoices/${id}`);
      return res.status === 200 && res.body.status === 'ACCEPTED' ? res.body : undefined;
    }, 60000);
    expect(done.ksefNumber).toBeTruthy();

    const ledger = (await simAdmin(`/ledger`)) as { accepted: Array<{ invoiceNumber: string; ksefNumber: string }> };
    const ours = ledger.accepted.filter((e) => e.invoiceNumber === invoice.invoiceNumber);
    expect(ours).toHaveLength(1);
    expect(ours[0].ksefNumber).toBe(done.ksefNumber);

    // The stopping worker completed its send (one attempt, its identity): nothing was abandoned half-way.
    const sender = (await api.temporal.workflow.getHandle(inFlight.workflowId).fetchHistory()).events ?? [];
    const scheduled = sender.find((e) => e.activityTaskScheduledEventAttributes?.activityId === inFlight.activityId);
    const started = sender.filter((e) => e.activityTaskStartedEventAttributes && String(e.activityTaskStartedEventAttributes.scheduledEventId) === String(scheduled?.eventId));
    expect(started).toHaveLength(1);
    expect(started[0].activityTaskStartedEventAttributes).toMatchObject({ identity: 'worker-a', attempt: 1 });
    expect(sender.some((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled?.eventId))).toBe(true);
    // The invoice moved on to the replacement worker.
    const identities = await historyIdentities(api.temporal, workflowId);
    expect(identities.workflowTasks).toEqual(new Set(['worker-a', 'worker-b']));

    // Activity logs carry the workflow and invoice ids (the KSeF client knows nothing of Temporal).
    const allLogs = [...first.logs, ...second.logs];
    const invoiceLines = allLogs.filter((l) => l.workflowId === workflowId && l.activityType);
    expect(invoiceLines.length).toBeGreaterThan(0);
    expect(invoiceLines.every((l) => l.invoiceId === id)).toBe(true);
    // Before shutdown every KSeF client line comes from an activity (closing sessions on exit does not).
    const beforeShutdown = (logs: Array<Record<string, any>>) => logs.slice(0, logs.findIndex((l) => l.msg === 'shutting down: finishing in-flight tasks'));
    const ksefLines = [...beforeShutdown(first.logs), ...second.logs].filter((l) => String(l.component).startsWith('ksef') && l.msg?.startsWith('KSeF'));
    expect(ksefLines.length).toBeGreaterThan(0);
    expect(ksefLines.filter((l) => !(l.workflowId && l.activityType))).toEqual([]);
    // The KSeF token was used for every authentication but never written to a log.
    expect(first.output()).not.toContain(SECRET_TOKEN);
    expect(second.output()).not.toContain(SECRET_TOKEN);

    await terminateRunning(taskQueue);
    second.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});

/** Long-lived workflows (per-seller dispatchers) would otherwise outlive this test's workers. */
async function terminateRunning(queue: string) {
  for await (const run of api.temporal.workflow.list({ query: `TaskQueue = '${queue}' AND ExecutionStatus = 'Running'` })) {
    await api.temporal.workflow.getHandle(run.workflowId).terminate('test finished').catch(() => undefined);
  }
}
