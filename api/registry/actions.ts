import type { InvoiceStatusName } from '../../domain/lifecycle';
import {
  approveManualExceptionUpdate,
  approveUpdate,
  cancelUpdate,
  correctDataUpdate,
  forceRetryUpdate,
  rejectApprovalUpdate,
  requestManualExceptionUpdate,
  type InvoiceWorkflowState,
} from '../../workflows/contracts';

/** URL action name → the workflow update it performs (workflows/contracts.ts). */
export const ACTION_UPDATES = {
  approve: approveUpdate,
  'reject-approval': rejectApprovalUpdate,
  correct: correctDataUpdate,
  'force-retry': forceRetryUpdate,
  'request-manual-exception': requestManualExceptionUpdate,
  'approve-manual-exception': approveManualExceptionUpdate,
  cancel: cancelUpdate,
} as const;
export type ActionName = keyof typeof ACTION_UPDATES;
export const ACTION_NAMES = Object.keys(ACTION_UPDATES) as ActionName[];

/**
 * Which buttons the UI offers. Only a hint mirroring the workflow's validators: the workflow
 * decides, and refuses with 409 if the hint was stale.
 */
export function availableActions(status: InvoiceStatusName, state: InvoiceWorkflowState | null): ActionName[] {
  if (status === 'AWAITING_APPROVAL') return ['approve', 'reject-approval', 'cancel'];
  if (status === 'NEEDS_FIX' || status === 'REJECTED') {
    const actions: ActionName[] = ['correct', 'force-retry', 'request-manual-exception'];
    if (state?.pendingManualException) actions.push('approve-manual-exception');
    return [...actions, 'cancel'];
  }
  return [];
}
