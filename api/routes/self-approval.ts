import type { Request } from 'express';
import type { PrismaClient } from '../../prisma/client';
import { SELF_APPROVAL } from '../../workflows/contracts';
import { auditRequest } from '../auth/audit';
import { ProblemError } from '../problem';
import type { ActionName } from '../registry/actions';

/** The approvals separation of duties applies to, and the statuses in which the workflow would take them. */
const APPROVALS: Partial<Record<ActionName, readonly string[]>> = {
  approve: ['AWAITING_APPROVAL'],
  'approve-manual-exception': ['NEEDS_FIX', 'REJECTED'],
};

export function isApproval(action: ActionName): boolean {
  return action in APPROVALS;
}

/**
 * A fast, clear answer before the workflow is asked: the registry's audit log already says who
 * submitted the invoice (invoice.received) and whose corrections it accepted. The workflow's
 * validator decides the same rule again by `by` (workflows/separation-of-duties.ts) — this check
 * only spares a round trip and covers nothing the workflow would let through. Only in the status
 * the approval is possible in, so a wrong-status request still gets the workflow's 409.
 */
export async function refuseSelfApprovalEarly(prisma: PrismaClient, req: Request, invoice: { id: string; status: string }, action: ActionName, by: string): Promise<void> {
  if (!APPROVALS[action]?.includes(invoice.status)) return;
  const involved = await prisma.auditEvent.findFirst({
    where: { targetType: 'invoice', targetId: invoice.id, actor: by, OR: [{ action: 'invoice.received' }, { action: 'invoice.correct', result: 'accepted' }] },
    select: { action: true },
  });
  if (!involved) return;
  const involvement = involved.action === 'invoice.received' ? 'submitted' : 'corrected';
  throw await selfApprovalRefused(prisma, req, invoice.id, action, `"${action}" refused: ${by} ${involvement} this invoice, so someone else must approve it (separation of duties)`, involvement);
}

/**
 * The refusal, whoever noticed it (API or workflow): audited, then 403 with a searchable code. Its
 * own audit action, so the approvals report never mistakes a refused attempt for a decision.
 */
export async function selfApprovalRefused(prisma: PrismaClient, req: Request, invoiceId: string, action: ActionName, message: string, involvement: string | null): Promise<ProblemError> {
  await auditRequest(prisma, req, 'invoice.self-approval', 'invoice', invoiceId, 'refused', { attempted: action, involvement });
  return new ProblemError(403, SELF_APPROVAL, 'Separation of duties', message, { involvement });
}
