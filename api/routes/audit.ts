import { Router, type Request } from 'express';
import type { PrismaClient } from '../../prisma/client';
import { actorLabels, findAuditPage, type AuditFilter } from '../../prisma/audit-query';
import { writeChunk } from '../registry/csv';
import { ProblemError } from '../problem';

const MAX_EXPORT_ROWS = 1_000_000;

function badParam(name: string, message: string): ProblemError {
  return new ProblemError(400, 'INVALID_QUERY', 'Invalid query parameter', `${name}: ${message}`, { errors: [{ path: [name], field: name, code: 'INVALID_QUERY', message }] });
}

function filterOf(req: Request): AuditFilter {
  const q = (k: string) => (typeof req.query[k] === 'string' && req.query[k] !== '' ? (req.query[k] as string) : undefined);
  const time = (k: string) => {
    const v = q(k);
    if (v === undefined) return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw badParam(k, 'must be an ISO 8601 date or date-time');
    return d;
  };
  const cursor = q('cursor');
  let beforeId: bigint | undefined;
  if (cursor !== undefined) {
    if (!/^\d{1,19}$/.test(cursor)) throw badParam('cursor', 'is not a cursor returned by this endpoint');
    beforeId = BigInt(cursor);
  }
  return { actor: q('actor'), action: q('action'), targetType: q('targetType'), targetId: q('targetId'), from: time('from'), to: time('to'), beforeId };
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
    const filter = filterOf(req);
    const limitRaw = Number(req.query.limit ?? 100);
    if (!Number.isInteger(limitRaw) || limitRaw < 1 || limitRaw > 1000) throw badParam('limit', 'must be an integer 1…1000');
    const rows = await findAuditPage(prisma, filter, limitRaw + 1);
    const page = rows.slice(0, limitRaw);
    const labels = await actorLabels(prisma, page.map((r) => r.actor));
    res.json({ items: page.map((r) => json(r, labels)), nextCursor: rows.length > limitRaw ? page[page.length - 1].id.toString() : null });
  });

  router.get('/export.csv', async (req, res) => {
    const filter = filterOf(req);
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
