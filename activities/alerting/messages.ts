import type { AlertKind, ErrorClass } from './types';

/** Human wording of alerts: what happened, for whom, and what to do next. */
export function titleOf(kind: AlertKind, errorClass: ErrorClass, level: number): string {
  switch (kind) {
    case 'triage':
      if (errorClass === 'ksef-rejection') return 'KSeF rejected an invoice: triage needed';
      if (errorClass === 'ksef-unavailable') return 'KSeF unreachable, retries exhausted: triage needed';
      return 'Invoice data needs a fix';
    case 'sla-missed':
      return `SLA missed: escalation level ${level}`;
    case 'approval-needed':
      return 'Invoice waits for approval';
    case 'stuck-processing':
      return 'KSeF processing is stuck';
    case 'rejection-spike':
      return 'Rejection rate spike';
    case 'time-to-fix-growth':
      return 'Time to fix is growing';
    case 'threshold-approaching':
      return 'Approaching a configured threshold';
    case 'retries-exhausted':
      return 'Retries exhausted';
    case 'bus-factor':
      return 'Critical role held by fewer than two people';
    case 'stuck-invoice':
      return level > 0 ? `Invoice still stuck: escalation level ${level}` : 'Invoice stuck: its status outlived its SLA';
    case 'ksef-availability':
      return 'KSeF availability service (Latarnia) answer not understood';
  }
}

export function nextStepOf(kind: AlertKind, errorClass: ErrorClass): string {
  if (kind === 'approval-needed') return 'Approve or reject sending in the registry.';
  if (kind === 'bus-factor') return 'Give the role to a second active person (admin: PATCH /api/v1/users/{id}).';
  if (kind === 'retries-exhausted') return 'Check the receiver, then look at the delivery log.';
  if (kind === 'stuck-invoice') return 'Open the invoice: check that a worker polls its task queue and what its workflow waits for (Temporal UI), then force a retry or cancel; see docs/OPERATIONS.md "Stuck invoices".';
  if (kind === 'ksef-availability') return 'Check KSEF_LATARNIA_URL and what Latarnia answers (GET …/status); update the client if MF changed the contract.';
  if (errorClass === 'ksef-unavailable') return 'Check KSeF availability, then force a retry.';
  if (errorClass === 'ksef-rejection' || errorClass === 'validation') return 'Correct the data or force a retry; raise a manual exception only with a reason.';
  return 'Open the registry and decide.';
}
