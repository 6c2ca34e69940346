import type { Logger } from '../config/logger';
import type { PrismaClient } from '../prisma/client';
import type { Alerting } from './alerting';
import { DEFAULT_CHECK_SETTINGS, checkBacklog, checkBusFactor, checkRejectionSpike, checkTimeToFix, type CheckSettings } from './alerting/checks';
import { DEFAULT_WEBHOOK_SETTINGS, deliverDueWebhooks, type WebhookDeliverySettings } from './webhooks/delivery';
import { stuckSweepSettings, type StuckSweepSettings } from '../config/stuck-slas';
import { DEFAULT_LIFECYCLE_SETTINGS } from '../workflows/contracts';
import { sweepStuckInvoices } from './stuck-sweep';

export interface OperationsDeps {
  prisma: PrismaClient;
  logger: Logger;
  alerting: Alerting;
  webhooks?: Partial<WebhookDeliverySettings>;
  checks?: Partial<CheckSettings>;
  /** The stuck-invoice sweep (config/stuck-slas.ts); absent = the defaults, null = off (test stacks that share a database). */
  stuck?: StuckSweepSettings | null;
}

/**
 * Activities of the operations sweep (workflows/operations-sweep.ts): outbox delivery of status
 * webhooks, alert digests, periodic checks. Separate activities so a slow receiver delays none of the
 * others.
 */
export function createOperationsActivities(deps: OperationsDeps) {
  const webhookSettings = { ...DEFAULT_WEBHOOK_SETTINGS, ...deps.webhooks };
  const checkSettings = { ...DEFAULT_CHECK_SETTINGS, ...deps.checks };
  const stuckSettings = deps.stuck === undefined ? stuckSweepSettings({}, DEFAULT_LIFECYCLE_SETTINGS.approvalSlaMs) : deps.stuck;
  return {
    async deliverStatusWebhooks() {
      return deliverDueWebhooks(deps, webhookSettings);
    },
    async sweepAlertDigests() {
      return deps.alerting.sweepDigests();
    },
    async runAlertChecks() {
      // The stuck-invoice sweep runs with the checks: no Temporal action of its own. It goes first and
      // alone, so a failing trend check never hides a stuck invoice (and the other way round).
      let stuck: Awaited<ReturnType<typeof sweepStuckInvoices>> | null = null;
      let stuckError: unknown = null;
      if (stuckSettings) stuck = await sweepStuckInvoices(deps, stuckSettings).catch((error: unknown) => ((stuckError = error), null));
      const coverage = await checkBusFactor(deps.prisma, deps.alerting, checkSettings);
      const spikes = await checkRejectionSpike(deps.prisma, deps.alerting, checkSettings);
      const timeToFix = await checkTimeToFix(deps.prisma, deps.alerting, checkSettings);
      const backlog = await checkBacklog(deps.prisma, deps.alerting, checkSettings);
      if (stuckError) throw stuckError;
      return { busFactorOk: coverage.every((c) => c.ok), spikes, timeToFixGrowing: timeToFix !== null, backlog, stuck };
    },
  };
}

export type OperationsActivities = ReturnType<typeof createOperationsActivities>;
