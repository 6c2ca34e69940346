import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { FINAL_STATUSES, type InvoiceStatusName } from '../../domain/lifecycle';
import type { Invoice } from '../../domain/invoice';
import type { ValidationIssue } from '../../domain/validation';
import type { PrismaClient } from '../../prisma/client';
import { ACTION_NOT_ALLOWED, CORRECTION_INVALID, SELF_APPROVAL, type ActionResult } from '../../workflows/contracts';
import { actorOf } from '../actor';
import { ProblemError } from '../problem';
import { parseOrProblem } from '../validation';
import { ACTION_BODIES } from '../registry/action-bodies';
import { ACTION_NAMES, ACTION_UPDATES, type ActionName } from '../registry/actions';
import { loadInvoice } from './registry';
import { isApproval, refuseSelfApprovalEarly, selfApprovalRefused } from './self-approval';

export interface ActionRoutesDeps {
  prisma: PrismaClient;
  temporal: Client;
}

/**
 * Human actions: POST /api/v1/invoices/:id/actions/:action → the workflow's update of that name.
 * A separate router so authorisation (issue 7) can guard acting apart from reading.
 */
export function actionRoutes(deps: ActionRoutesDeps): Router {
  const router = Router();

  router.post('/:id/actions/:action', async (req, res) => {
    const action = req.params.action as ActionName;
    if (!ACTION_NAMES.includes(action)) {
      throw new ProblemError(404, 'UNKNOWN_ACTION', 'Unknown action', `"${req.params.action}" is not an action; use one of ${ACTION_NAMES.join(', ')}.`);
    }
    const row = await loadInvoice(deps.prisma, req.params.id);
    const body = parseOrProblem(ACTION_BODIES[action], req.body ?? {}, action === 'correct' ? 'corrected invoice' : 'action request');
    const by = actorOf(req);
    if (isApproval(action)) await refuseSelfApprovalEarly(deps.prisma, req, row, action, by);
    const arg =
      action === 'correct'
        ? { by, invoice: body as Invoice }
        : action === 'request-manual-exception'
          ? { by, reason: (body as { reason: string }).reason, note: (body as { note?: string }).note }
          : { by, note: (body as { note?: string }).note };
    try {
      // Each update takes a single object argument; the map keeps URL name and update in one place.
      const update = ACTION_UPDATES[action] as UpdateDefinition<ActionResult, [unknown]>;
      const result = await deps.temporal.workflow.getHandle(row.workflowId).executeUpdate(update, { args: [arg] });
      res.json(result);
    } catch (error) {
      // The workflow's own separation-of-duties check (a correction accepted after the early check).
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === SELF_APPROVAL) {
        const involvement = (error.cause.details?.[0] as { involvement?: string } | undefined)?.involvement ?? null;
        throw await selfApprovalRefused(deps.prisma, req, row.id, action, error.cause.message, involvement);
      }
      throw refusal(error, action, row.status as InvoiceStatusName);
    }
  });

  return router;
}

function refusal(error: unknown, action: ActionName, status: InvoiceStatusName): unknown {
  if (error instanceof WorkflowNotFoundError || (error as Error)?.name === 'WorkflowNotFoundError') {
    return new ProblemError(409, ACTION_NOT_ALLOWED, 'Action not allowed', FINAL_STATUSES.has(status)
      ? `"${action}" is not possible: the invoice is closed (${status}).`
      : `"${action}" is not possible: the invoice's workflow is not running.`);
  }
  if (!(error instanceof WorkflowUpdateFailedError) || !(error.cause instanceof ApplicationFailure)) return error;
  const failure = error.cause;
  if (failure.type === ACTION_NOT_ALLOWED) {
    return new ProblemError(409, ACTION_NOT_ALLOWED, 'Action not allowed', failure.message);
  }
  if (failure.type === CORRECTION_INVALID) {
    const issues = (failure.details?.[0] as ValidationIssue[] | undefined) ?? [];
    const errors = issues
      .filter((i) => i.severity === 'error')
      .map((i) => ({ path: i.path, field: i.field || '(body)', code: i.code, message: i.message.en, messagePl: i.message.pl }));
    return new ProblemError(422, CORRECTION_INVALID, 'Correction refused', failure.message + (errors.length ? `: ${errors.map((e) => `${e.field} (${e.message})`).slice(0, 5).join('; ')}` : ''), {
      errors,
      details: issues,
    });
  }
  return error;
}
