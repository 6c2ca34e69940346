/**
 * The contract between the invoice workflow and the outside world: its input, its state (query),
 * and the human actions it accepts (updates). Imported by the workflow, the API and the tests, so
 * all three agree by construction.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Invoice } from '../domain/invoice';
import type { InvoiceStatusName } from '../domain/lifecycle';

export interface LifecycleSettings {
  /** After this long without a final KSeF status, the watchdog alerts and keeps checking. */
  confirmWatchdogMs: number;
  /** How long a person has to react to a triage case before it is escalated. */
  triageSlaMs: number;
  /** How long an approver has before the approval request is escalated. */
  approvalSlaMs: number;
  /** Gross amount (PLN, decimal string) at or above which sending needs an approver; null = never. */
  approvalThresholdGross: string | null;
  /** Attempts for each KSeF call before the invoice goes to triage instead (transient errors). */
  ksefMaxAttempts: number;
  ksefInitialRetryMs: number;
  /** Correction checklist: how long a correction may wait for the invoice it corrects before an alert (absent in older runs). */
  correctionWaitSlaMs?: number;
  /** First re-check of a corrected invoice still on its way to KSeF; doubles up to 10 minutes. */
  correctionPollMs?: number;
  /** When KSeF cannot take invoices (announced, or sends fail): issue offline and send later, instead of triage. */
  offlineAuto?: boolean;
  /** While offline: how often KSeF is probed. */
  offlineRecheckMs?: number;
  /** Alert this long before the offline sending deadline. */
  offlineAlertBeforeMs?: number;
  /** Tests: the offline deadline is this long after going offline instead of the legal business-day one. */
  offlineDeadlineOverrideMs?: number | null;
}

export const DEFAULT_LIFECYCLE_SETTINGS: LifecycleSettings = {
  confirmWatchdogMs: 15 * 60 * 1000,
  triageSlaMs: 4 * 60 * 60 * 1000,
  approvalSlaMs: 8 * 60 * 60 * 1000,
  approvalThresholdGross: null,
  ksefMaxAttempts: 3,
  ksefInitialRetryMs: 1000,
  correctionWaitSlaMs: 4 * 60 * 60 * 1000,
  correctionPollMs: 5000,
  offlineAuto: false,
  offlineRecheckMs: 60_000,
  offlineAlertBeforeMs: 4 * 60 * 60 * 1000,
  offlineDeadlineOverrideMs: null,
};

export interface InvoiceWorkflowInput {
  registryId: string;
  invoice: Invoice;
  contentHash: string;
  submittedBy: string;
  /** ISO time of the submission; becomes DataWytworzeniaFa so every re-send renders identical XML. */
  submittedAt: string;
  settings: LifecycleSettings;
}

export interface ErrorInfo {
  code: string;
  reason: string;
  details?: string[];
}

export interface HumanDecision {
  at: string;
  by: string;
  action: 'approve' | 'reject-approval' | 'correct' | 'force-retry' | 'request-manual-exception' | 'approve-manual-exception' | 'cancel';
  note?: string;
}

export interface InvoiceWorkflowState {
  registryId: string;
  status: InvoiceStatusName;
  step: string;
  attempt: number;
  lastError: ErrorInfo | null;
  nextAction: string | null;
  owner: string | null;
  deadline: string | null;
  escalationLevel: number;
  ksefNumber: string | null;
  sessionRef: string | null;
  invoiceRef: string | null;
  invoiceHash: string | null;
  pendingManualException: { requestedBy: string; reason: string } | null;
  decisions: HumanDecision[];
  /** Set once the invoice is issued offline (absent in runs from before offline mode). */
  offline?: { mode: string; deadline: string; qrCodeI: string; qrCodeII: string | null; sent: boolean } | null;
}

export interface ActorInput {
  by: string;
  note?: string;
}

export interface CorrectionInput extends ActorInput {
  invoice: Invoice;
}

