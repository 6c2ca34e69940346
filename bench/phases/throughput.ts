/**
 * End-to-end throughput (API → workflow → dispatcher → simulator → ACCEPTED) against the bare
 * workflow with the same number of activity calls, on the same Temporal server.
 */
import { randomUUID } from 'node:crypto';
import { acceptLatencies, pool, submitAll, waitForStatus } from '../support/api';
import type { BenchInfra } from '../support/infra';
import { benchInvoice, sellerNips } from '../support/invoices';
import { cpuSeconds, postgresCpuSeconds, selfCpuSeconds, spawnBareWorker, loadAverage } from '../support/processes';
import { percentile, progress, say } from '../support/progress';
import { startProduct } from '../support/product';
import { Client, Connection } from '@temporalio/client';

/** Far above anything reachable: the dispatcher's own budget must not be what is measured here. */
export const UNLIMITED = JSON.stringify(
  Object.fromEntries(['onlineSend', 'onlineSession', 'batchSession', 'sessionInvoices', 'sessionStatus'].map((g) => [g, { perSecond: 1_000_000, perMinute: 1_000_000, perHour: 1_000_000 }])),
);

export interface ThroughputResult {
  label: string;
  invoices: number;
  seconds: number;
  perSecond: number;
  submitSeconds: number;
  submitP50: number;
  acceptP50: number;
  acceptP95: number;
  activityCalls: number;
  signals: number;
  workerCpu: number;
  /** The bench process: the API and the submitting client. */
  benchCpu: number;
  simulatorCpu: number;
  temporalCpu: number;
  postgresCpu: number;
  sendModes: Record<string, number>;
  sessions: number;
  /** Temporal work per invoice, by workflow type, summed over every run on this measurement's task queue. */
  temporalWork: Array<{ workflowType: string; runs: number; eventsPerInvoice: number; activitiesPerInvoice: number; signalsPerInvoice: number; workflowTasksPerInvoice: number; activityTypes: Record<string, number> }>;
  load: string;
}

/** Reads every history on the task queue: what the product asks of Temporal, per invoice. */
async function temporalWork(client: Client, taskQueue: string, invoices: number): Promise<ThroughputResult['temporalWork']> {
  const byType = new Map<string, { runs: number; events: number; activities: number; signals: number; tasks: number; activityTypes: Record<string, number> }>();
  for await (const run of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    const entry = byType.get(run.type) ?? { runs: 0, events: 0, activities: 0, signals: 0, tasks: 0, activityTypes: {} };
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    entry.runs += 1;
    for (const e of history.events ?? []) {
      entry.events += 1;
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled) {
        entry.activities += 1;
        const name = scheduled.activityType?.name ?? '?';
        entry.activityTypes[name] = (entry.activityTypes[name] ?? 0) + 1;
      }
      if (e.workflowExecutionSignaledEventAttributes) entry.signals += 1;
      if (e.workflowTaskCompletedEventAttributes) entry.tasks += 1;
    }
    byType.set(run.type, entry);
  }
  return [...byType.entries()].map(([workflowType, e]) => ({
    workflowType,
    runs: e.runs,
    eventsPerInvoice: e.events / invoices,
    activitiesPerInvoice: e.activities / invoices,
    signalsPerInvoice: e.signals / invoices,
    workflowTasksPerInvoice: e.tasks / invoices,
    activityTypes: e.activityTypes,
  }));
}

