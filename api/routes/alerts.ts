import { Router } from 'express';
import type { PrismaClient } from '../../prisma/client';

/** Recent alerts with their delivery state (sent at once, folded into a digest, failed). */
export function alertRoutes(deps: { prisma: PrismaClient }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const q = (k: string) => (typeof req.query[k] === 'string' && req.query[k] ? (req.query[k] as string) : undefined);
    const limit = Math.min(Math.max(Number(q('limit') ?? 100) || 100, 1), 1000);
    const cursor = q('cursor');
    const rows = await deps.prisma.alert.findMany({
      where: { kind: q('kind'), registryId: q('invoiceId'), owner: q('owner'), state: q('state') as 'SENT' | 'FOLDED' | 'DIGESTED' | 'FAILED' | undefined },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    const page = rows.slice(0, limit);
    res.json({ items: page, nextCursor: rows.length > limit ? page[page.length - 1].id : null });
  });
  return router;
}
