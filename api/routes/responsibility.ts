import { Router } from 'express';
import { z } from 'zod';
import { lineText, proseText } from '../../domain/text';
import { ERROR_CLASSES, pickRule, type ErrorClass } from '../../activities/alerting';
import type { PrismaClient } from '../../prisma/client';
import { ROLES } from '../../prisma/access-repository';
import { actorOf } from '../actor';
import { auditRequest } from '../auth/audit';
import { ProblemError } from '../problem';
import { parseOrProblem, uuidParam } from '../validation';
import { parseQueryOrProblem, QueryParam } from '../registry/query';
import { STRICT_TARGET_POLICY, type OutboundTargetPolicy } from '../../activities/webhooks/target-policy';
import { OUTBOUND_URL_DESCRIPTION, assertOutboundUrl } from './outbound-url';

const Recipient = lineText(320);
const Fields = {
  sourceSystem: lineText(100).nullable().optional(),
  sellerNip: z.string().regex(/^\d{10}$/, 'must be 10 digits').nullable().optional(),
  errorClass: z.enum(ERROR_CLASSES).nullable().optional(),
  errorCode: lineText(100).nullable().optional(),
  role: z.enum(ROLES).nullable().optional(),
  owner: Recipient,
  escalation: z.array(Recipient).max(10).default([]),
  webhookUrl: z.url().max(2000).describe(`chat webhook ({text}): ${OUTBOUND_URL_DESCRIPTION}`).nullable().optional(),
  note: proseText(1000).nullable().optional(),
  active: z.boolean().optional(),
};
export const CreateRule = z.object(Fields).strict();
export const ResolveQuery = z.strictObject({
  errorClass: z.enum(ERROR_CLASSES, { error: `must be one of ${ERROR_CLASSES.join(', ')}` }),
  errorCode: QueryParam.text(100).optional(),
  sellerNip: QueryParam.text(20).optional(),
  sourceSystem: QueryParam.text(100).optional(),
});
export const UpdateRule = z.object({ ...Fields, owner: Recipient.optional(), escalation: z.array(Recipient).max(10).optional() }).strict();

/** Admin: the responsibility map — who reacts to what, and who is next when they do not. */
export function responsibilityRoutes(deps: { prisma: PrismaClient; fallbackChain: string[]; targets?: OutboundTargetPolicy }): Router {
  const { prisma } = deps;
  const targets = deps.targets ?? STRICT_TARGET_POLICY;
  const router = Router();

  router.get('/', async (_req, res) => {
    res.json({ items: await prisma.responsibilityRule.findMany({ orderBy: { createdAt: 'asc' } }), fallback: deps.fallbackChain });
  });

  /** Who would be told: the rule that wins for these facts, as the alerting resolves it. */
  router.get('/resolve', async (req, res) => {
    const q = parseQueryOrProblem(ResolveQuery, req.query, { blankIsAbsent: true });
    const rules = await prisma.responsibilityRule.findMany({ where: { active: true } });
    const rule = pickRule(rules, { sourceSystem: q.sourceSystem ?? null, sellerNip: q.sellerNip ?? null, errorClasses: [q.errorClass as ErrorClass], errorCode: q.errorCode ?? null });
    res.json(rule ? { rule, chain: [rule.owner, ...rule.escalation] } : { rule: null, chain: deps.fallbackChain });
  });

  router.post('/', async (req, res) => {
    const body = parseOrProblem(CreateRule, req.body, 'responsibility rule');
    if (body.webhookUrl) assertOutboundUrl(body.webhookUrl, targets, 'webhookUrl');
    const rule = await prisma.responsibilityRule.create({ data: { ...body, createdBy: actorOf(req) } });
    await auditRequest(prisma, req, 'responsibility.create', 'responsibility-rule', rule.id, 'created', { after: rule });
    res.status(201).json(rule);
  });

  router.patch('/:id', async (req, res) => {
    const body = parseOrProblem(UpdateRule, req.body, 'responsibility rule change');
    if (body.webhookUrl) assertOutboundUrl(body.webhookUrl, targets, 'webhookUrl');
    const before = await prisma.responsibilityRule.findUnique({ where: { id: uuidParam(req.params.id, 'a responsibility rule id') } });
    if (!before) throw new ProblemError(404, 'KSEFOPS_RULE_NOT_FOUND', 'Not found', `No responsibility rule with id ${req.params.id}.`);
    const after = await prisma.responsibilityRule.update({ where: { id: before.id }, data: body });
    await auditRequest(prisma, req, 'responsibility.update', 'responsibility-rule', before.id, 'updated', { before, after });
    res.json(after);
  });

  router.delete('/:id', async (req, res) => {
    const before = await prisma.responsibilityRule.findUnique({ where: { id: uuidParam(req.params.id, 'a responsibility rule id') } });
    if (!before) throw new ProblemError(404, 'KSEFOPS_RULE_NOT_FOUND', 'Not found', `No responsibility rule with id ${req.params.id}.`);
    await prisma.responsibilityRule.delete({ where: { id: before.id } });
    await auditRequest(prisma, req, 'responsibility.delete', 'responsibility-rule', before.id, 'deleted', { before });
    res.status(204).end();
  });

  return router;
}
