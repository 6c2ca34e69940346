/**
 * Pieces for deployment-shaped tests: the API alone (no in-process worker) and the production
 * worker entry point (`worker/main.ts`) as a child process, configured only through its env.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { DEFAULT_LIFECYCLE_SETTINGS, type LifecycleSettings } from '../../workflows/contracts';
import { createTestAuth } from './auth';
import { silentLogger, testEnv } from './stack';

const ROOT = path.resolve(__dirname, '..', '..');

export interface ApiOnly {
  url: string;
  prisma: PrismaClient;
  temporal: Client;
  lifecycle: LifecycleSettings;
  call(path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startApiOnly(options: { taskQueue: string; ksefBaseUrl: string; lifecycle?: Partial<LifecycleSettings> }): Promise<ApiOnly> {
  const env = testEnv();
  const prisma = createPrismaClient(env.databaseUrl, 5);
  const connection = await Connection.connect({ address: env.address });
  const temporal = new Client({ connection });
  const lifecycle: LifecycleSettings = { ...DEFAULT_LIFECYCLE_SETTINGS, ksefInitialRetryMs: 100, ...options.lifecycle };
  const app = createApp({
    prisma,
    temporal,
    logger: silentLogger,
    taskQueue: options.taskQueue,
    namespace: 'default',
    temporalUiUrl: 'http://127.0.0.1:8233',
    ksefBaseUrl: options.ksefBaseUrl,
    lifecycle,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = await createTestAuth(prisma);
  const headers = await auth.headersFor('operator');
  return {
    url,
    prisma,
    temporal,
    lifecycle,
    async call(route, body) {
      const response = await fetch(`${url}${route}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* Prometheus text and other non-JSON bodies stay text */
      }
      return { status: response.status, body: parsed };
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
      await prisma.$disconnect();
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  identity: string;
  /** Every JSON log line the worker wrote so far (stdout). */
  logs: Array<Record<string, any>>;
  /** Raw output, to prove that something (a secret) never appeared in it. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Start `worker/main.ts` like a container would and wait until it polls the task queue. */
export async function spawnWorker(options: { taskQueue: string; identity: string; ksefBaseUrl: string; env?: NodeJS.ProcessEnv }): Promise<WorkerProcess> {
  const env = testEnv();
  // node --import tsx (as in the Docker image): one process, so SIGTERM reaches the worker itself.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker', 'main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
      DATABASE_URL: env.databaseUrl,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      WORKER_IDENTITY: options.identity,
      WORKER_WORKFLOW_BUNDLE: env.bundle,
      KSEF_BASE_URL: options.ksefBaseUrl,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let raw = '';
  let pending = '';
  const logs: Array<Record<string, any>> = [];
  const onData = (chunk: Buffer) => {
    raw += chunk.toString('utf8');
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line));
      } catch {
        /* not a JSON log line (e.g. a Node warning) */
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const worker: WorkerProcess = { child, identity: options.identity, logs, output: () => raw, exited, kill: (signal = 'SIGTERM') => child.kill(signal) };

  // Generous: a cold tsx start on a loaded 2-core machine takes tens of seconds.
  const deadline = Date.now() + 180000;
  for (;;) {
    if (logs.some((l) => l.msg === 'worker polling')) return worker;
    if (child.exitCode !== null) throw new Error(`worker ${options.identity} exited during start-up:\n${raw.slice(-4000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker ${options.identity} did not start polling within 180 s:\n${raw.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Identities found in a workflow's history, per event kind that records who did the work. */
export async function historyIdentities(temporal: Client, workflowId: string): Promise<{ workflowTasks: Set<string>; activities: Map<string, Set<string>> }> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  const workflowTasks = new Set<string>();
  const activities = new Map<string, Set<string>>();
  const scheduled = new Map<string, string>();
  for (const event of history.events ?? []) {
    const id = String(event.eventId);
    if (event.workflowTaskCompletedEventAttributes?.identity) workflowTasks.add(event.workflowTaskCompletedEventAttributes.identity);
    const s = event.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name) scheduled.set(id, s.activityType.name);
    const started = event.activityTaskStartedEventAttributes;
    if (started?.identity) {
      const type = scheduled.get(String(started.scheduledEventId)) ?? 'unknown';
      if (!activities.has(type)) activities.set(type, new Set());
      activities.get(type)!.add(started.identity);
    }
  }
  return { workflowTasks, activities };
}
