import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { checkedText, lineText } from '../../domain/text';
import { normaliseCounterparty, VAT_STATUSES, type CounterpartyRecordData, type RowIssue } from '../../domain/counterparty';
import { SourceSystemSchema } from '../../domain/invoice';
import type { PrismaClient } from '../../prisma/client';
import { counterpartyView, deactivateCounterparty, searchCounterparties, upsertCounterparties, type CounterpartyChangeActor } from '../../prisma/counterparty-repository';
import { actorOf } from '../actor';
import { principalOf } from '../auth/context';
import { CsvError, parseCsv } from '../counterparties/csv';
import { ProblemError } from '../problem';
import { requireUtf8 } from '../input-guard';
import { parseOrProblem } from '../validation';

const MAX_IMPORT_ROWS = 10_000;

/**
 * Counterparty master data. Imports are idempotent by identifier (NIP / EU VAT id / other id) and
 * answer per row; the good rows of one import are stored in one transaction (all or none of them),
 * bad rows are reported with their row number, field and reason and never stored.
 */
export function counterpartyRoutes(deps: { prisma: PrismaClient }): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    if (!req.is('application/json') || !req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw new ProblemError(400, 'VALIDATION_FAILED', 'Invalid request', 'Send one counterparty as a JSON object (bulk: POST /api/v1/counterparties/import).', {
        errors: [{ path: [], field: '(body)', code: 'SCHEMA_INVALID_TYPE', message: 'expected a JSON object' }],
      });
    }
    const checked = checkRow(req, req.body, defaultSourceSystem(req));
    if (!checked.ok) {
      const rulesOnly = checked.issues.every((i) => !i.code.startsWith('SCHEMA_'));
      throw new ProblemError(rulesOnly ? 422 : 400, rulesOnly ? 'COUNTERPARTY_INVALID' : 'VALIDATION_FAILED', 'Invalid counterparty', checked.issues.map((i) => `${i.field}: ${i.message}`).join('; '), { errors: checked.issues });
    }
    const [outcome] = await upsertCounterparties(deps.prisma, [checked.record], changedBy(req, 'api'));
    // Another source system's entry is neither changed nor shown.
    if (outcome === 'out-of-scope') throw new ProblemError(403, 'KSEFOPS_SCOPE_VIOLATION', 'Forbidden', 'This identifier belongs to another source system\'s master data; this key writes its own only.', { errors: [otherSystemsEntry()] });
    const row = await deps.prisma.counterparty.findUniqueOrThrow({ where: { identifierKey: checked.record.identifierKey } });
    res.status(outcome === 'created' ? 201 : 200).json({ result: outcome, counterparty: counterpartyView(row) });
  });

  router.post('/import', express.text({ type: ['text/csv', 'application/csv'], limit: '5mb', verify: requireUtf8 }), async (req, res) => {
    const rows = importRows(req);
    const fallback = defaultSourceSystem(req);
    const results: Array<{ row: number; line?: number; identifierKey?: string; result: 'created' | 'updated' | 'unchanged' | 'rejected'; errors?: RowIssue[] }> = [];
    const good: Array<{ index: number; record: CounterpartyRecordData }> = [];
    const firstRowOf = new Map<string, number>();
    rows.forEach(({ values, line }, i) => {
      const row = i + 1;
      const checked = checkRow(req, values, fallback);
      if (!checked.ok) return void results.push({ row, ...(line ? { line } : {}), result: 'rejected', errors: checked.issues });
      const key = checked.record.identifierKey;
      // One identifier twice in one file is ambiguous: which row should win? Keep the first, name the other.
      if (firstRowOf.has(key)) {
        return void results.push({ row, ...(line ? { line } : {}), identifierKey: key, result: 'rejected', errors: [{ path: ['identifier'], field: 'identifier', code: 'COUNTERPARTY_DUPLICATE_IN_IMPORT', message: `same identifier as row ${firstRowOf.get(key)}`, messagePl: `ten sam identyfikator co w wierszu ${firstRowOf.get(key)}` }] });
      }
      firstRowOf.set(key, row);
      results.push({ row, ...(line ? { line } : {}), identifierKey: key, result: 'rejected' });
      good.push({ index: results.length - 1, record: checked.record });
    });
    const outcomes = await upsertCounterparties(deps.prisma, good.map((g) => g.record), changedBy(req, 'import'));
    good.forEach((g, i) => {
      const outcome = outcomes[i];
      if (outcome === 'out-of-scope') results[g.index] = { ...results[g.index], result: 'rejected', errors: [otherSystemsEntry()] };
      else results[g.index].result = outcome;
    });
    const stored = outcomes.filter((o) => o !== 'out-of-scope').length;
    const rejected = results.filter((r) => r.result === 'rejected');
    const count = (k: string) => results.filter((r) => r.result === k).length;
    const errors = rejected.flatMap((r) => (r.errors ?? []).map((e) => ({ ...e, row: r.row, ...(r.line ? { line: r.line } : {}), path: [r.row, ...e.path] })));
    const status = rejected.length === 0 ? 'complete' : stored === 0 ? 'rejected' : 'partial';
    res.status(status === 'rejected' ? 422 : 200).json({
      status,
      received: results.length,
      stored,
      created: count('created'),
      updated: count('updated'),
      unchanged: count('unchanged'),
      rejected: rejected.length,
      rows: results,
      errors,
    });
  });

  router.get('/', async (req, res) => {
    const q = parseOrProblem(SearchQuery, req.query, 'query');
    // A source system's key reads its own master data only, like it writes only its own.
    const principal = principalOf(req);
    const { total, rows } = await searchCounterparties(deps.prisma, { ...q, ...(principal?.kind === 'api-key' ? { sourceSystem: principal.sourceSystem } : {}) });
    res.json({ total, limit: q.limit, offset: q.offset, items: rows.map(counterpartyView) });
  });

  // Deactivate, never delete: invoices, audit runs and the audit log keep pointing at the entry.
  router.post('/:id/deactivate', async (req, res) => {
    const id = req.params.id;
    if (!z.uuid().safeParse(id).success) {
      throw new ProblemError(400, 'INVALID_ID', 'Invalid id', `"${id}" is not a counterparty id.`, { errors: [{ path: ['id'], field: 'id', code: 'INVALID_ID', message: 'not a counterparty id' }] });
    }
    const body = parseOrProblem(DeactivateBody, req.body ?? {}, 'body');
    const principal = principalOf(req);
    const outcome = await deactivateCounterparty(deps.prisma, id, {
      ...changedBy(req, 'api'),
      ...(body.reason ? { reason: body.reason } : {}),
      ...(principal?.kind === 'api-key' ? { onlySourceSystem: principal.sourceSystem } : {}),
    });
    if (outcome.result === 'not-found') throw new ProblemError(404, 'COUNTERPARTY_NOT_FOUND', 'Not found', `No counterparty with id ${id}.`);
    if (outcome.result === 'out-of-scope') {
      throw new ProblemError(403, 'KSEFOPS_SCOPE_VIOLATION', 'Forbidden', `This key writes master data of its own source system only; the counterparty belongs to "${outcome.sourceSystem}".`, {
        errors: [{ path: ['sourceSystem'], field: 'sourceSystem', code: 'KSEFOPS_SCOPE_VIOLATION', message: `counterparty belongs to source system "${outcome.sourceSystem}"` }],
      });
    }
    res.json({ result: outcome.result, counterparty: counterpartyView(outcome.row) });
  });

  return router;
}

