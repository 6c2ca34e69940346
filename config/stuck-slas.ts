import { z } from 'zod';
import { INVOICE_STATUSES } from '../domain/lifecycle';

/**
 * How long an invoice may keep one status before the registry-level sweep calls it stuck — whatever
 * its workflow believes (activities/stuck-sweep.ts). Keys are a status, or `STATUS/step` for one step
 * of it (a step's entry wins over its status's). Final statuses have none. Values in milliseconds.
 */
export interface StuckSweepSettings {
  slaMs: Record<string, number>;
  /** Still stuck this long after its alert: alerted again, one escalation level up. */
  realertAfterMs: number;
  /** Most invoices alerted by one sweep; the rest follow on the next one. */
  batchSize: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Defaults: machine steps get minutes, human steps get longer than the workflow's own escalation so the
 * sweep is the backstop, not a second alert for the same wait.
 *  - RECEIVED / VALIDATING: validation takes milliseconds; 10 min means the workflow is not running.
 *  - VALIDATING/awaiting-corrected-invoice: a correction waits for its original (own alert after 4 h).
 *  - SENDING: queued for the dispatcher; batch pacing may hold a large queue for up to an hour.
 *  - SENDING/offline: issued offline, waits for KSeF by its legal deadline (own alerts) — up to days.
 *  - SENT: KSeF normally answers in seconds; the confirm watchdog alerts after 15 min.
 *  - AWAITING_APPROVAL: twice the approval SLA (the workflow escalates at one).
 *  - NEEDS_FIX / REJECTED: a triage case nobody touched for three days.
 */
export function defaultStuckSlas(approvalSlaMs: number): Record<string, number> {
  return {
    RECEIVED: 10 * MINUTE,
    VALIDATING: 10 * MINUTE,
    'VALIDATING/awaiting-corrected-invoice': 8 * HOUR,
    AWAITING_APPROVAL: 2 * approvalSlaMs,
    SENDING: 60 * MINUTE,
    'SENDING/offline': 5 * 24 * HOUR,
    SENT: 2 * HOUR,
    NEEDS_FIX: 72 * HOUR,
    REJECTED: 72 * HOUR,
  };
}

export const DEFAULT_STUCK_REALERT_MS = 4 * HOUR;

const OPEN_STATUSES = INVOICE_STATUSES.filter((s) => !['ACCEPTED', 'MANUAL_EXCEPTION', 'CANCELLED'].includes(s));

const SlaOverridesSchema = z.record(
  z.string().refine((key) => (OPEN_STATUSES as readonly string[]).includes(key.split('/')[0]) && /^[A-Z_]+(\/[a-z-]+)?$/.test(key), {
    message: `keys are an open status (${OPEN_STATUSES.join(', ')}) or STATUS/step`,
  }),
  z.number().int().min(1000, 'at least 1000 ms'),
);

/** STUCK_SLA_JSON (e.g. {"SENDING":1800000,"SENT/confirm":3600000}) merged over the defaults. */
export function stuckSweepSettings(env: { STUCK_SLA_JSON?: string; STUCK_REALERT_MS?: number; STUCK_BATCH_SIZE?: number }, approvalSlaMs: number): StuckSweepSettings {
  let overrides: Record<string, number> = {};
  if (env.STUCK_SLA_JSON) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.STUCK_SLA_JSON);
    } catch {
      throw new Error('KSEFOPS_CONFIG_INVALID: STUCK_SLA_JSON is not valid JSON');
    }
    const checked = SlaOverridesSchema.safeParse(parsed);
    if (!checked.success) {
      throw new Error(`KSEFOPS_CONFIG_INVALID: STUCK_SLA_JSON ${checked.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    overrides = checked.data;
  }
  return {
    slaMs: { ...defaultStuckSlas(approvalSlaMs), ...overrides },
    realertAfterMs: env.STUCK_REALERT_MS ?? DEFAULT_STUCK_REALERT_MS,
    batchSize: env.STUCK_BATCH_SIZE ?? 200,
  };
}
