import { Router } from 'express';
import type { PrismaClient } from '../../prisma/client';
import { dashboard } from '../../prisma/registry-dashboard';
import { DashboardQuerySchema } from '../registry/dashboard-query';
import { parseQueryOrProblem } from '../registry/query';

export function dashboardRoutes(deps: { prisma: PrismaClient }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const q = parseQueryOrProblem(DashboardQuerySchema, req.query);
    const data = await dashboard(deps.prisma, q);
    res.json({ from: q.from.toISOString(), to: q.to.toISOString(), sourceSystem: q.sourceSystem ?? null, ...data });
  });
  return router;
}
