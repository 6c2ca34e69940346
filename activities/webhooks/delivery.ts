import type { Logger } from '../../config/logger';
import type { PrismaClient } from '../../prisma/client';
import type { Alerting } from '../alerting';
import { postJson } from './safe-post';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from './signature';
import { STRICT_TARGET_POLICY, type OutboundTargetPolicy } from './target-policy';

export interface WebhookDeliverySettings {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
  /** Deliveries taken per sweep. */
  batchSize: number;
  /** Which receivers are allowed (https only, public addresses) unless config allows more for tests. */
  targets: OutboundTargetPolicy;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookDeliverySettings = {
  maxAttempts: 8,
  initialBackoffMs: 5000,
  maxBackoffMs: 60 * 60 * 1000,
  timeoutMs: 10000,
  batchSize: 50,
  targets: STRICT_TARGET_POLICY,
};

export function backoffMs(attempt: number, s: Pick<WebhookDeliverySettings, 'initialBackoffMs' | 'maxBackoffMs'>): number {
  return Math.min(s.initialBackoffMs * 2 ** Math.max(attempt - 1, 0), s.maxBackoffMs);
}

/**
 * Takes due deliveries under a lease (SKIP LOCKED: parallel sweepers never send one twice) and only
 * the oldest pending one per subscription and invoice, so a receiver sees an invoice's statuses in order.
 */
async function claimDue(prisma: PrismaClient, now: Date, leaseMs: number, limit: number): Promise<string[]> {
  const lease = new Date(now.getTime() + leaseMs);
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    UPDATE webhook_deliveries d SET "lockedUntil" = ${lease}
    WHERE d.id IN (
      SELECT c.id FROM webhook_deliveries c
      WHERE c.state = 'PENDING' AND c."nextAttemptAt" <= ${now} AND (c."lockedUntil" IS NULL OR c."lockedUntil" < ${now})
        AND NOT EXISTS (
          SELECT 1 FROM webhook_deliveries o
          WHERE o."subscriptionId" = c."subscriptionId" AND o."registryId" = c."registryId" AND o.state = 'PENDING' AND o."createdAt" < c."createdAt")
      ORDER BY c."nextAttemptAt" LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING d.id::text AS id`;
  return rows.map((r) => r.id);
}

export interface DeliveryRound {
  delivered: number;
  retried: number;
  failed: number;
}

export async function deliverDueWebhooks(deps: { prisma: PrismaClient; logger: Logger; alerting: Alerting }, settings: WebhookDeliverySettings): Promise<DeliveryRound> {
  const { prisma, logger } = deps;
  const ids = await claimDue(prisma, new Date(), settings.timeoutMs * 2, settings.batchSize);
  const round: DeliveryRound = { delivered: 0, retried: 0, failed: 0 };
  if (ids.length === 0) return round;
  const deliveries = await prisma.webhookDelivery.findMany({ where: { id: { in: ids } }, include: { subscription: true } });
  const exhausted: Array<{ d: (typeof deliveries)[number]; attempts: number; error: string }> = [];
  await Promise.all(
    deliveries.map(async (d) => {
      const body = JSON.stringify(d.payload);
      const timestamp = Math.floor(Date.now() / 1000);
      const outcome = await postJson(d.subscription.url, body, {
        policy: settings.targets,
        timeoutMs: settings.timeoutMs,
        headers: {
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signPayload(d.subscription.secret, timestamp, body),
          [DELIVERY_HEADER]: d.id,
          [EVENT_HEADER]: 'invoice.status',
        },
      });
      const statusCode = outcome.status;
      const error = outcome.ok ? null : outcome.reason;
      if (!outcome.ok) logger.warn({ deliveryId: d.id, subscriptionId: d.subscriptionId, code: outcome.code, detail: outcome.detail }, 'status webhook not delivered');
      const attempts = d.attempts + 1;
      if (!error) {
        round.delivered += 1;
        await prisma.webhookDelivery.update({ where: { id: d.id }, data: { state: 'DELIVERED', attempts, deliveredAt: new Date(), lastStatusCode: statusCode, lastError: null, lockedUntil: null } });
        return;
      }
      if (attempts >= settings.maxAttempts) {
        round.failed += 1;
        await prisma.webhookDelivery.update({ where: { id: d.id }, data: { state: 'FAILED', attempts, lastStatusCode: statusCode, lastError: error, lockedUntil: null } });
        exhausted.push({ d, attempts, error });
        return;
      }
      round.retried += 1;
      logger.info({ deliveryId: d.id, attempts, error }, 'status webhook failed; will retry');
      await prisma.webhookDelivery.update({
        where: { id: d.id },
        data: { attempts, lastStatusCode: statusCode, lastError: error, lockedUntil: null, nextAttemptAt: new Date(Date.now() + backoffMs(attempts, settings)) },
      });
    }),
  );
  // After the bookkeeping, one alert per failed delivery: the alerting's default key is the activity
  // execution, under which one sweep's failures collided (and failed the round) or folded into one.
  for (const { d, attempts, error } of exhausted) {
    const payload = d.payload as { invoice?: { invoiceNumber?: string; sellerNip?: string } };
    try {
      await deps.alerting.raise({
        kind: 'retries-exhausted',
        registryId: d.registryId,
        invoiceNumber: payload.invoice?.invoiceNumber ?? null,
        sellerNip: payload.invoice?.sellerNip ?? null,
        sourceSystem: d.subscription.sourceSystem,
        errorCode: 'WEBHOOK_DELIVERY_FAILED',
        reason: `Status webhook ${d.id} to ${d.subscription.url} failed ${attempts} times; last error: ${error}`,
        escalationLevel: 0,
        details: { deliveryId: d.id, subscriptionId: d.subscriptionId },
      }, { idempotencyKey: `webhook-delivery-failed/${d.id}` });
    } catch (raiseError) {
      logger.error({ err: raiseError, deliveryId: d.id }, 'retries-exhausted alert for a status webhook could not be raised');
    }
  }
  return round;
}
