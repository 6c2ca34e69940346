import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { Client } from '@temporalio/client';
import { connectTemporalClient, connectTemporalWorker } from '../infra/temporal-connection';
import { createPrismaClient } from '../prisma/client';
import { KsefContexts } from '../activities/ksef-sessions';
import { alertingFromConfig } from '../activities/alerts';
import { ensureOperationsSweep } from './operations-sweep';
import { ensureCounterpartyAuditSchedule } from './counterparty-audit-schedule';
import { PrismaCounterpartyLookup } from '../prisma/counterparty-repository';
import { createWorker } from './create-worker';
import { ensurePurchaseImportSchedules } from './purchase-import-schedule';
import { activityLogContext } from './log-context';
import { installWorkerRuntime } from './runtime';

/** Worker process: polls the invoice task queue until SIGINT/SIGTERM, then drains and exits. */
async function main() {
  const config = loadConfig();
  if (!config.database.url) throw new Error('DATABASE_URL is required for the worker (KSEFOPS_DATABASE_URL_MISSING)');
  const logger = createLogger('worker', config.logLevel, { mixin: activityLogContext });
  installWorkerRuntime(logger, config.ops.workerMetricsBind);
  const prisma = createPrismaClient(config.database.url);
  const ksef = new KsefContexts({ baseUrl: config.ksef.baseUrl, tokens: config.ksef.tokens, certificate: config.ksef.certificate }, logger.child({ component: 'ksef' }));
  const connection = await connectTemporalWorker(config.temporal);
  // The dispatcher's activities signal invoice workflows and start dispatchers: they need a client.
  const clientConnection = await connectTemporalClient(config.temporal);
  const temporal = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  // Separate clients without in-process retries: the dispatcher counts every request it makes.
  const dispatchKsef = new KsefContexts({ baseUrl: config.ksef.baseUrl, tokens: config.ksef.tokens, certificate: config.ksef.certificate, maxAttempts: 1 }, logger.child({ component: 'ksef-dispatch' }));
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps: {
      prisma,
      ksef,
      logger,
      approvalThresholdGross: config.lifecycle.approvalThresholdGross,
      vatDictionary: config.validation.vatDictionary,
      counterparties: new PrismaCounterpartyLookup(prisma),
      dispatch: { prisma, temporal, taskQueue: config.temporal.taskQueue, ksef: dispatchKsef, logger, dispatcher: config.dispatcher },
      alerting: alertingFromConfig(config, prisma, logger),
    },
    features: { offline: config.offline, imports: { initialLookbackMs: config.imports.initialLookbackMs } },
    operations: { webhooks: config.statusWebhooks, checks: { backlogLimit: config.alerts.backlogLimit }, stuck: config.stuck },
    tuning: config.worker,
    identity: config.ops.workerIdentity,
    shutdownGraceMs: config.ops.workerShutdownGraceMs,
    ...(config.ops.workflowBundlePath ? { workflowBundle: { codePath: config.ops.workflowBundlePath } } : {}),
  });
  // Digests, checks and status-webhook delivery run in one workflow per task queue; every worker ensures it.
  await ensureOperationsSweep(temporal, config.temporal.taskQueue, config.alerts.sweep);
  await ensurePurchaseImportSchedules(temporal, config.temporal.taskQueue, { buyerNips: config.imports.buyerNips, everyMs: config.imports.everyMs });
  await ensureCounterpartyAuditSchedule(temporal, config.temporal.taskQueue, config.validation.counterpartyAuditEveryMs);
  // Ctrl-C reaches every process of the group and `npm start` then sends SIGTERM too: stop once.
  const stop = () => {
    if (worker.getState() !== 'RUNNING') return;
    logger.info('shutting down: finishing in-flight tasks');
    worker.shutdown();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address, identity: worker.options.identity, metrics: config.ops.workerMetricsBind }, 'worker polling');
  await worker.run();
  await ksef.closeAll();
  await dispatchKsef.closeAll();
  await clientConnection.close();
  await connection.close();
  await prisma.$disconnect();
  logger.info('worker stopped');
}

main().catch((error) => {
  createLogger('worker').fatal({ err: error }, 'worker failed');
  process.exit(1);
});
