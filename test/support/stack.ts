/**
 * The product assembled in-process for a test file: real KSeF simulator (HTTP on a free port),
 * real worker and API against the run's Temporal server and database. Each stack gets its own task
 * queue so test files never pick up each other's workflows.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import pino from 'pino';
import { createAlerting, type Alerting, type AlertingOptions } from '../../activities/alerts';
import type { OperationsDeps } from '../../activities/operations';
import { ensureOperationsSweep } from '../../worker/operations-sweep';
import type { OperationsSweepInput } from '../../workflows/operations-sweep';
import { createTestAuth, type CallAs, type TestAuth } from './auth';
import { KsefContexts } from '../../activities/ksef-sessions';
import type { KsefCertificateCredential } from '../../ksef-client/certificate-credential';
import { createApp } from '../../api/app';
import type { AttachmentSettings } from '../../api/documents-mount';
import type { AuthSettings } from '../../api/auth/routes';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { createKsefSimulator, type KsefSimulator, type KsefSimulatorOptions } from '../../ksef-simulator/app';
import { createWorker } from '../../worker/create-worker';
import { counterpartyAuditScheduleId, ensureCounterpartyAuditSchedule } from '../../worker/counterparty-audit-schedule';
import { PrismaCounterpartyLookup } from '../../prisma/counterparty-repository';
import type { VatDictionary } from '../../domain/validation';
import type { FeatureDeps } from '../../activities/features';
import { DEFAULT_LIFECYCLE_SETTINGS, type DispatcherSettings, type LifecycleSettings } from '../../workflows/contracts';
import { PUBLISHED_LIMITS } from '../../workflows/rate-budget';
import { outboundTargetsFrom } from '../../config/outbound-targets';
import type { OutboundTargetPolicy } from '../../activities/webhooks/target-policy';
import { answerMalformedHttp } from '../../api/malformed-http';

/** Published limits, faster polling: tests wait for KSeF's answers, never for fixed sleeps. */
export const TEST_DISPATCHER_SETTINGS: DispatcherSettings = {
  limits: PUBLISHED_LIMITS,
  batchMinSize: 20,
  maxBatchSize: 10000,
  onlineSendsPerSecond: 8,
  pollIntervalMs: 200,
  maxHistoryEvents: 5000,
  maxSendFailures: 3,
};

/** Test receivers listen on 127.0.0.1 over plain http: allowed the way a development config allows it. */
export const TEST_OUTBOUND_TARGETS: OutboundTargetPolicy = outboundTargetsFrom({ NODE_ENV: 'test', WEBHOOK_ALLOW_INSECURE_TARGETS: '127.0.0.1' });

export interface StackOptions {
  /**
   * KSEF_AUTH_METHOD=certificate: called once the simulator listens (its CA issues the certificate);
   * the worker then authenticates with it (XAdES) instead of KSeF tokens.
   */
  ksefCertificate?: (simulator: { url: string; rootUrl: string }) => Promise<KsefCertificateCredential>;
  /** Where status and chat webhooks may go (API registration, worker delivery, alert channel); default TEST_OUTBOUND_TARGETS. */
  outboundTargets?: OutboundTargetPolicy;
  simulator?: KsefSimulatorOptions;
  /** Attachment storage/limits for the API (default: from the environment, as a process would). */
  attachments?: Partial<AttachmentSettings>;
  dispatcher?: Partial<DispatcherSettings>;
  lifecycle?: Partial<LifecycleSettings>;
  alerting?: Alerting;
  /** Alerting settings (SMTP of a test's mail server, webhook, dedup window); scope = the stack's queue. */
  alertingOptions?: Partial<Omit<AlertingOptions, 'prisma' | 'logger'>>;
  /** The operations sweep (webhook delivery, digests, checks): short ticks, digests/checks on demand. */
  operations?: { sweep?: Partial<OperationsSweepInput> } & Pick<OperationsDeps, 'webhooks' | 'checks' | 'stuck'>;
  /** A database of its own (tests about global facts, e.g. how many admins exist). */
  databaseUrl?: string;
  /** Create the counterparty-audit Schedule with this interval (removed again by stop()). */
  counterpartyAuditEveryMs?: number;
  /** Per-source-system VAT code dictionary (KSEF_VAT_DICTIONARY), given to the API and the worker. */
  vatDictionary?: VatDictionary;
  /** Source systems whose unknown invoice fields the API drops with a warning (UNKNOWN_FIELDS_LENIENT_SOURCE_SYSTEMS). */
  lenientSourceSystems?: string[];
  /** Offline mode (KOD II certificate), purchase import: merged over the stack's defaults. */
  features?: Partial<FeatureDeps>;
  /** Sign-in settings of the API (lockout limits), merged over its defaults. */
  auth?: Partial<AuthSettings>;
}

export interface ApiCall {
  method?: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  /** Who calls: default the operator (every role); a role, 'sender-key', 'anonymous', a named person or a token. */
  as?: CallAs;
  headers?: Record<string, string>;
}

export interface TestStack {
  apiUrl: string;
  simulator: KsefSimulator;
  simulatorUrl: string;
  simulatorRootUrl: string;
  prisma: PrismaClient;
  temporal: Client;
  taskQueue: string;
  lifecycle: LifecycleSettings;
  api(path: string, init?: ApiCall): Promise<{ status: number; body: any; headers: Headers }>;
  auth: TestAuth;
  alerting: Alerting;
  stop(): Promise<void>;
}

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function testEnv() {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const bundle = process.env.TEST_WORKFLOW_BUNDLE;
  if (!address || !databaseUrl || !bundle) throw new Error('Test infrastructure missing: run tests through jest.config.js (global setup).');
  return { address, databaseUrl, bundle };
}

