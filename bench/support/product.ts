/**
 * The product for one measurement: KSeF simulator and API in the bench process, worker(s) as child
 * processes (worker/main.ts, configured by env like a deployment), all on a task queue of its own.
 */
import { randomUUID } from 'node:crypto';
import { createKsefSimulator, type KsefSimulator, type KsefSimulatorOptions, type RunningSimulator } from '../../ksef-simulator/app';
import { startBenchApi, type BenchApi } from './api';
import type { BenchInfra } from './infra';
import { spawnProductWorker, type BenchProcess } from './processes';

export interface Product {
  sim: KsefSimulator;
  running: RunningSimulator;
  api: BenchApi;
  workers: BenchProcess[];
  taskQueue: string;
  simRequests(): Promise<Record<string, { total: number; tooManyRequests?: number; byStatus?: Record<string, number> }>>;
  simAdmin(path: string, body: unknown): Promise<void>;
  stop(): Promise<void>;
}

export async function startProduct(infra: BenchInfra, o: { label: string; simulator: KsefSimulatorOptions; workers?: number; workerEnv?: NodeJS.ProcessEnv }): Promise<Product> {
  const sim = createKsefSimulator(o.simulator);
  const running = await sim.listen(0);
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
    sim,
    running,
    api,
    workers,
    taskQueue,
    async simRequests() {
      return (await (await fetch(`${running.rootUrl}/_sim/requests`)).json()) as Awaited<ReturnType<Product['simRequests']>>;
    },
    async simAdmin(path, body) {
      const r = await fetch(`${running.rootUrl}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    },
    async stop() {
      // Dispatchers, the sweep and invoices waiting for people live on; this measurement's ones end here.
      const handles: string[] = [];
      for await (const run of api.temporal.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) handles.push(run.workflowId);
      await Promise.all(handles.map((id) => api.temporal.workflow.getHandle(id).terminate('bench measurement over').catch(() => undefined)));
      await Promise.all(workers.map((w) => w.stop()));
      await api.stop();
      await running.close();
    },
  };
}

export function served429(requests: Awaited<ReturnType<Product['simRequests']>>): number {
  return Object.values(requests).reduce((sum, c) => sum + (c.tooManyRequests ?? c.byStatus?.['429'] ?? 0), 0);
}
