import { Router } from 'express';
import { z } from 'zod';
import type { PrismaClient } from '../../prisma/client';
import { conflictingRoleHolders, criticalRoleCoverage } from '../../prisma/access-repository';
import { parseQueryOrProblem, QueryParam } from '../registry/query';

export const ApprovalsQuery = z.strictObject({ from: QueryParam.instant(), to: QueryParam.instant() });
const DECISIONS = ['invoice.approve', 'invoice.reject-approval', 'invoice.cancel'];
const EXCEPTIONS = ['invoice.request-manual-exception', 'invoice.approve-manual-exception'];

/** Reports for the process owner and auditors: bus factor of critical roles, approvals and exceptions. */
export function reportRoutes(deps: { prisma: PrismaClient }): Router {
  const { prisma } = deps;
  const router = Router();

  router.get('/bus-factor', async (_req, res) => {
    const roles = await criticalRoleCoverage(prisma);
    // Coverage (ok) and separation of duties are reported apart: two people per role is still met by
    // someone holding conflicting roles, and the workflow refuses their self-approvals either way.
    const conflicts = await conflictingRoleHolders(prisma);
    res.json({ ok: roles.every((r) => r.ok), required: 2, roles, separationOk: conflicts.length === 0, conflicts });
  });

  router.get('/approvals', async (req, res) => {
    const { from, to } = parseQueryOrProblem(ApprovalsQuery, req.query);
    const events = await prisma.auditEvent.findMany({
      where: { targetType: 'invoice', at: { gte: from, lt: to }, action: { in: ['invoice.approval-required', ...DECISIONS, ...EXCEPTIONS] } },
      orderBy: { id: 'asc' },
    });
    const ids = [...new Set(events.map((e) => e.targetId))];
    const invoices = new Map(
      (await prisma.invoice.findMany({ where: { id: { in: ids } }, select: { id: true, invoiceNumber: true, sourceSystem: true, sellerNip: true, grossAmount: true, status: true } })).map((i) => [i.id, i]),
    );
    type Item = { invoiceId: string; invoiceNumber: string | null; sourceSystem: string | null; grossAmount: string | null; status: string | null; rule: unknown; requiredAt: string | null; decision: string | null; decidedBy: string | null; decidedAt: string | null; note: unknown };
    const items = new Map<string, Item>();
    const item = (id: string): Item => {
      let it = items.get(id);
      if (!it) {
        const inv = invoices.get(id);
        it = { invoiceId: id, invoiceNumber: inv?.invoiceNumber ?? null, sourceSystem: inv?.sourceSystem ?? null, grossAmount: inv?.grossAmount.toFixed(2) ?? null, status: inv?.status ?? null, rule: null, requiredAt: null, decision: null, decidedBy: null, decidedAt: null, note: null };
        items.set(id, it);
      }
      return it;
    };
    const exceptions: Array<{ invoiceId: string; action: string; by: string; at: string; reason: unknown }> = [];
    for (const e of events) {
      const details = (e.details ?? {}) as Record<string, unknown>;
      if (e.action === 'invoice.approval-required') {
        const it = item(e.targetId);
        it.rule ??= details.rule ?? null;
        it.requiredAt ??= e.at.toISOString();
      } else if (DECISIONS.includes(e.action)) {
        // A cancel only counts here for an invoice that was held for approval.
        if (e.action === 'invoice.cancel' && !items.has(e.targetId)) continue;
        const it = item(e.targetId);
        it.decision = e.action === 'invoice.approve' ? 'approved' : e.action === 'invoice.cancel' ? 'cancelled' : 'rejected';
        it.decidedBy = e.actor;
        it.decidedAt = e.at.toISOString();
        it.note = details.note ?? null;
      } else {
        exceptions.push({ invoiceId: e.targetId, action: e.action === 'invoice.approve-manual-exception' ? 'approved' : 'requested', by: e.actor, at: e.at.toISOString(), reason: details.reason ?? details.note ?? null });
      }
    }
    const list = [...items.values()];
    const byRule = new Map<string, { ruleId: string | null; name: string; count: number }>();
    for (const it of list) {
      const rule = it.rule as { id?: string; name?: string } | null;
      const key = rule?.id ?? rule?.name ?? '(unknown)';
      const entry = byRule.get(key) ?? { ruleId: rule?.id ?? null, name: rule?.name ?? '(unknown)', count: 0 };
      entry.count += 1;
      byRule.set(key, entry);
    }
    res.json({
      from: from.toISOString(),
      to: to.toISOString(),
      totals: {
        approvalRequired: list.filter((i) => i.requiredAt).length,
        approved: list.filter((i) => i.decision === 'approved').length,
        rejected: list.filter((i) => i.decision === 'rejected' || i.decision === 'cancelled').length,
        pending: list.filter((i) => i.requiredAt && !i.decision).length,
        manualExceptionsRequested: exceptions.filter((x) => x.action === 'requested').length,
        manualExceptionsApproved: exceptions.filter((x) => x.action === 'approved').length,
      },
      byRule: [...byRule.values()],
      items: list,
      manualExceptions: exceptions,
    });
  });

  return router;
}
