import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { sweepNowSignal, type OperationsSweepInput } from '../workflows/operations-sweep';

export const DEFAULT_SWEEP: OperationsSweepInput = { tickMs: 2000, digestEveryMs: 5 * 60 * 1000, checksEveryMs: 15 * 60 * 1000 };

export const sweepWorkflowId = (taskQueue: string) => `operations-sweep/${taskQueue}`;

/** Starts the task queue's sweep unless it runs already (every worker process may call this). */
export async function ensureOperationsSweep(client: Client, taskQueue: string, input: OperationsSweepInput = DEFAULT_SWEEP): Promise<void> {
  await client.workflow.start('operationsSweepWorkflow', {
    workflowId: sweepWorkflowId(taskQueue),
    taskQueue,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
}

/** Wakes the sweep now: a digest right away, and the checks when asked (e.g. after a role change). */
export async function sweepNow(client: Client, taskQueue: string, what: { digest?: boolean; checks?: boolean } = {}): Promise<void> {
  await client.workflow.getHandle(sweepWorkflowId(taskQueue)).signal(sweepNowSignal, what);
}
