/**
 * Every activity proxy of every workflow takes its options from this one table, so "how long may
 * this step retry?" has one answer per step, reviewed in one place. A policy is either bounded
 * (maximumAttempts) or says why unbounded is right. Unbounded never means "retry a deterministic
 * error forever": every activity passes its failures through activities/errors.ts, which makes
 * constraint violations, invalid data, validation errors and KSeF 4xx (other than 429)
 * non-retryable with a code; the invoice workflow sends those to triage.
 * test/unit/retry-policies.test.ts parses workflows/ and fails on a proxy that bypasses the table.
 *
 * Changing a policy's numbers does not change the commands a workflow issues (replay compares
 * activity types and ids, not their options), so recorded histories keep replaying.
 */
import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';

export interface NamedPolicy {
  /** Timeouts of the activities that use the policy. */
  startToCloseTimeout: ActivityOptions['startToCloseTimeout'];
  heartbeatTimeout?: ActivityOptions['heartbeatTimeout'];
  retry: RetryPolicy;
  /** Required when retry.maximumAttempts is absent: why retrying transient errors without end is right. */
  unboundedReason?: string;
}

const BACKOFF = { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 } as const;

export const RETRY_POLICIES = {
  /** Registry projections, audit rows, alerts, validation and the send queue of an invoice. */
  registry: {
    startToCloseTimeout: '1 minute',
    retry: { ...BACKOFF },
    unboundedReason:
      'PostgreSQL outage or restart: the invoice resumes where it stopped when the database is back (the stuck-invoice sweep alerts meanwhile); deterministic errors are non-retryable by classification and go to triage',
  },
  /** Direct KSeF reads of the invoice workflow (status re-check, hash of a duplicate); attempts from LifecycleSettings.ksefMaxAttempts. */
  ksefCall: {
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 2, nonRetryableErrorTypes: ['KSEF_BUSINESS_REJECTION', 'KSEF_AUTH'] },
  },
  /** Reference checks of corrections and settlements (registry reads + KSeF lookups). */
  corrections: {
    startToCloseTimeout: '1 minute',
    retry: { ...BACKOFF },
    unboundedReason:
      'reads the registry and KSeF only; a KSeF outage is waited out by the checklist (its own SLA alert after correctionWaitSlaMs), deterministic errors are non-retryable and go to triage',
  },
  /** Offline mode bookkeeping (QR codes, deadlines, availability check). */
  offline: {
    startToCloseTimeout: '1 minute',
    retry: { ...BACKOFF },
    unboundedReason: 'KSeF outage → offline mode handles it: these calls exist to keep the invoice legal while KSeF is down, so giving up would stop exactly that; deterministic errors are non-retryable',
  },
  /** One long heartbeating probe for KSeF's return per offline phase. */
  offlineWait: {
    startToCloseTimeout: '1 day',
    heartbeatTimeout: '30 seconds',
    retry: { ...BACKOFF },
    unboundedReason: 'waits for KSeF to come back; the offline deadline alerts (before and after the legal deadline) run in the workflow whatever the probe does',
  },
  /** The per-seller dispatcher's snapshot, sends and outcome collection. */
  dispatcher: {
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { ...BACKOFF },
    unboundedReason:
      'KSeF or PostgreSQL outage: the dispatcher must outlive it (each invoice counts its own failed sends, maxSendFailures, and goes to triage); deterministic errors are non-retryable, and invoices left waiting are alerted by the stuck-invoice sweep',
  },
  /** Webhook delivery, digests, checks and the stuck-invoice sweep: the next tick tries again. */
  operations: {
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 3 },
  },
  /** Import of purchase invoices: a failed run alerts and the next scheduled run starts from the last mark. */
  purchaseImport: {
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 3 },
  },
  /** The import's failure alert: the one thing that must get out after the import itself failed. */
  importAlert: {
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
    unboundedReason: 'the alert about a failed import must not be lost to a PostgreSQL restart; alerting is idempotent per activity execution',
  },
  /** The counterparty audit run of its Schedule; the next scheduled run repeats it. */
  counterpartyAudit: {
    startToCloseTimeout: '10 minutes',
    retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
  },
} as const satisfies Record<string, NamedPolicy>;

export type PolicyName = keyof typeof RETRY_POLICIES;

/** Activity options of a named policy; only the bound and the first delay may be set per call (from settings). */
export function activityOptions(name: PolicyName, overrides: { maximumAttempts?: number; initialInterval?: number; heartbeatTimeout?: number } = {}): ActivityOptions {
  const policy: NamedPolicy = RETRY_POLICIES[name];
  const retry: RetryPolicy = { ...policy.retry, nonRetryableErrorTypes: policy.retry.nonRetryableErrorTypes ? [...policy.retry.nonRetryableErrorTypes] : undefined };
  if (overrides.maximumAttempts !== undefined) retry.maximumAttempts = overrides.maximumAttempts;
  if (overrides.initialInterval !== undefined) retry.initialInterval = overrides.initialInterval;
  if (retry.nonRetryableErrorTypes === undefined) delete retry.nonRetryableErrorTypes;
  const heartbeatTimeout = overrides.heartbeatTimeout ?? policy.heartbeatTimeout;
  return { startToCloseTimeout: policy.startToCloseTimeout, ...(heartbeatTimeout !== undefined ? { heartbeatTimeout } : {}), retry };
}
