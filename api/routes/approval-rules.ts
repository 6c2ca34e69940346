import { Router } from 'express';
import { z } from 'zod';
import { lineText, proseText } from '../../domain/text';
import type { PrismaClient } from '../../prisma/client';
import { actorOf } from '../actor';
import { auditRequest } from '../auth/audit';
import { ProblemError } from '../problem';
import { parseOrProblem, uuidParam } from '../validation';

const Nip = z.string().regex(/^\d{10}$/, 'must be 10 digits');
const Fields = {
  name: lineText(200),
  description: proseText(1000).nullable().optional(),
  active: z.boolean().optional(),
  minGross: z.string().regex(/^\d{1,16}(\.\d{1,2})?$/, 'must be a decimal amount').nullable().optional(),
  buyerNips: z.array(lineText(50)).max(1000).optional(),
  invoiceTypes: z.array(lineText(20)).max(20).optional(),
  sourceSystems: z.array(lineText(100)).max(100).optional(),
  sellerNips: z.array(Nip).max(1000).optional(),
};
const hasCriterion = (r: { minGross?: string | null; buyerNips?: string[]; invoiceTypes?: string[]; sourceSystems?: string[]; sellerNips?: string[] }) =>
  !!r.minGross || !!r.buyerNips?.length || !!r.invoiceTypes?.length || !!r.sourceSystems?.length || !!r.sellerNips?.length;
export const CreateRule = z.object(Fields).strict().refine(hasCriterion, { message: 'a rule needs at least one criterion (minGross, buyerNips, invoiceTypes, sourceSystems, sellerNips)', path: [] });
export const UpdateRule = z.object({ ...Fields, name: Fields.name.optional() }).strict();

const view = (r: { minGross: { toFixed(n: number): string } | null } & Record<string, unknown>) => ({ ...r, minGross: r.minGross ? r.minGross.toFixed(2) : null });

/** Admin: which invoices need an approver before they are sent. */
export function approvalRuleRoutes(deps: { prisma: PrismaClient }): Router {
  const { prisma } = deps;
  const router = Router();

  router.get('/', async (_req, res) => {
    res.json({ items: (await prisma.approvalRule.findMany({ orderBy: { createdAt: 'asc' } })).map(view) });
  });

  router.post('/', async (req, res) => {
    const body = parseOrProblem(CreateRule, req.body, 'approval rule');
    const rule = await prisma.approvalRule.create({ data: { ...body, createdBy: actorOf(req) } });
    await auditRequest(prisma, req, 'approval-rule.create', 'approval-rule', rule.id, 'created', { after: view(rule) });
    res.status(201).json(view(rule));
  });

  router.patch('/:id', async (req, res) => {
    const body = parseOrProblem(UpdateRule, req.body, 'approval rule change');
    const before = await prisma.approvalRule.findUnique({ where: { id: uuidParam(req.params.id, 'an approval rule id') } });
    if (!before) throw new ProblemError(404, 'KSEFOPS_RULE_NOT_FOUND', 'Not found', `No approval rule with id ${req.params.id}.`);
    if (!hasCriterion({ ...before, minGross: before.minGross?.toString() ?? null, ...body })) {
      throw new ProblemError(400, 'VALIDATION_FAILED', 'Invalid request', 'A rule needs at least one criterion.');
    }
    const after = await prisma.approvalRule.update({ where: { id: before.id }, data: body });
    await auditRequest(prisma, req, 'approval-rule.update', 'approval-rule', before.id, 'updated', { before: view(before), after: view(after) });
    res.json(view(after));
  });

  router.delete('/:id', async (req, res) => {
    const before = await prisma.approvalRule.findUnique({ where: { id: uuidParam(req.params.id, 'an approval rule id') } });
    if (!before) throw new ProblemError(404, 'KSEFOPS_RULE_NOT_FOUND', 'Not found', `No approval rule with id ${req.params.id}.`);
    // Deactivated, not deleted: the approvals report still names the rule that held an invoice.
    await prisma.approvalRule.update({ where: { id: before.id }, data: { active: false } });
    await auditRequest(prisma, req, 'approval-rule.deactivate', 'approval-rule', before.id, 'deactivated', { before: view(before) });
    res.status(204).end();
  });

  return router;
}
