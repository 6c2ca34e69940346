import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { Prisma } from '../../prisma/client';
import { PROJECTED_ROW } from '../../prisma/invoice-registry';

/** What a source system receives on every status change of its invoice. */
export interface StatusEventPayload {
  event: 'invoice.status';
  deliveryId: string;
  occurredAt: string;
  invoice: {
    id: string;
    invoiceNumber: string;
    sourceSystem: string;
    sellerNip: string;
    status: string;
    step: string;
    ksefNumber: string | null;
    reason: string | null;
    rejectionCode: string | null;
    nextAction: string | null;
  };
}

/**
 * Outbox: part of the statement that writes the status (`projectStatusWith`), so a delivery exists
 * exactly when the status change does. `eventKey` identifies the change (the activity execution), so
 * a retried activity enqueues nothing twice. Most invoices have no subscriber, and every status
 * change of every invoice passes here. Delivery happens elsewhere; a slow receiver never holds the
 * invoice. Reads the row as updated (the statement's `projected` part), never the one before.
 * `eventKey` is one key for a one-row projection, or an expression over `i` (the projected row) when
 * one statement moves many invoices.
 */
export function statusWebhooksAlongside(eventKey: string | Prisma.Sql): Prisma.Sql {
  const occurredAt = new Date().toISOString();
  return Prisma.sql`
    INSERT INTO webhook_deliveries (id, "subscriptionId", "eventKey", "registryId", status, payload)
    SELECT d.id, s.id, ${typeof eventKey === 'string' ? Prisma.sql`${eventKey}` : eventKey}, i.id, i.status::text,
      jsonb_build_object(
        'event', 'invoice.status',
        'deliveryId', d.id,
        'occurredAt', ${occurredAt}::text,
        'invoice', jsonb_build_object(
          'id', i.id, 'invoiceNumber', i."invoiceNumber", 'sourceSystem', i."sourceSystem", 'sellerNip', i."sellerNip",
          'status', i.status::text, 'step', i.step, 'ksefNumber', i."ksefNumber", 'reason', i."rejectionReason",
          'rejectionCode', i."rejectionCode", 'nextAction', i."nextAction"))
    FROM ${Prisma.raw(PROJECTED_ROW)} i
    JOIN webhook_subscriptions s ON s."sourceSystem" = i."sourceSystem" AND s.active
    CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id) d
    ON CONFLICT ("subscriptionId", "eventKey") DO NOTHING`;
}

/** Per invoice of a dispatcher's send: the attempt (dispatch id) moved to SENT, which a retry shares. */
export const SENT_EVENT_KEY = Prisma.sql`i."dispatchId" || '/SENT'`;

/** The status change an activity execution stands for; retries of the execution share it. */
export function statusEventKey(registryId: string, status: string): string {
  try {
    const info = Context.current().info;
    if (info.workflowExecution) return `${info.workflowExecution.workflowId}/${info.workflowExecution.runId}/${info.activityId}`;
  } catch {
    /* called outside an activity (tools, tests): every call is its own event */
  }
  return `${registryId}/${status}/${randomUUID()}`;
}
