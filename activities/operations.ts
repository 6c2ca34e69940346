import type { Logger } from '../config/logger';
import type { PrismaClient } from '../prisma/client';
import type { Alerting } from './alerting';
import { DEFAULT_CHECK_SETTINGS, checkBacklog, checkBusFactor, checkRejectionSpike, checkTimeToFix, type CheckSettings } from './alerting/checks';
import { DEFAULT_WEBHOOK_SETTINGS, deliverDueWebhooks, type WebhookDeliverySettings } from './webhooks/delivery';

export interface OperationsDeps {
  prisma: PrismaClient;
  logger: Logger;
  alerting: Alerting;
  webhooks?: Partial<WebhookDeliverySettings>;
  checks?: Partial<CheckSettings>;
}

/**
 * Activities of the operations sweep (workflows/operations-sweep.ts): outbox delivery of status
 * webhooks, alert digests, periodic checks. Separate activities so a slow receiver delays none of the
 * others.
 */
export function createOperationsActivities(deps: OperationsDeps) {
  const webhookSettings = { ...DEFAULT_WEBHOOK_SETTINGS, ...deps.webhooks };
  const checkSettings = { ...DEFAULT_CHECK_SETTINGS, ...deps.checks };
  return {
    async deliverStatusWebhooks() {
      return deliverDueWebhooks(deps, webhookSettings);
    },
    async sweepAlertDigests() {
      return deps.alerting.sweepDigests();
    },
    async runAlertChecks() {
      const coverage = await checkBusFactor(deps.prisma, deps.alerting, checkSettings);
      const spikes = await checkRejectionSpike(deps.prisma, deps.alerting, checkSettings);
      const timeToFix = await checkTimeToFix(deps.prisma, deps.alerting, checkSettings);
      const backlog = await checkBacklog(deps.prisma, deps.alerting, checkSettings);
      return { busFactorOk: coverage.every((c) => c.ok), spikes, timeToFixGrowing: timeToFix !== null, backlog };
    },
  };
}

export type OperationsActivities = ReturnType<typeof createOperationsActivities>;