export interface ManualExceptionInput extends ActorInput {
  reason: string;
}

export interface ActionResult {
  accepted: true;
  status: InvoiceStatusName;
  nextAction: string | null;
}

export const getStateQuery = defineQuery<InvoiceWorkflowState>('getState');
export const approveUpdate = defineUpdate<ActionResult, [ActorInput]>('approve');
export const rejectApprovalUpdate = defineUpdate<ActionResult, [ActorInput]>('rejectApproval');
export const correctDataUpdate = defineUpdate<ActionResult, [CorrectionInput]>('correctData');
export const forceRetryUpdate = defineUpdate<ActionResult, [ActorInput]>('forceRetry');
export const requestManualExceptionUpdate = defineUpdate<ActionResult, [ManualExceptionInput]>('requestManualException');
export const approveManualExceptionUpdate = defineUpdate<ActionResult, [ActorInput]>('approveManualException');
export const cancelUpdate = defineUpdate<ActionResult, [ActorInput]>('cancel');

/** Error type names used as ApplicationFailure types: searchable codes for callers. */
export const ACTION_NOT_ALLOWED = 'KSEFOPS_ACTION_NOT_ALLOWED';
export const CORRECTION_INVALID = 'KSEFOPS_CORRECTION_INVALID';
/** Who submitted or corrected an invoice may not approve it (workflows/separation-of-duties.ts). */
export const SELF_APPROVAL = 'KSEFOPS_SELF_APPROVAL';

// ---------------------------------------------------------------------------------------------
// Sending through one dispatcher per KSeF context (seller NIP)

export interface DispatcherSettings {
  /** Published KSeF limits, or lower ones (tests, shared contexts). */
  limits: import('./rate-budget').LimitTable;
  /** A queue at least this long goes out as a batch session instead of online sends. */
  batchMinSize: number;
  /** Most invoices one batch session carries (KSeF allows 10 000). */
  maxBatchSize: number;
  /** Pace of online sends inside one round (must stay under the per-second limit). */
  onlineSendsPerSecond: number;
  /** How often sessions with invoices in flight are checked for final statuses. */
  pollIntervalMs: number;
  /** Continue-as-new after this many history events to keep the history small. */
  maxHistoryEvents: number;
  /** Failed sends of one invoice (KSeF down, 5xx, timeouts) before it goes to triage instead. */
  maxSendFailures: number;
}

export interface DispatcherInput {
  sellerNip: string;
  settings: DispatcherSettings;
  /** Carried over continue-as-new: requests already spent in the current windows. */
  usage?: import('./rate-budget').UsageLog;
}

/** The invoice's XML reached KSeF (online: its reference is known; batch: only the session). */
export interface KsefSentSignal {
  dispatchId: string;
  sessionRef: string;
  invoiceRef: string | null;
  mode: 'ONLINE' | 'BATCH';
}

/** Final word from KSeF on one dispatched invoice, or a failure to get it there. */
export interface KsefOutcomeSignal {
  dispatchId: string;
  sessionRef: string | null;
  invoiceRef: string | null;
  code: number | null;
  description: string;
  details: string[];
  ksefNumber: string | null;
  originalKsefNumber: string | null;
  /** Set when the invoice never got a KSeF status (e.g. retries exhausted, KSeF refused the request). */
  failure: { code: string; reason: string } | null;
}

export const DISPATCHER_WORKFLOW_PREFIX = 'ksef-dispatcher-';
export const wakeDispatcherSignal = defineSignal('wake');
export const ksefSentSignal = defineSignal<[KsefSentSignal]>('ksefSent');
export const ksefOutcomeSignal = defineSignal<[KsefOutcomeSignal]>('ksefOutcome');
export const dispatcherStateQuery = defineQuery<{ sellerNip: string; usage: import('./rate-budget').UsageLog; rounds: number }>('dispatcherState');
