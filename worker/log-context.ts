import { asyncLocalStorage } from '@temporalio/activity';
import { registryIdFor } from '../domain/identity';

/**
 * pino mixin for the worker: any line logged while an activity runs (KSeF client, alerts, Prisma
 * helpers — code that knows nothing about Temporal) carries the workflow and invoice it belongs to,
 * so one invoice's story can be pulled from the logs of every replica.
 */
export function activityLogContext(): Record<string, unknown> {
  const context = asyncLocalStorage.getStore();
  if (!context) return {};
  const { workflowExecution, activityType, activityId, attempt, taskQueue } = context.info;
  const workflowId = workflowExecution?.workflowId;
  return {
    workflowId,
    runId: workflowExecution?.runId,
    // The registry id is derived from the workflow id (domain/identity), no lookup needed.
    ...(workflowId?.startsWith('invoice-') ? { invoiceId: registryIdFor(workflowId) } : {}),
    activityType,
    activityId,
    attempt,
    taskQueue,
  };
}
