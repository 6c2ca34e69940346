/**
 * ksef-ops in production shape, as processes on this machine (no docker daemon here): two API
 * processes on distinct ports, two worker processes, the KSeF simulator, and Temporal — either the
 * production server on PostgreSQL (infra/temporal-server.ts, the files docker-compose.yml uses) or
 * the run's dev server, so the same load can be compared on both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nipWithChecksum } from '../../domain/nip';
import { dropDatabase } from '../../infra/postgres';
import { freePort, stopChild, waitFor } from '../../infra/processes';
import { startTemporalServer, type RunningTemporalServer } from '../../infra/temporal-server';
import { createKsefSimulator } from '../../ksef-simulator/app';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { createTestAuth } from '../support/auth';
import { spawnWorker, type WorkerProcess } from '../support/deployment';
import { freshDatabase } from '../support/fresh-database';
import { testEnv } from '../support/stack';

const ROOT = path.resolve(__dirname, '..', '..');
export const SOURCE_SYSTEMS = ['erp', 'crm', 'shop'] as const;

export interface ApiProcess {
  url: string;
  child: ChildProcess;
}

export interface Cluster {
  temporalKind: 'server-on-postgresql' | 'dev-server';
  temporalAddress: string;
  sellerNip: string;
  prisma: PrismaClient;
  simulatorRootUrl: string;
  apis: ApiProcess[];
  workers: WorkerProcess[];
  /** Bearer headers of each source system's API key. */
  keys: Record<(typeof SOURCE_SYSTEMS)[number], Record<string, string>>;
  killWorker(index: number): Promise<void>;
  restartApi(index: number): Promise<void>;
  restartTemporal(): Promise<void>;
  faults(config: unknown): Promise<void>;
  stop(): Promise<void>;
}

export async function startCluster(kind: Cluster['temporalKind']): Promise<Cluster> {
  const env = testEnv();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'ksef-ops-shape-'));
  const database = await freshDatabase();
  const temporalDbs = { temporal: `${new URL(database.url).pathname.slice(1)}_temporal`, visibility: `${new URL(database.url).pathname.slice(1)}_temporal_vis` };
  let server: RunningTemporalServer | undefined;
  if (kind === 'server-on-postgresql') {
    server = await startTemporalServer({ rootDir: ROOT, logDir: path.join(workDir, 'logs'), postgresUrl: database.url, databases: temporalDbs, historyShards: 4 });
  }
  const temporalAddress = server?.address ?? env.address;
  const taskQueue = `shape-${kind}-${Date.now()}`;
  const sellerNip = randomSellerNip();
  const prisma = createPrismaClient(database.url, 5);
  const simulator = createKsefSimulator({ processingDelayMs: 30 });
  const sim = await simulator.listen(0);
  const keys = {} as Cluster['keys'];
  for (const source of SOURCE_SYSTEMS) keys[source] = await (await createTestAuth(prisma, { sourceSystem: source, sellerNips: [sellerNip] })).headersFor('sender-key');

  const processEnv: NodeJS.ProcessEnv = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    KSEF_BASE_URL: sim.url,
    WORKER_WORKFLOW_BUNDLE: env.bundle,
  };
  const workers: WorkerProcess[] = [];
  const startWorker = async (name: string) =>
    spawnWorker({
      taskQueue,
      identity: name,
      ksefBaseUrl: sim.url,
      env: { ...processEnv, LOG_LEVEL: 'info', DISPATCH_POLL_INTERVAL_MS: '200', KSEF_MAX_ATTEMPTS: '10', KSEF_RETRY_INITIAL_MS: '200' },
    });
  workers.push(await startWorker('shape-worker-1'), await startWorker('shape-worker-2'));

  const apiPorts = [await freePort(), await freePort()];
  const apis: ApiProcess[] = [];
  for (const port of apiPorts) apis.push(await startApi(port, processEnv));

  return {
    temporalKind: kind,
    temporalAddress,
    sellerNip,
    prisma,
    simulatorRootUrl: sim.rootUrl,
    apis,
    workers,
    keys,
    async killWorker(index) {
      workers[index].kill('SIGKILL');
      await workers[index].exited;
      workers[index] = await startWorker(`shape-worker-${index + 1}-replacement`);
    },
    async restartApi(index) {
      await stopChild(apis[index].child, 30_000);
      apis[index] = await startApi(apiPorts[index], processEnv);
    },
    async restartTemporal() {
      if (!server) throw new Error('the dev server of the test run is shared: it is not restarted here');
      await server.restart();
    },
    async faults(config) {
      const response = await fetch(`${sim.rootUrl}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
      if (!response.ok) throw new Error(`faults refused: ${await response.text()}`);
    },
    async stop() {
      for (const api of apis) await stopChild(api.child, 15_000);
      for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await server?.stop();
      await prisma.$disconnect();
      await sim.close();
      await database.drop();
      const pg = new URL(database.url);
      for (const name of Object.values(temporalDbs)) {
        pg.pathname = `/${name}`;
        await dropDatabase(pg.toString());
      }
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** `api/main.ts` as its own process (node --import tsx, as the worker runs), ready when /healthz answers. */
async function startApi(port: number, env: NodeJS.ProcessEnv): Promise<ApiProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'api', 'main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`API on ${url}`, async () => {
    if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}: ${stderr}`);
    return (await fetch(`${url}/healthz`)).ok;
  }, 180_000, 300).catch((error) => {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  });
  return { url, child };
}

function randomSellerNip(): string {
  for (;;) {
    const nip = nipWithChecksum(`8${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`);
    if (nip) return nip;
  }
}
