/**
 * The contract between the invoice workflow and the outside world: its input, its state (query),
 * and the human actions it accepts (updates). Imported by the workflow, the API and the tests, so
 * all three agree by construction.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Invoice } from '../domain/invoice';
import type { InvoiceStatusName } from '../domain/lifecycle';

export interface LifecycleSettings {
  /** Pause between KSeF status checks while an invoice is being processed. */
  statusPollIntervalMs: number;
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
}

export const DEFAULT_LIFECYCLE_SETTINGS: LifecycleSettings = {
  statusPollIntervalMs: 2000,
  confirmWatchdogMs: 15 * 60 * 1000,
  triageSlaMs: 4 * 60 * 60 * 1000,
  approvalSlaMs: 8 * 60 * 60 * 1000,
  approvalThresholdGross: null,
  ksefMaxAttempts: 3,
  ksefInitialRetryMs: 1000,
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
