/**
 * A deployment-shaped system for chaos tests: its own Temporal dev server on a persistent SQLite
 * file (so it can be restarted mid-run), the KSeF simulator, the API in-process, and the production
 * worker entry point as child processes that can be killed with SIGKILL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { nipWithChecksum } from '../../domain/nip';
import { freePort } from '../../infra/processes';
import { startTemporalDevServer, type RunningDevServer } from '../../infra/temporal-dev-server';
import { createKsefSimulator, type KsefSimulator } from '../../ksef-simulator/app';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { DEFAULT_LIFECYCLE_SETTINGS, type LifecycleSettings } from '../../workflows/contracts';
import { createTestAuth } from '../support/auth';
import { spawnWorker, type WorkerProcess } from '../support/deployment';
import { silentLogger, testEnv } from '../support/stack';

const ROOT = path.resolve(__dirname, '..', '..');

/** Short enough to fire inside a chaos run, long enough that a killed worker's replacement usually wins. */
export const CHAOS_STUCK_SLAS = { RECEIVED: 90_000, VALIDATING: 90_000, SENDING: 180_000, SENT: 180_000 };

export interface ChaosSystem {
  sellerNip: string;
  simulator: KsefSimulator;
  simulatorRootUrl: string;
  prisma: PrismaClient;
  temporal(): Client;
  submit(body: unknown): Promise<{ status: number; body: any }>;
  /** The same seller's second source system (its own API key): how a cross-source duplicate arrives. */
  submitFromSecondSource(body: unknown): Promise<{ status: number; body: any }>;
  secondSource: string;
  startWorker(name: string): Promise<WorkerProcess>;
  workers: WorkerProcess[];
  restartTemporal(): Promise<void>;
  faults(config: unknown): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosSystem(): Promise<ChaosSystem> {
  const env = testEnv();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ksef-ops-chaos-'));
  const port = await freePort();
  const devServer = () => startTemporalDevServer({ rootDir: ROOT, dataDir, port, headless: true, dbFile: path.join(dataDir, 'temporal.sqlite') });
  let temporalServer: RunningDevServer = await devServer();
  const taskQueue = `chaos-${randomUUID().slice(0, 8)}`;
  // A seller of its own: the outbox table is shared with other test files.
  const sellerNip = (() => {
    for (;;) {
      const nip = nipWithChecksum(`7${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`);
      if (nip) return nip;
    }
  })();

  const simulator = createKsefSimulator({ processingDelayMs: 30 });
  const sim = await simulator.listen(0);
  const prisma = createPrismaClient(env.databaseUrl, 10);
  // gRPC reconnects on its own when the server comes back on the same port: one client for the run.
  const connection = await Connection.connect({ address: temporalServer.address });
  const client = new Client({ connection });
  const lifecycle: LifecycleSettings = { ...DEFAULT_LIFECYCLE_SETTINGS, ksefInitialRetryMs: 200 };
  const auth = await createTestAuth(prisma, { sellerNips: [sellerNip] });
  const headers = await auth.headersFor('sender-key');
  const secondSource = 'chaos-crm';
  const secondHeaders = await (await createTestAuth(prisma, { sourceSystem: secondSource, sellerNips: [sellerNip] })).headersFor('sender-key');

  const app = createApp({
    prisma,
    temporal: client,
    logger: silentLogger,
    taskQueue,
    namespace: 'default',
    temporalUiUrl: 'http://127.0.0.1:8233',
    ksefBaseUrl: sim.url,
    lifecycle,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const workers: WorkerProcess[] = [];

  return {
    sellerNip,
    simulator,
    simulatorRootUrl: sim.rootUrl,
    prisma,
    temporal: () => client,
    workers,
    secondSource,
    async submit(body) {
      const response = await fetch(`${apiUrl}/api/v1/invoices`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: await response.json() };
    },
    async submitFromSecondSource(body) {
      const response = await fetch(`${apiUrl}/api/v1/invoices`, { method: 'POST', headers: { ...secondHeaders, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: await response.json() };
    },
    async startWorker(name) {
      const worker = await spawnWorker({
        taskQueue,
        identity: name,
        ksefBaseUrl: sim.url,
        env: {
          TEMPORAL_ADDRESS: temporalServer.address,
          DISPATCH_POLL_INTERVAL_MS: '200',
          // Under 20 % 5xx a send fails now and then; chaos must not push invoices to triage.
          KSEF_MAX_ATTEMPTS: '10',
          KSEF_RETRY_INITIAL_MS: '200',
          // The stuck-invoice sweep runs through the chaos: whatever does not finish in minutes is alerted.
          ALERT_CHECKS_INTERVAL_MS: '5000',
          STUCK_SLA_JSON: JSON.stringify(CHAOS_STUCK_SLAS),
        },
      });
      workers.push(worker);
      return worker;
    },
    async restartTemporal() {
      await temporalServer.stop();
      temporalServer = await devServer();
    },
    async faults(config) {
      const response = await fetch(`${sim.rootUrl}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
      if (!response.ok) throw new Error(`faults refused: ${await response.text()}`);
    },
    async stop() {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close().catch(() => undefined);
      await temporalServer.stop();
      await prisma.$disconnect();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
