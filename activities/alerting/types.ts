/** What the workflow (and the periodic checks) tell the alerting: one problem, for one person to act on. */
export type AlertKind =
  | 'triage'
  | 'sla-missed'
  | 'approval-needed'
  | 'stuck-processing'
  | 'rejection-spike'
  | 'time-to-fix-growth'
  | 'threshold-approaching'
  | 'retries-exhausted'
  | 'bus-factor'
  | 'stuck-invoice'
  | 'ksef-availability';

/** The error classes the responsibility map is keyed on. */
export const ERROR_CLASSES = [
  'validation',
  'ksef-rejection',
  'ksef-unavailable',
  'approval',
  'sla',
  'trend',
  'threshold',
  'retries-exhausted',
  'bus-factor',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export interface AlertRequest {
  kind: AlertKind;
  registryId?: string | null;
  invoiceNumber?: string | null;
  sellerNip?: string | null;
  sourceSystem?: string | null;
  errorCode: string;
  reason: string;
  escalationLevel: number;
  /** Extra facts for the audit log and the webhook payload. */
  details?: Record<string, unknown>;
}

export interface AlertOutcome {
  owner: string;
  /** sent = delivered now; folded = part of the next digest; suppressed = the same check already alerted in this window. */
  delivery: 'sent' | 'folded' | 'suppressed' | 'failed';
  alertId: string | null;
}
