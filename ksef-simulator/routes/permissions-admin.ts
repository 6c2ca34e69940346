import { Router } from 'express';
import { z } from 'zod';
import type { SimulatorContext } from '../context';
import { ENTITY_PERMISSIONS, listTokenPermissions, permissionsOf, setTokenPermissions } from '../permissions';

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
  // The permissions a registered KSeF token carries (tokeny-ksef.md); unregistered tokens keep all of them.
  const tokenPermission = z.enum(['InvoiceRead', 'InvoiceWrite', 'PefInvoiceWrite', 'EnforcementOperations', 'CredentialsRead', 'CredentialsManage', 'SubunitManage', 'Introspection']);
  router.get('/token-permissions', (_req, res) => void res.json({ tokens: listTokenPermissions(ctx) }));
  router.post('/token-permissions', (req, res) => {
    const parsed = z.object({ tokens: z.array(z.object({ token: z.string().min(1).max(500), permissions: z.array(tokenPermission).max(20) }).strict()).max(1000) }).strict().safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error);
    for (const t of parsed.data.tokens) setTokenPermissions(ctx, t.token, t.permissions);
    res.json({ tokens: listTokenPermissions(ctx) });
  });
  return router;
}
