import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Prisma } from '../../prisma/client';

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
 * Outbox: called inside the transaction that writes the status, so a delivery exists exactly when the
 * status change does. `eventKey` identifies the change (the activity execution), so a retried
 * activity enqueues nothing twice. Delivery happens elsewhere; a slow receiver never holds the invoice.
 */
export async function enqueueStatusWebhooks(tx: Prisma.TransactionClient, registryId: string, eventKey: string): Promise<number> {
  const invoice = await tx.invoice.findUnique({
    where: { id: registryId },
    select: { id: true, invoiceNumber: true, sourceSystem: true, sellerNip: true, status: true, step: true, ksefNumber: true, rejectionReason: true, rejectionCode: true, nextAction: true },
  });
  if (!invoice) return 0;
  const subscriptions = await tx.webhookSubscription.findMany({ where: { sourceSystem: invoice.sourceSystem, active: true }, select: { id: true } });
  if (subscriptions.length === 0) return 0;
  const occurredAt = new Date().toISOString();
  const { count } = await tx.webhookDelivery.createMany({
    skipDuplicates: true,
    data: subscriptions.map((s) => {
      const id = randomUUID();
      const payload: StatusEventPayload = {
        event: 'invoice.status',
        deliveryId: id,
        occurredAt,
        invoice: {
          id: invoice.id,
          invoiceNumber: invoice.invoiceNumber,
          sourceSystem: invoice.sourceSystem,
          sellerNip: invoice.sellerNip,
          status: invoice.status,
          step: invoice.step,
          ksefNumber: invoice.ksefNumber,
          reason: invoice.rejectionReason,
          rejectionCode: invoice.rejectionCode,
          nextAction: invoice.nextAction,
        },
      };
      return { id, subscriptionId: s.id, eventKey, registryId, status: invoice.status, payload: payload as unknown as Prisma.InputJsonValue };
    }),
  });
  return count;
}

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
