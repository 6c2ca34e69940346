import { Router } from 'express';
import { z } from 'zod';
import { lineText } from '../../domain/text';
import type { PrismaClient } from '../../prisma/client';
import { actorOf } from '../actor';
import { auditRequest } from '../auth/audit';
import { newWebhookSecret } from '../auth/tokens';
import { STRICT_TARGET_POLICY, type OutboundTargetPolicy } from '../../activities/webhooks/target-policy';
import { OUTBOUND_URL_DESCRIPTION, assertOutboundUrl } from './outbound-url';
import { ProblemError } from '../problem';
import { parseOrProblem, uuidParam } from '../validation';
import { parseQueryOrProblem, QueryParam } from '../registry/query';

// Any well-formed URL passes the schema (400 otherwise); which ones may be called is assertOutboundUrl's 422.
const Url = z.url().max(2000).describe(OUTBOUND_URL_DESCRIPTION);
export const CreateSubscription = z.object({ sourceSystem: lineText(100), url: Url }).strict();
export const UpdateSubscription = z.object({ url: Url.optional(), active: z.boolean().optional() }).strict();
/** Filters of the delivery log; ids and the cursor are UUIDs, so "zzz" is a 400 naming the parameter. */
export const DeliveryQuery = z.strictObject({
  state: z.enum(['PENDING', 'DELIVERED', 'FAILED'], { error: 'must be PENDING, DELIVERED or FAILED' }).optional(),
  subscriptionId: QueryParam.uuid('a subscription id').optional(),
  invoiceId: QueryParam.uuid('an invoice id').optional(),
  sourceSystem: QueryParam.text(100).optional(),
  limit: QueryParam.limit(50, 500),
  cursor: QueryParam.uuid('the nextCursor of the previous page').optional(),
});
const view = { id: true, sourceSystem: true, url: true, active: true, createdBy: true, createdAt: true, updatedAt: true } as const;

/** Admin: status callbacks per source system, and the delivery log (who got what, when, how often tried). */
export function webhookRoutes(deps: { prisma: PrismaClient; targets?: OutboundTargetPolicy }): Router {
  const { prisma } = deps;
  const targets = deps.targets ?? STRICT_TARGET_POLICY;
  const router = Router();
  const find = async (raw: string) => {
    const id = uuidParam(raw, 'a webhook subscription id');
    const s = await prisma.webhookSubscription.findUnique({ where: { id }, select: view });
    if (!s) throw new ProblemError(404, 'KSEFOPS_WEBHOOK_NOT_FOUND', 'Not found', `No webhook subscription with id ${id}.`);
    return s;
  };

  router.get('/', async (_req, res) => {
    res.json({ items: await prisma.webhookSubscription.findMany({ select: view, orderBy: { createdAt: 'asc' } }) });
  });

  router.post('/', async (req, res) => {
    const body = parseOrProblem(CreateSubscription, req.body, 'webhook subscription');
    assertOutboundUrl(body.url, targets, 'url');
    const secret = newWebhookSecret();
    const created = await prisma.webhookSubscription.create({ data: { ...body, secret, createdBy: actorOf(req) }, select: view });
    await auditRequest(prisma, req, 'webhook.create', 'webhook-subscription', created.id, 'created', { sourceSystem: created.sourceSystem, url: created.url });
    // The signing secret is shown once, at creation (and at rotation).
    res.status(201).json({ ...created, secret });
  });

  router.patch('/:id', async (req, res) => {
    const body = parseOrProblem(UpdateSubscription, req.body, 'webhook subscription change');
    if (body.url !== undefined) assertOutboundUrl(body.url, targets, 'url');
    const before = await find(req.params.id);
    const after = await prisma.webhookSubscription.update({ where: { id: before.id }, data: body, select: view });
    await auditRequest(prisma, req, 'webhook.update', 'webhook-subscription', before.id, 'updated', { before, after });
    res.json(after);
  });

  router.post('/:id/rotate-secret', async (req, res) => {
    const before = await find(req.params.id);
    const secret = newWebhookSecret();
    await prisma.webhookSubscription.update({ where: { id: before.id }, data: { secret } });
    await auditRequest(prisma, req, 'webhook.rotate-secret', 'webhook-subscription', before.id, 'rotated');
    res.json({ ...before, secret });
  });

  router.get('/deliveries', async (req, res) => {
    const q = parseQueryOrProblem(DeliveryQuery, req.query, { blankIsAbsent: true });
    const limit = q.limit;
    const rows = await prisma.webhookDelivery.findMany({
      where: {
        state: q.state,
        registryId: q.invoiceId,
        subscriptionId: q.subscriptionId,
        subscription: q.sourceSystem ? { sourceSystem: q.sourceSystem } : undefined,
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
      include: { subscription: { select: { sourceSystem: true, url: true } } },
    });
    const page = rows.slice(0, limit);
    res.json({
      items: page.map((d) => ({
        id: d.id,
        subscriptionId: d.subscriptionId,
        sourceSystem: d.subscription.sourceSystem,
        url: d.subscription.url,
        invoiceId: d.registryId,
        status: d.status,
        state: d.state,
        attempts: d.attempts,
        lastStatusCode: d.lastStatusCode,
        lastError: d.lastError,
        createdAt: d.createdAt.toISOString(),
        nextAttemptAt: d.state === 'PENDING' ? d.nextAttemptAt.toISOString() : null,
        deliveredAt: d.deliveredAt?.toISOString() ?? null,
        payload: d.payload,
      })),
      nextCursor: rows.length > limit ? page[page.length - 1].id : null,
    });
  });

  return router;
}