export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const env = testEnv();
  const simulator = createKsefSimulator({ processingDelayMs: 20, ...options.simulator });
  const sim = await simulator.listen(0);
  const prisma = createPrismaClient(options.databaseUrl ?? env.databaseUrl, 20);
  // Test files share one database and mostly one seller NIP, and every stack has its own dispatcher and
  // simulator: a document an earlier file left queued (the fuzz test does not wait for its accepted
  // invoices) would be sent by this stack's dispatcher first and take a fault meant for this file's
  // invoice ("reject the next one"). Earlier stacks are stopped by now (jest --runInBand).
  await prisma.ksefDocument.updateMany({ where: { queuedAt: { not: null } }, data: { queuedAt: null } });
  const lifecycle: LifecycleSettings = {
    ...DEFAULT_LIFECYCLE_SETTINGS,
    ksefInitialRetryMs: 100,
    ...options.lifecycle,
  };
  const taskQueue = `test-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address: env.address });
  const connection = await Connection.connect({ address: env.address });
  const temporal = new Client({ connection });
  const certificate = options.ksefCertificate ? await options.ksefCertificate(sim) : null;
  const ksef = new KsefContexts({ baseUrl: sim.url, tokens: { default: 'test-token' }, certificate, timeoutMs: 5000 }, silentLogger);
  const dispatchKsef = new KsefContexts({ baseUrl: sim.url, tokens: { default: 'test-token' }, certificate, timeoutMs: 5000, maxAttempts: 1 }, silentLogger);
  const dispatcher: DispatcherSettings = { ...TEST_DISPATCHER_SETTINGS, ...options.dispatcher };
  const outboundTargets = options.outboundTargets ?? TEST_OUTBOUND_TARGETS;
  const alerting =
    options.alerting ??
    createAlerting({ prisma, logger: silentLogger, escalationChain: ['first-line@example.com', 'manager@example.com'], scope: taskQueue, targets: outboundTargets, ...options.alertingOptions });
  const auth = await createTestAuth(prisma);
  const worker: Worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: { codePath: env.bundle },
    deps: {
      prisma,
      ksef,
      logger: silentLogger,
      approvalThresholdGross: lifecycle.approvalThresholdGross,
      counterparties: new PrismaCounterpartyLookup(prisma),
      vatDictionary: options.vatDictionary,
      dispatch: { prisma, temporal, taskQueue, ksef: dispatchKsef, logger: silentLogger, dispatcher, dispatcherIdPrefix: `ksef-dispatcher-${taskQueue}-` },
      alerting,
    },
    features: {
      ...options.features,
      offline: { apiBaseUrl: sim.url, latarniaUrl: `${sim.rootUrl}/latarnia`, qrBaseUrl: 'https://qr-test.ksef.mf.gov.pl', probeTimeoutMs: 1000, ...options.features?.offline },
    },
    operations: { webhooks: { initialBackoffMs: 200, maxBackoffMs: 1000, timeoutMs: 3000, targets: outboundTargets, ...options.operations?.webhooks }, checks: options.operations?.checks,
      // Test files share one database: a stack sweeps for stuck invoices only when its test asks, so no
      // file is alerted about invoices an earlier file left in flight.
      stuck: options.operations?.stuck ?? null,
    },
  });
  const workerRun = worker.run();
  const app = createApp({
    prisma,
    temporal,
    logger: silentLogger,
    taskQueue,
    namespace: 'default',
    temporalUiUrl: 'http://127.0.0.1:8233',
    ksefBaseUrl: sim.url,
    ksefCertificate: certificate,
    lifecycle,
    alerting,
    outboundTargets,
    attachments: options.attachments,
    vatDictionary: options.vatDictionary,
    auth: options.auth,
    lenientSourceSystems: options.lenientSourceSystems,
  });
  await ensureOperationsSweep(temporal, taskQueue, { tickMs: 1000, digestEveryMs: 60 * 60 * 1000, checksEveryMs: 60 * 60 * 1000, ...options.operations?.sweep });
  if (options.counterpartyAuditEveryMs) await ensureCounterpartyAuditSchedule(temporal, taskQueue, options.counterpartyAuditEveryMs);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    answerMalformedHttp(s);
  });
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl,
    simulator,
    simulatorUrl: sim.url,
    simulatorRootUrl: sim.rootUrl,
    prisma,
    temporal,
    taskQueue,
    lifecycle,
    auth,
    alerting,
    async api(path, init = {}) {
      const response = await fetch(`${apiUrl}${path}`, {
        method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET'),
        headers: {
          ...(init.body !== undefined || init.rawBody !== undefined ? { 'content-type': init.contentType ?? 'application/json' } : {}),
          ...(await auth.headersFor(init.as)),
          ...init.headers,
        },
        body: init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: response.status, body, headers: response.headers };
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (options.counterpartyAuditEveryMs) await temporal.schedule.getHandle(counterpartyAuditScheduleId(taskQueue)).delete().catch(() => undefined);
      // Dispatchers live as long as their seller; this stack's ones end with it.
      for await (const run of temporal.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
        await temporal.workflow.getHandle(run.workflowId).terminate('test stack stopped').catch(() => undefined);
      }
      worker.shutdown();
      await workerRun;
      await ksef.closeAll().catch(() => undefined);
      await dispatchKsef.closeAll().catch(() => undefined);
      await nativeConnection.close();
      await connection.close();
      await prisma.$disconnect();
      await sim.close();
    },
  };
}

/** Poll until `check` returns a value (durations come from config; this only waits for them). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 30000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

