/**
 * The periodic side of alerting and webhooks, one per task queue: every tick it delivers due status
 * webhooks (outbox), and at their own intervals sends alert digests and runs the checks (bus factor,
 * rejection spike, time to fix, backlog). A signal wakes it at once (tests, admin actions).
 */
import { continueAsNew, condition, defineSignal, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { OperationsActivities } from '../activities/operations';
import { activityOptions } from './retry-policies';

export interface OperationsSweepInput {
  tickMs: number;
  digestEveryMs: number;
  checksEveryMs: number;
}

export const sweepNowSignal = defineSignal<[{ digest?: boolean; checks?: boolean }?]>('sweepNow');

// Bounds the history: a fresh run after this many ticks.
const TICKS_PER_RUN = 500;

export async function operationsSweepWorkflow(input: OperationsSweepInput): Promise<void> {
  const ops = proxyActivities<OperationsActivities>(activityOptions('operations'));
  let wake = false;
  let forceDigest = false;
  let forceChecks = false;
  setHandler(sweepNowSignal, (what) => {
    wake = true;
    forceDigest ||= what?.digest ?? true;
    forceChecks ||= what?.checks ?? false;
  });

  let lastDigest = Date.now();
  let lastChecks = 0;
  for (let tick = 0; tick < TICKS_PER_RUN; tick++) {
    const now = Date.now();
    const work: Array<Promise<unknown>> = [ops.deliverStatusWebhooks()];
    if (forceDigest || now - lastDigest >= input.digestEveryMs) {
      forceDigest = false;
      lastDigest = now;
      work.push(ops.sweepAlertDigests());
    }
    if (forceChecks || now - lastChecks >= input.checksEveryMs) {
      forceChecks = false;
      lastChecks = now;
      work.push(ops.runAlertChecks());
    }
    // One failing part (a mail server down) must not stop the others; the next tick tries again.
    for (const outcome of await Promise.allSettled(work)) {
      if (outcome.status === 'rejected') log.warn('operations sweep step failed', { error: String(outcome.reason) });
    }
    wake = false;
    await condition(() => wake, input.tickMs);
  }
  await continueAsNew<typeof operationsSweepWorkflow>(input);
}
