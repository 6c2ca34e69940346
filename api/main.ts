import { Client } from '@temporalio/client';
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { connectTemporalClient } from '../infra/temporal-connection';
import { createPrismaClient } from '../prisma/client';
import { createApp } from './app';
import { attachmentSettingsFrom } from './documents-mount';
import { alertingFromConfig } from '../activities/alerts';
import { bootstrapAdmin } from './auth/bootstrap';
import { answerMalformedHttp } from './malformed-http';

/** API process: HTTP in front of the registry and the workflows. Stops accepting on SIGTERM, then drains. */
async function main() {
  const config = loadConfig();
  if (!config.database.url) throw new Error('DATABASE_URL is required for the API (KSEFOPS_DATABASE_URL_MISSING)');
  const logger = createLogger('api', config.logLevel);
  const prisma = createPrismaClient(config.database.url);
  const connection = await connectTemporalClient(config.temporal);
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  await bootstrapAdmin(prisma, logger, config.access.admin);
  const alerting = alertingFromConfig(config, prisma, logger);
  const app = createApp({
    alerting,
    alertFallbackChain: config.alerts.escalationChain,
    outboundTargets: config.outboundWebhooks.targets,
    auth: { sessionTtlMs: config.access.sessionTtlMs, secureCookie: config.api.publicUrl.startsWith('https:') },
    prisma,
    temporal,
    logger,
    taskQueue: config.temporal.taskQueue,
    namespace: config.temporal.namespace,
    temporalUiUrl: config.temporal.uiUrl,
    ksefBaseUrl: config.ksef.baseUrl,
    ksefTokens: config.ksef.tokens,
    ksefCertificate: config.ksef.certificate,
    lifecycle: config.lifecycle,
    vatDictionary: config.validation.vatDictionary,
    lenientSourceSystems: config.validation.lenientSourceSystems,
    attachments: attachmentSettingsFrom(config.attachments),
    metricsToken: config.metricsToken,
  });
  const server = app.listen(config.api.port, config.api.host, () => logger.info({ url: config.api.publicUrl }, 'API listening'));
  answerMalformedHttp(server);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down: no new requests, finishing in-flight ones');
    server.close(async () => {
      await connection.close();
      await prisma.$disconnect();
      process.exit(0);
    });
    // Keep-alive sockets with no request in flight would hold close() open until they time out.
    server.closeIdleConnections();
    // A request that outlives the grace period is cut; its client retries (submit is idempotent).
    setTimeout(() => {
      logger.warn({ timeoutMs: config.ops.apiShutdownTimeoutMs }, 'shutdown grace period over: closing remaining connections');
      server.closeAllConnections();
    }, config.ops.apiShutdownTimeoutMs).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  createLogger('api').fatal({ err: error }, 'API failed');
  process.exit(1);
});
