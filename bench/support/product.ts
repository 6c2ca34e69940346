/**
 * The product for one measurement: the API in the bench process, the KSeF simulator and worker(s) as
 * child processes (configured by env like a deployment), all on a task queue of its own.
 */
import { randomUUID } from 'node:crypto';
import type { FaultConfig } from '../../ksef-simulator/faults';
import { freePort } from '../../infra/processes';
import { startBenchApi, type BenchApi } from './api';
import type { BenchInfra } from './infra';
import { spawnProductWorker, spawnSimulator, type BenchProcess } from './processes';

export interface Product {
  /** The simulator's process: its pid is what KSeF's side of the work costs. */
  simulator: BenchProcess;
  api: BenchApi;
  workers: BenchProcess[];
  taskQueue: string;
  simRequests(): Promise<Record<string, { total: number; tooManyRequests?: number; byStatus?: Record<string, number> }>>;
  simAdmin(path: string, body: unknown): Promise<void>;
  stop(): Promise<void>;
}

export async function startProduct(
  infra: BenchInfra,
  o: { label: string; simulator: { rateLimits?: 'published' | 'off'; faults?: FaultConfig }; workers?: number; workerEnv?: NodeJS.ProcessEnv },
): Promise<Product> {
  const running = await spawnSimulator({ port: await freePort(), rateLimits: o.simulator.rateLimits ?? 'published' });
  const simAdmin = async (path: string, body: unknown) => {
    const r = await fetch(`${running.rootUrl}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  };
  if (o.simulator.faults) await simAdmin('/_sim/faults', o.simulator.faults);
  const taskQueue = `bench-${o.label}-${randomUUID().slice(0, 8)}`;
  const workers: BenchProcess[] = [];
  for (let w = 0; w < (o.workers ?? 1); w++) {
    workers.push(
      await spawnProductWorker({
        address: infra.temporalAddress,
        databaseUrl: infra.databaseUrl,
        taskQueue,
        bundle: infra.productBundle,
        ksefBaseUrl: running.url,
        identity: `${o.label}-worker-${w + 1}`,
        env: o.workerEnv,
      }),
    );
  }
  const api = await startBenchApi({ address: infra.temporalAddress, databaseUrl: infra.databaseUrl, taskQueue, ksefBaseUrl: running.url });
  return {
    simulator: running,
    api,
    workers,
    taskQueue,
    async simRequests() {
      return (await (await fetch(`${running.rootUrl}/_sim/requests`)).json()) as Awaited<ReturnType<Product['simRequests']>>;
    },
    simAdmin,
    async stop() {
      // Dispatchers, the sweep and invoices waiting for people live on; this measurement's ones end here.
      const handles: string[] = [];
      for await (const run of api.temporal.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) handles.push(run.workflowId);
      await Promise.all(handles.map((id) => api.temporal.workflow.getHandle(id).terminate('bench measurement over').catch(() => undefined)));
      await Promise.all(workers.map((w) => w.stop()));
      await api.stop();
      await running.stop();
    },
  };
}

export function served429(requests: Awaited<ReturnType<Product['simRequests']>>): number {
  return Object.values(requests).reduce((sum, c) => sum + (c.tooManyRequests ?? c.byStatus?.['429'] ?? 0), 0);
}