export const SearchQuery = z.strictObject({
  q: lineText(200).optional(),
  nip: checkedText(z.string().max(40)).optional(),
  active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  vatStatus: z.enum(VAT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const DeactivateBody = z.strictObject({ reason: lineText(500).optional() });

function changedBy(req: Request, via: CounterpartyChangeActor['via']): CounterpartyChangeActor {
  const principal = principalOf(req);
  return { actor: actorOf(req), via, ...(req.ip ? { ip: req.ip } : {}), ...(principal?.kind === 'api-key' ? { onlySourceSystem: principal.sourceSystem } : {}) };
}

function otherSystemsEntry(): RowIssue {
  return { path: ['identifier'], field: 'identifier', code: 'KSEFOPS_SCOPE_VIOLATION', message: 'this identifier is another source system\'s entry; this key writes its own only', messagePl: 'ten identyfikator należy do innego systemu źródłowego; ten klucz zapisuje wyłącznie własne dane' };
}

function importRows(req: Request): Array<{ values: unknown; line?: number }> {
  let rows: Array<{ values: unknown; line?: number }>;
  if (req.is(['text/csv', 'application/csv'])) {
    try {
      rows = parseCsv(typeof req.body === 'string' ? req.body : '').records.map((r) => ({ values: r.values, line: r.line }));
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      throw new ProblemError(400, 'CSV_INVALID', 'Unreadable CSV', `line ${error.line}: ${error.message}`, { errors: [{ path: ['csv', `line ${error.line}`], field: 'csv', line: error.line, code: 'CSV_INVALID', message: error.message }] });
    }
  } else if (req.is('application/json') && Array.isArray(req.body)) {
    rows = (req.body as unknown[]).map((values) => ({ values }));
  } else {
    throw new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 'Send a JSON array of counterparties (application/json) or a CSV file with a header row (text/csv).', {
      errors: [{ path: [], field: '(body)', code: 'UNSUPPORTED_MEDIA_TYPE', message: 'expected a JSON array or text/csv' }],
    });
  }
  if (rows.length === 0) throw new ProblemError(400, 'IMPORT_EMPTY', 'Empty import', 'The import has no rows.', { errors: [{ path: [], field: '(body)', code: 'IMPORT_EMPTY', message: 'no rows' }] });
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new ProblemError(413, 'IMPORT_TOO_LARGE', 'Import too large', `At most ${MAX_IMPORT_ROWS} rows per import; split the file.`, { errors: [{ path: [], field: '(body)', code: 'IMPORT_TOO_LARGE', message: `${rows.length} rows` }] });
  }
  return rows;
}

/** Rows without a source system take the caller's: an API key's own, else ?sourceSystem / X-Source-System, else "manual". */
function defaultSourceSystem(req: Request): string {
  const principal = principalOf(req);
  if (principal?.kind === 'api-key') return principal.sourceSystem;
  const raw = typeof req.query.sourceSystem === 'string' ? req.query.sourceSystem : req.get('x-source-system');
  if (raw === undefined) return 'manual';
  const parsed = SourceSystemSchema.safeParse(raw);
  if (!parsed.success) throw new ProblemError(400, 'VALIDATION_FAILED', 'Invalid request', `sourceSystem: ${parsed.error.issues[0]?.message}`, { errors: [{ path: ['sourceSystem'], field: 'sourceSystem', code: 'SCHEMA_FORMAT', message: parsed.error.issues[0]?.message ?? 'invalid' }] });
  return parsed.data;
}

/** An API key writes master data of its own source system only. */
function checkRow(req: Request, values: unknown, fallback: string) {
  const checked = normaliseCounterparty(values, fallback);
  const principal = principalOf(req);
  if (checked.ok && principal?.kind === 'api-key' && checked.record.sourceSystem !== principal.sourceSystem) {
    return { ok: false as const, issues: [{ path: ['sourceSystem'], field: 'sourceSystem', code: 'KSEFOPS_SCOPE_VIOLATION', message: `this key writes source system "${principal.sourceSystem}" only`, messagePl: `ten klucz zapisuje wyłącznie system źródłowy "${principal.sourceSystem}"` }] };
  }
  return checked;
}
