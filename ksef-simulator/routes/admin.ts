import { Router } from 'express';
import { z } from 'zod';
import type { SimulatorContext } from '../context';
import { faultConfigSchema } from '../faults';
import { PUBLISHED_RATE_LIMITS, type RateLimitOverrides } from '../rate-limits';
import { resetState } from '../state';
import { availabilityAdminRoutes } from './latarnia';
import { permissionAdminRoutes } from './permissions-admin';

const windowSchema = z.object({ perSecond: z.number().int().min(1).nullable(), perMinute: z.number().int().min(1).nullable(), perHour: z.number().int().min(1).nullable() }).partial();
const rateLimitUpdate = z
  .object({
    enabled: z.boolean().optional(),
    /** true = start again from the published table before applying `limits`. */
    resetToPublished: z.boolean().optional(),
    limits: z.partialRecord(z.enum(Object.keys(PUBLISHED_RATE_LIMITS) as [keyof typeof PUBLISHED_RATE_LIMITS]), windowSchema).optional(),
  })
  .strict();

const tokenRegistration = z.object({
  policy: z.enum(['any', 'strict']).optional(),
  tokens: z.array(z.object({ token: z.string().min(1), nip: z.string().nullish() })).default([]),
});

function badRequest(res: import('express').Response, error: z.ZodError): void {
  res.status(400).json({ error: 'invalid_admin_request', issues: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
}

/** Test-control endpoints that real KSeF does not have. Never rate-limited or fault-injected. */
export function adminRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  const { state } = ctx;

  router.get('/faults', (_req, res) => void res.json(ctx.faults.describe()));
  router.put('/faults', (req, res) => {
    const parsed = faultConfigSchema.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, parsed.error);
    ctx.faults.set(parsed.data);
    ctx.logger.info({ faults: parsed.data }, 'faults configured');
    res.json(ctx.faults.describe());
  });
  router.delete('/faults', (_req, res) => {
    ctx.faults.clear();
    res.status(204).end();
  });

  router.get('/ledger', (req, res) => {
    const sellerNip = typeof req.query.sellerNip === 'string' ? req.query.sellerNip : undefined;
    const accepted = sellerNip ? state.ledger.filter((e) => e.sellerNip === sellerNip) : state.ledger;
    res.json({ accepted, acceptedCount: accepted.length, finalStatusCounts: state.finalStatusCounts });
  });

  router.post('/reset', async (_req, res) => {
    // let in-flight processing land first so it cannot write into the fresh state
    await ctx.processor.idle();
    resetState(state);
    ctx.faults.clear();
    ctx.rateLimiter.clearCounters();
    ctx.logger.info('state reset');
    res.status(204).end();
  });

  router.use(availabilityAdminRoutes(ctx));
  router.use(permissionAdminRoutes(ctx));

  router.get('/rate-limits', (_req, res) => void res.json({ enabled: ctx.rateLimiter.enabled, limits: ctx.rateLimiter.limits() }));
  router.put('/rate-limits', (req, res) => {
    const parsed = rateLimitUpdate.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, parsed.error);
    if (parsed.data.enabled !== undefined) ctx.rateLimiter.enabled = parsed.data.enabled;
    if (parsed.data.resetToPublished) ctx.rateLimiter.resetToPublished();
    if (parsed.data.limits) ctx.rateLimiter.applyOverrides(parsed.data.limits as RateLimitOverrides);
    ctx.rateLimiter.clearCounters();
    res.json({ enabled: ctx.rateLimiter.enabled, limits: ctx.rateLimiter.limits() });
  });

  router.get('/requests', (_req, res) => void res.json(Object.fromEntries(state.requestCounters)));

  router.get('/tokens', (_req, res) => void res.json({ policy: state.tokenPolicy, tokens: [...state.registeredTokens].map(([token, nip]) => ({ token, nip })) }));
  router.post('/tokens', (req, res) => {
    const parsed = tokenRegistration.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, parsed.error);
    if (parsed.data.policy) state.tokenPolicy = parsed.data.policy;
    for (const t of parsed.data.tokens) state.registeredTokens.set(t.token, t.nip ?? null);
    res.json({ policy: state.tokenPolicy, tokens: [...state.registeredTokens].map(([token, nip]) => ({ token, nip })) });
  });

  return router;
}
