// The alerting lives in ./alerting (responsibility map, dedup/throttle, digest, channels); this
// module keeps the import path the workflow activities and the wiring already use.
export { createAlerting, type Alerting, type AlertingOptions, type AlertKind, type AlertRequest, type AlertOutcome } from './alerting';

import type { AppConfig } from '../config';
import type { Logger } from '../config/logger';
import type { PrismaClient } from '../prisma/client';
import { createAlerting as create } from './alerting';

/** The production alerting, as both the API and the worker build it from the one configuration. */
export function alertingFromConfig(config: AppConfig, prisma: PrismaClient, logger: Logger) {
  return create({
    prisma,
    logger,
    escalationChain: config.alerts.escalationChain,
    smtp: config.alerts.smtp,
    webhookUrl: config.alerts.webhookUrl,
    targets: config.outboundWebhooks.targets,
    publicUrl: config.api.publicUrl,
    scope: config.temporal.taskQueue,
    dedupWindowMs: config.alerts.dedupWindowMs,
  });
}
