import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../prisma/client';
import { actorOf } from '../actor';
import { ProblemError } from '../problem';

/**
 * GET: the latest stored counterparty audit (scheduled or on demand). POST /run: a fresh run, computed
 * by the same workflow the Schedule starts, so both paths store and report identically.
 */
export function counterpartyReportRoutes(deps: { prisma: PrismaClient; temporal: Client; taskQueue: string; runTimeoutMs?: number }): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const run = await deps.prisma.counterpartyAuditRun.findFirst({ orderBy: { finishedAt: 'desc' } });
    res.json({ latest: run ? view(run) : null });
  });

  router.post('/run', async (req, res) => {
    const handle = await deps.temporal.workflow.start('counterpartyAuditWorkflow', {
      workflowId: `counterparty-audit-on-demand/${randomUUID()}`,
      taskQueue: deps.taskQueue,
      args: [{ trigger: `api:${actorOf(req)}` }],
    });
    const timeout = deps.runTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      handle.result() as Promise<{ runId: string }>,
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeout))),
    ]).finally(() => clearTimeout(timer));
    if (!outcome) {
      // Still running (a big register, a busy worker): it will be the latest run when it finishes.
      res.status(202).json({ workflowId: handle.workflowId, reportUrl: '/api/v1/reports/counterparties' });
      return;
    }
    const run = await deps.prisma.counterpartyAuditRun.findUnique({ where: { id: outcome.runId } });
    if (!run) throw new ProblemError(500, 'COUNTERPARTY_AUDIT_LOST', 'Internal error', 'The audit finished but its result is missing.');
    res.status(201).json({ latest: view(run) });
  });

  return router;
}

function view(run: { id: string; trigger: string; startedAt: Date; finishedAt: Date; checked: number; failing: number; groups: unknown }) {
  return { id: run.id, trigger: run.trigger, startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt.toISOString(), checked: run.checked, failing: run.failing, groups: run.groups };
}
