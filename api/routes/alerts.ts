import { Router } from 'express';
import { z } from 'zod';
import type { PrismaClient } from '../../prisma/client';
import { parseQueryOrProblem, QueryParam } from '../registry/query';

/** Filters of the alert list; ids and the cursor are UUIDs, so garbage is a 400 naming the parameter. */
export const AlertQuery = z.strictObject({
  state: z.enum(['SENT', 'FOLDED', 'DIGESTED', 'FAILED']).optional(),
  kind: QueryParam.text(100).optional(),
  owner: QueryParam.text(320).optional(),
  invoiceId: QueryParam.uuid('an invoice id').optional(),
  limit: QueryParam.limit(100, 1000),
  cursor: QueryParam.uuid('the nextCursor of the previous page').optional(),
});

/** Recent alerts with their delivery state (sent at once, folded into a digest, failed). */
export function alertRoutes(deps: { prisma: PrismaClient }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const q = parseQueryOrProblem(AlertQuery, req.query, { blankIsAbsent: true });
    const rows = await deps.prisma.alert.findMany({
      where: { kind: q.kind, registryId: q.invoiceId, owner: q.owner, state: q.state },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
      ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
    });
    const page = rows.slice(0, q.limit);
    res.json({ items: page, nextCursor: rows.length > q.limit ? page[page.length - 1].id : null });
  });
  return router;
}
