/**
 * The yardstick: a workflow that makes as many activity calls as the invoice workflow's happy path
 * and nothing else, so the ratio of the two throughputs is what the product costs on top of Temporal.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { BareActivities } from './activities';

// Same timeouts and retry policy as the invoice workflow's `local` activities.
const acts = proxyActivities<BareActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export async function bareWorkflow(activityCalls: number): Promise<number> {
  for (let i = 0; i < activityCalls; i++) await acts.noop(i);
  return activityCalls;
}
