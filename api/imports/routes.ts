import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { z } from 'zod';
import { NipSchema } from '../../domain/invoice';
import type { PrismaClient } from '../../prisma/client';
import type { PurchaseImportInput } from '../../workflows/purchase-import';
import { parseOrProblem } from '../validation';

const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((s) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s).toISOString());

export const BackfillBody = z
  .object({ buyerNip: NipSchema, from: Instant, to: Instant })
  .strict()
  .refine((b) => b.from < b.to, { message: 'must be after "from"', path: ['to'] });

/** Purchase-invoice import: state per buyer NIP, and backfill of a date range on demand. */
export function importRoutes(deps: { prisma: PrismaClient; temporal: Client; taskQueue: string }): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const cursors = await deps.prisma.purchaseImportCursor.findMany({ orderBy: { buyerNip: 'asc' } });
    res.json({
      items: cursors.map((c) => ({
        buyerNip: c.buyerNip,
        hwm: c.hwm.toISOString(),
        lastRunAt: c.lastRunAt?.toISOString() ?? null,
        lastImported: c.lastImported,
        totalImported: c.totalImported,
        lastError: c.lastError,
      })),
    });
  });

  router.post('/backfill', async (req, res) => {
    const body = parseOrProblem(BackfillBody, req.body ?? {}, 'backfill request');
    const input: PurchaseImportInput = { buyerNip: body.buyerNip, from: body.from, to: body.to };
    const workflowId = `purchase-backfill-${body.buyerNip}-${body.from}-${body.to}`;
    // The same range asked twice while it runs joins the running backfill.
    const handle = await deps.temporal.workflow.start('purchaseImportWorkflow', {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
    res.status(202).json({ workflowId, runId: handle.firstExecutionRunId, ...input });
  });

  return router;
}
