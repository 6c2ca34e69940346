/**
 * One long-lived dispatcher per KSeF context (seller NIP). KSeF limits requests per context and
 * client IP (online: 10 sends a second, 30 a minute, 180 an hour; batch: 60 sessions an hour of up
 * to 10 000 invoices), so invoice workflows never call KSeF to send: they queue their XML and this
 * workflow decides what goes out, when, and how — online for a trickle, a batch session when the
 * queue outgrows the online budget — keeping every worker together inside the limits. It also
 * collects final statuses per session and reports them back to each invoice workflow.
 */
import { condition, continueAsNew, patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { DispatchActivities } from '../activities/dispatch';
import { dispatcherStateQuery, wakeDispatcherSignal, type DispatcherInput } from './contracts';
import { activityOptions } from './retry-policies';
import { available, nextBatchSessionAt, prune, record, whenAvailable, type EndpointGroup, type UsageLog } from './rate-budget';

const MAX_BACKOFF_MS = 60_000;

export async function ksefDispatcherWorkflow(input: DispatcherInput): Promise<void> {
  const { sellerNip, settings } = input;
  const { limits } = settings;
  const acts = proxyActivities<DispatchActivities>(activityOptions('dispatcher'));

  let usage: UsageLog = input.usage ?? {};
  let woken = false;
  let rounds = 0;
  let backoffMs = 0;
  let blockedUntil = 0;
  // What each in-flight session had finished at the last look: unchanged sessions cost one cheap status call.
  const finishedSeen = new Map<string, number>();
  const lastPolled = new Map<string, number>();

  setHandler(wakeDispatcherSignal, () => {
    woken = true;
  });
  setHandler(dispatcherStateQuery, () => ({ sellerNip, usage, rounds }));

  const spend = (requests: Partial<Record<EndpointGroup, number>>, sendTimes: number[] = []) => {
    const now = Date.now();
    for (const [group, count] of Object.entries(requests) as Array<[EndpointGroup, number]>) {
      if (!count) continue;
      // Online sends carry their exact times (the per-second window); the rest are stamped now,
      // which is never earlier than when they happened, so the estimate errs on the safe side.
      const times = group === 'onlineSend' && sendTimes.length === count ? sendTimes.map((t) => Math.max(t, now - 1)) : Array(count).fill(now);
      usage = record(usage, group, times);
    }
  };
  const room = (group: EndpointGroup) => available(usage, limits, group, Date.now());

  for (;;) {
    rounds += 1;
    woken = false;
    usage = prune(usage, Date.now());
    const snapshot = await acts.dispatcherSnapshot({ sellerNip });
    let nextWake = Date.now() + settings.pollIntervalMs;

    // 1. Send what waits, unless KSeF told us to back off.
    if (snapshot.queued > 0 && Date.now() >= blockedUntil) {
      let round = null;
      // Invoices with a Zalacznik go only in batch (KSEF-API-FACTS §3.3), whatever the queue length.
      // Snapshots recorded before this field existed have none; patched() only once there is one.
      const batchOnly = (snapshot.batchOnlyQueued ?? 0) > 0 && patched('dispatcher-batch-only') ? snapshot.batchOnlyQueued : 0;
      const online = Math.min(room('onlineSend'), snapshot.queued - batchOnly);
      // A full session may always go; otherwise the hour's sessions are not spent faster than they return.
      const nextBatchAt = patched('dispatcher-batch-pacing') && snapshot.queued < settings.maxBatchSize ? nextBatchSessionAt(usage, limits, Date.now()) : 0;
      const batchFits = room('batchSession') >= 2 && Date.now() >= nextBatchAt;
      if ((snapshot.queued >= settings.batchMinSize || batchOnly > 0) && batchFits) {
        round = await acts.sendQueuedBatch({ sellerNip, max: settings.maxBatchSize });
      } else if (online > 0 && room('onlineSession') >= 1) {
        round = await acts.sendQueuedOnline({ sellerNip, max: Math.min(online, limits.onlineSend.perSecond) });
      } else if (batchFits && whenAvailable(usage, limits, 'onlineSend', 1, Date.now()) - Date.now() > settings.pollIntervalMs * 5) {
        // The online budget is spent for a while: a small batch beats waiting for it.
        round = await acts.sendQueuedBatch({ sellerNip, max: settings.maxBatchSize });
      } else {
        nextWake = Math.min(
          nextWake,
          whenAvailable(usage, limits, 'onlineSend', 1, Date.now()),
          Math.max(nextBatchAt, whenAvailable(usage, limits, 'batchSession', 2, Date.now())),
        );
      }
      if (batchOnly > 0 && !batchFits) nextWake = Math.min(nextWake, Math.max(nextBatchAt, whenAvailable(usage, limits, 'batchSession', 2, Date.now())));
      if (round) {
        spend(round.requests, round.sendTimes);
        if (round.transientError) {
          backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs ? backoffMs * 2 : 1000);
          blockedUntil = Date.now() + Math.max(backoffMs, (round.retryAfterSeconds ?? 0) * 1000);
        } else {
          backoffMs = 0;
        }
        if (round.sent > 0 && snapshot.queued > round.sent) nextWake = Date.now();
      }
    }

    // 2. Collect final statuses of sessions with invoices in flight.
    for (const session of snapshot.sessionsInFlight) {
      const due = (lastPolled.get(session.sessionRef) ?? 0) + settings.pollIntervalMs;
      if (Date.now() < due) {
        nextWake = Math.min(nextWake, due);
        continue;
      }
      if (room('sessionStatus') < 1 || room('sessionInvoices') < 1) {
        nextWake = Math.min(nextWake, whenAvailable(usage, limits, 'sessionInvoices', 1, Date.now()), whenAvailable(usage, limits, 'sessionStatus', 1, Date.now()));
        continue;
      }
      lastPolled.set(session.sessionRef, Date.now());
      const collected = await acts.collectSessionOutcomes({ sellerNip, sessionRef: session.sessionRef, knownFinished: finishedSeen.get(session.sessionRef) ?? 0 });
      spend(collected.requests);
      finishedSeen.set(session.sessionRef, collected.finished);
      nextWake = Math.min(nextWake, Date.now() + settings.pollIntervalMs);
    }
    for (const ref of [...finishedSeen.keys()]) {
      if (!snapshot.sessionsInFlight.some((s) => s.sessionRef === ref)) {
        finishedSeen.delete(ref);
        lastPolled.delete(ref);
      }
    }

    // 3. Keep the history small: a fresh run carries over only the spent budget.
    if (workflowInfo().historyLength > settings.maxHistoryEvents || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof ksefDispatcherWorkflow>({ sellerNip, settings, usage: prune(usage, Date.now()) });
    }

    // 4. Idle: sleep until the next due time or until someone queues an invoice.
    const idle = snapshot.queued === 0 && snapshot.sessionsInFlight.length === 0;
    const waitMs = Math.max(idle ? 60 * 60_000 : 0, Math.max(nextWake, blockedUntil > Date.now() && snapshot.queued > 0 ? blockedUntil : 0) - Date.now());
    if (waitMs > 0) await condition(() => woken, waitMs);
    else await sleep(1);
  }
}
