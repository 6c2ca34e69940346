import { Router } from 'express';
import { z } from 'zod';
import type { SimulatorContext } from '../context';
import { ENTITY_PERMISSIONS, permissionsOf } from '../permissions';

const nip = z.string().regex(/^\d{10}$/, 'NIP: 10 digits');
const grant = z.object({ grantorNip: nip, granteeNip: nip, permission: z.enum(ENTITY_PERMISSIONS) }).strict();

/** `/_sim/permissions`: the entity permissions a seller granted (what KSeF's /permissions/authorizations/grants records). */
export function permissionAdminRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  const bad = (res: import('express').Response, error: z.ZodError) =>
    void res.status(400).json({ error: 'invalid_admin_request', issues: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
  const view = () => ({ permissive: ctx.options.permissive, grants: permissionsOf(ctx).list() });

  router.get('/permissions', (_req, res) => void res.json(view()));
  router.post('/permissions', (req, res) => {
    const parsed = z.object({ grants: z.array(grant).max(1000) }).strict().safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error);
    for (const g of parsed.data.grants) permissionsOf(ctx).grant(g);
    res.json(view());
  });
  router.delete('/permissions', (req, res) => {
    const parsed = z.object({ grants: z.array(grant).max(1000).optional() }).strict().safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error);
    if (parsed.data.grants) for (const g of parsed.data.grants) permissionsOf(ctx).revoke(g);
    else permissionsOf(ctx).clear();
    res.json(view());
  });
  return router;
}
