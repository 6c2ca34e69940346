import { Router, type Request } from 'express';
import { z } from 'zod';
import type { PrismaClient } from '../../prisma/client';
import { actorLabels, findAuditPage, type AuditFilter } from '../../prisma/audit-query';
import { writeChunk } from '../registry/csv';
import { ProblemError } from '../problem';
import { parseQueryOrProblem, QueryParam } from '../registry/query';

const MAX_EXPORT_ROWS = 1_000_000;

const INT8_MAX = 9_223_372_036_854_775_807n;

/**
 * Filters and paging of the audit log. Strict: a misspelt filter is a 400 naming it (an auditor must
 * not read an unfiltered log believing it filtered). The cursor is an audit id (bigint): digits only,
 * within PostgreSQL's bigint, so "zzz" or 20 nines are a 400 and never a database error.
 */
export const AuditQuery = z.strictObject({
  actor: QueryParam.text(400).optional(),
  action: QueryParam.text(200).optional(),
  targetType: QueryParam.text(100).optional(),
  targetId: QueryParam.text(400).optional(),
  from: QueryParam.instant().optional(),
  to: QueryParam.instant().optional(),
  limit: QueryParam.limit(100, 1000),
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, 'is not a cursor returned by this endpoint')
    // zod runs refinements after a failed regex too: BigInt('zzz') would throw.
    .refine((c) => /^\d{1,19}$/.test(c) && BigInt(c) <= INT8_MAX, 'is not a cursor returned by this endpoint')
    .transform((c) => BigInt(c))
    .optional(),
});

function queryOf(req: Request): { filter: AuditFilter; limit: number } {
  const q = parseQueryOrProblem(AuditQuery, req.query, { blankIsAbsent: true });
  return { filter: { actor: q.actor, action: q.action, targetType: q.targetType, targetId: q.targetId, from: q.from, to: q.to, beforeId: q.cursor }, limit: q.limit };
}

type Row = Awaited<ReturnType<typeof findAuditPage>>[number];
const json = (r: Row, labels: Map<string, string>) => ({
  id: r.id.toString(),
  at: r.at.toISOString(),
  actor: r.actor,
  actorLabel: labels.get(r.actor) ?? r.actor,
  action: r.action,
  targetType: r.targetType,
  targetId: r.targetId,
  result: r.result,
  details: r.details,
});

// Same conventions as the registry export (Excel in Poland): BOM, ";" and CRLF, formulas defused.
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
const CSV_HEAD = ['id', 'at', 'actor', 'actor_label', 'action', 'target_type', 'target_id', 'result', 'details'];

/**
 * The audit log for auditors: search with cursor paging, and a CSV export. There is deliberately no
 * way to change or delete an entry (the database refuses it too).
 */
export function auditRoutes(deps: { prisma: PrismaClient }): Router {
  const { prisma } = deps;
  const router = Router();

  router.get('/', async (req, res) => {
    const { filter, limit: limitRaw } = queryOf(req);
    const rows = await findAuditPage(prisma, filter, limitRaw + 1);
    const page = rows.slice(0, limitRaw);
    const labels = await actorLabels(prisma, page.map((r) => r.actor));
    res.json({ items: page.map((r) => json(r, labels)), nextCursor: rows.length > limitRaw ? page[page.length - 1].id.toString() : null });
  });

  router.get('/export.csv', async (req, res) => {
    const { filter } = queryOf(req);
    res.status(200).type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`);
    await writeChunk(res, `\uFEFF${CSV_HEAD.join(';')}\r\n`);
    let written = 0;
    let beforeId = filter.beforeId;
    for (;;) {
      const rows = await findAuditPage(prisma, { ...filter, beforeId }, 1000);
      if (rows.length === 0) break;
      const labels = await actorLabels(prisma, rows.map((r) => r.actor));
      const chunk = rows
        .map((r) => [r.id.toString(), r.at.toISOString(), r.actor, labels.get(r.actor) ?? r.actor, r.action, r.targetType, r.targetId, r.result, r.details].map(cell).join(';') + '\r\n')
        .join('');
      await writeChunk(res, chunk);
      written += rows.length;
      beforeId = rows[rows.length - 1].id;
      if (rows.length < 1000 || written >= MAX_EXPORT_ROWS) break;
    }
    res.end();
  });

  const appendOnly = () => {
    throw new ProblemError(405, 'KSEFOPS_AUDIT_APPEND_ONLY', 'Method not allowed', 'The audit log is append-only: entries cannot be changed or deleted, by anyone.');
  };
  router.all('/', (req, _res, next) => (req.method === 'GET' || req.method === 'HEAD' ? next() : appendOnly()));
  router.all('/{*rest}', (req, _res, next) => (req.method === 'GET' || req.method === 'HEAD' ? next() : appendOnly()));

  return router;
}
