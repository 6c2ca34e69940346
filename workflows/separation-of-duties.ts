import { ApplicationFailure } from '@temporalio/workflow';
import { SELF_APPROVAL, type HumanDecision } from './contracts';

/**
 * Four eyes on what leaves for KSeF: whoever put the invoice's data in — submitted it, or had a
 * correction of it accepted — may not approve it (approval above a threshold or rule, and a manual
 * exception). Checked by the acting identity (`by`) in the update validators, so it holds whatever
 * roles that person has and whichever client calls. A source system's API key is not a person: it
 * never holds the approver role, and an invoice it submitted binds no person here.
 * Validators do not run on replay, so recorded histories are unaffected.
 */
export function refuseSelfApproval(by: string, submittedBy: string, decisions: readonly HumanDecision[], action: string): void {
  const involvement = by === submittedBy ? 'submitted' : decisions.some((d) => d.action === 'correct' && d.by === by) ? 'corrected' : null;
  if (!involvement) return;
  throw ApplicationFailure.create({
    type: SELF_APPROVAL,
    message: `"${action}" refused: ${by} ${involvement} this invoice, so someone else must approve it (separation of duties)`,
    details: [{ by, involvement }],
    nonRetryable: true,
  });
}