export async function invoiceThroughput(infra: BenchInfra, o: { label: string; invoices: number; concurrency: number; sellerBlock: number; workerEnv?: NodeJS.ProcessEnv }): Promise<ThroughputResult> {
  const product = await startProduct(infra, {
    label: o.label,
    simulator: { rateLimits: 'off' },
    workerEnv: { KSEF_LIMITS_JSON: UNLIMITED, ...o.workerEnv },
  });
  try {
    const [seller] = sellerNips(o.sellerBlock, 1);
    const prefix = `FV/${o.label.toUpperCase()}/${randomUUID().slice(0, 6)}/`;
    const cpuNow = () => ({
      worker: cpuSeconds(product.workers[0].pid),
      bench: selfCpuSeconds(),
      simulator: cpuSeconds(product.simulator.pid),
      temporal: cpuSeconds(infra.temporalPid),
      postgres: postgresCpuSeconds(),
    });
    const cpu0 = cpuNow();
    const started = Date.now();
    const submitLatencies = await submitAll(product.api, (i) => benchInvoice(seller, prefix, i), o.invoices, o.concurrency, (d) =>
      progress(`${o.label}: submit`, d, o.invoices),
    );
    const submitSeconds = (Date.now() - started) / 1000;
    await waitForStatus(product.api.prisma, prefix, o.invoices, 'ACCEPTED', 30 * 60_000, (d) => progress(`${o.label}: ACCEPTED`, d, o.invoices));
    const { ms, last } = await acceptLatencies(product.api.prisma, prefix);
    const seconds = (last - started) / 1000;
    const cpu1 = cpuNow();
    const cpu = Object.fromEntries(Object.entries(cpu1).map(([k, v]) => [k, v - cpu0[k as keyof typeof cpu0]])) as typeof cpu1;
    const load = loadAverage();

    // What one invoice costs in Temporal terms, read from a real history.
    const sample = await product.api.prisma.invoice.findFirstOrThrow({ where: { invoiceNumber: { startsWith: prefix } }, select: { workflowId: true } });
    const history = await product.api.temporal.workflow.getHandle(sample.workflowId).fetchHistory();
    const events = history.events ?? [];
    const activityCalls = events.filter((e) => e.activityTaskScheduledEventAttributes).length;
    const signals = events.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    const docs = await product.api.prisma.ksefDocument.groupBy({ by: ['sendMode'], where: { sellerNip: seller }, _count: { _all: true } });
    const sessions = (await product.api.prisma.ksefDocument.findMany({ where: { sellerNip: seller }, distinct: ['sessionRef'], select: { sessionRef: true } })).length;
    const work = await temporalWork(product.api.temporal, product.taskQueue, o.invoices);
    say(`${o.label}: ${o.invoices} invoices ACCEPTED in ${seconds.toFixed(1)} s (${(o.invoices / seconds).toFixed(1)}/s), ${activityCalls} activity calls per invoice`);
    return {
      label: o.label,
      invoices: o.invoices,
      seconds,
      perSecond: o.invoices / seconds,
      submitSeconds,
      submitP50: percentile(submitLatencies, 0.5),
      acceptP50: percentile(ms, 0.5),
      acceptP95: percentile(ms, 0.95),
      activityCalls,
      signals,
      workerCpu: cpu.worker,
      benchCpu: cpu.bench,
      simulatorCpu: cpu.simulator,
      temporalCpu: cpu.temporal,
      postgresCpu: cpu.postgres,
      sendModes: Object.fromEntries(docs.map((d) => [d.sendMode ?? 'none', d._count._all])),
      sessions,
      temporalWork: work,
      load,
    };
  } finally {
    await product.stop();
  }
}

export interface BareResult {
  workflows: number;
  activityCalls: number;
  seconds: number;
  perSecond: number;
  workerCpu: number;
  temporalCpu: number;
  clientCpu: number;
  postgresCpu: number;
  load: string;
}

export async function bareThroughput(infra: BenchInfra, o: { workflows: number; activityCalls: number; concurrency: number; workerEnv?: NodeJS.ProcessEnv }): Promise<BareResult> {
  const taskQueue = `bench-bare-${randomUUID().slice(0, 8)}`;
  const worker = await spawnBareWorker({ address: infra.temporalAddress, taskQueue, bundle: infra.bareBundle, env: o.workerEnv });
  const connection = await Connection.connect({ address: infra.temporalAddress });
  const client = new Client({ connection });
  try {
    const cpu0 = { worker: cpuSeconds(worker.pid), temporal: cpuSeconds(infra.temporalPid), client: selfCpuSeconds(), postgres: postgresCpuSeconds() };
    const started = Date.now();
    let startedCount = 0;
    await pool(o.workflows, o.concurrency, async (i) => {
      await client.workflow.start('bareWorkflow', { taskQueue, workflowId: `${taskQueue}-${i}`, args: [o.activityCalls] });
      progress('bare: start', ++startedCount, o.workflows);
    });
    const query = `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'`;
    const deadline = Date.now() + 30 * 60_000;
    for (;;) {
      const { count } = await client.workflow.count(query);
      progress('bare: completed', count, o.workflows);
      if (count >= o.workflows) break;
      if (Date.now() > deadline) throw new Error(`bare: ${count}/${o.workflows} completed after 30 min`);
      await new Promise((r) => setTimeout(r, 250));
    }
    let last = 0;
    for await (const run of client.workflow.list({ query })) last = Math.max(last, run.closeTime?.getTime() ?? 0);
    const seconds = (last - started) / 1000;
    const result = {
      workflows: o.workflows,
      activityCalls: o.activityCalls,
      seconds,
      perSecond: o.workflows / seconds,
      workerCpu: cpuSeconds(worker.pid) - cpu0.worker,
      temporalCpu: cpuSeconds(infra.temporalPid) - cpu0.temporal,
      clientCpu: selfCpuSeconds() - cpu0.client,
      postgresCpu: postgresCpuSeconds() - cpu0.postgres,
      load: loadAverage(),
    };
    say(`bare: ${o.workflows} workflows × ${o.activityCalls} no-op activities in ${seconds.toFixed(1)} s (${result.perSecond.toFixed(1)}/s)`);
    return result;
  } finally {
    await worker.stop();
    await connection.close();
  }
}
