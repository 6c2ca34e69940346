import { Prisma, type PrismaClient } from './client';
import { warsawDateOf } from '../domain/business-days';

/**
 * Process-health figures for finance, computed in SQL from the registry and the audit log the
 * invoice workflow writes (invoice.received / .send / .triage / .close …).
 *
 * Definitions (also in the OpenAPI description):
 *  - rejected = triage events (KSeF rejection or failed validation); accepted = close events with ACCEPTED;
 *  - rejection rate = rejected ÷ (rejected + accepted) — the share of outcomes that needed a person;
 *  - time to fix = first rejection of an invoice in the period → its acceptance;
 *  - time to retry = each rejection → the next send of the same invoice;
 *  - backlog = invoices not yet closed, now, by status and age since receipt;
 *  - stuck = invoices the stuck-invoice sweep found past their status's SLA, now (cleared by a status change).
 * Days are calendar days in Europe/Warsaw.
 */
export interface DashboardRequest {
  from: Date;
  to: Date;
  sourceSystem?: string;
}

export const AGE_BUCKETS = ['<1h', '1-24h', '1-7d', '>7d'] as const;
export const FIX_BUCKETS = ['<5m', '5-60m', '1-4h', '4-24h', '1-3d', '>3d'] as const;

interface DurationStats {
  count: number;
  p50Seconds: number | null;
  p90Seconds: number | null;
  avgSeconds: number | null;
}

export interface DashboardData {
  totals: { submitted: number; sent: number; rejected: number; accepted: number; manualExceptions: number; cancelled: number; rejectionRate: number | null };
  daily: Array<{ day: string; submitted: number; accepted: number; rejected: number; rejectionRate: number | null }>;
  backlog: { total: number; byStatus: Array<{ status: string; buckets: Record<(typeof AGE_BUCKETS)[number], number>; total: number }> };
  timeToFix: DurationStats & { unfixed: number; histogram: Array<{ bucket: (typeof FIX_BUCKETS)[number]; count: number }> };
  timeToRetry: DurationStats;
  stuck: { total: number; byStatus: Array<{ status: string; count: number }> };
  topRejectionReasons: Array<{ code: string; count: number; example: string | null }>;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v)));
const utc = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

export async function dashboard(prisma: PrismaClient, req: DashboardRequest): Promise<DashboardData> {
  const from = utc(req.from);
  const to = utc(req.to);
  const scope = req.sourceSystem
    ? Prisma.sql`AND a."targetId" IN (SELECT i."id"::text FROM "invoices" i WHERE i."sourceSystem" = ${req.sourceSystem})`
    : Prisma.empty;
  // Events of the period, one CTE reused by every figure.
  const events = Prisma.sql`ev AS (
    SELECT a."targetId" AS inv, a."action", a."result", a."at", a."details"
    FROM "audit_events" a
    WHERE a."targetType" = 'invoice' AND a."at" >= ${from}::timestamp(3) AND a."at" < ${to}::timestamp(3)
      AND a."action" IN ('invoice.received', 'invoice.send', 'invoice.triage', 'invoice.close') ${scope})`;

  const [totals] = await prisma.$queryRaw<Array<Record<string, bigint>>>`
    WITH ${events}
    SELECT count(*) FILTER (WHERE action = 'invoice.received') AS submitted,
           count(*) FILTER (WHERE action = 'invoice.send') AS sent,
           count(*) FILTER (WHERE action = 'invoice.triage') AS rejected,
           count(*) FILTER (WHERE action = 'invoice.close' AND result = 'ACCEPTED') AS accepted,
           count(*) FILTER (WHERE action = 'invoice.close' AND result = 'MANUAL_EXCEPTION') AS manual,
           count(*) FILTER (WHERE action = 'invoice.close' AND result = 'CANCELLED') AS cancelled
    FROM ev`;

  const daily = await prisma.$queryRaw<Array<{ day: Date; submitted: bigint; accepted: bigint; rejected: bigint }>>`
    WITH ${events}
    SELECT ((at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Warsaw')::date AS day,
           count(*) FILTER (WHERE action = 'invoice.received') AS submitted,
           count(*) FILTER (WHERE action = 'invoice.close' AND result = 'ACCEPTED') AS accepted,
           count(*) FILTER (WHERE action = 'invoice.triage') AS rejected
    FROM ev GROUP BY 1 ORDER BY 1`;

  const reasons = await prisma.$queryRaw<Array<{ code: string; count: bigint; example: string | null }>>`
    WITH ${events}
    SELECT coalesce(details->>'code', 'UNKNOWN') AS code, count(*) AS count, max(details->>'reason') AS example
    FROM ev WHERE action = 'invoice.triage' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`;

  const fixes = await prisma.$queryRaw<Array<{ seconds: number | null }>>`
    WITH ${events},
    first_rejection AS (SELECT inv, min(at) AS at FROM ev WHERE action = 'invoice.triage' GROUP BY inv)
    SELECT extract(epoch FROM (
      SELECT min(c."at") FROM "audit_events" c
      WHERE c."targetType" = 'invoice' AND c."targetId" = f.inv AND c."action" = 'invoice.close' AND c."result" = 'ACCEPTED' AND c."at" > f.at
    ) - f.at)::float8 AS seconds
    FROM first_rejection f`;

  const [retry] = await prisma.$queryRaw<Array<{ count: bigint; p50: number | null; p90: number | null; avg: number | null }>>`
    WITH ${events},
    gaps AS (
      SELECT extract(epoch FROM (
        SELECT min(s."at") FROM "audit_events" s
        WHERE s."targetType" = 'invoice' AND s."targetId" = t.inv AND s."action" = 'invoice.send' AND s."at" > t.at
      ) - t.at)::float8 AS seconds
      FROM ev t WHERE t.action = 'invoice.triage')
    SELECT count(seconds) AS count,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS p90,
           avg(seconds) AS avg
    FROM gaps WHERE seconds IS NOT NULL`;

  const backlogRows = await prisma.$queryRaw<Array<{ status: string; bucket: string; count: bigint }>>`
    SELECT i."status"::text AS status,
           CASE WHEN i."receivedAt" > (now() AT TIME ZONE 'UTC') - interval '1 hour' THEN '<1h'
                WHEN i."receivedAt" > (now() AT TIME ZONE 'UTC') - interval '1 day' THEN '1-24h'
                WHEN i."receivedAt" > (now() AT TIME ZONE 'UTC') - interval '7 days' THEN '1-7d'
                ELSE '>7d' END AS bucket,
           count(*) AS count
    FROM "invoices" i
    -- Open statuses listed (not NOT IN the closed ones) so the (status, receivedAt) index answers it.
    WHERE i."status" IN ('RECEIVED', 'VALIDATING', 'AWAITING_APPROVAL', 'SENDING', 'SENT', 'REJECTED', 'NEEDS_FIX')
      ${req.sourceSystem ? Prisma.sql`AND i."sourceSystem" = ${req.sourceSystem}` : Prisma.empty}
    GROUP BY 1, 2`;

  const stuckRows = await prisma.$queryRaw<Array<{ status: string; count: bigint }>>`
    SELECT i."status"::text AS status, count(*) AS count FROM "invoices" i
    WHERE i."stuckSince" IS NOT NULL ${req.sourceSystem ? Prisma.sql`AND i."sourceSystem" = ${req.sourceSystem}` : Prisma.empty}
    GROUP BY 1 ORDER BY 1`;

  const rejected = num(totals.rejected);
  const accepted = num(totals.accepted);
  return {
    totals: {
      submitted: num(totals.submitted),
      sent: num(totals.sent),
      rejected,
      accepted,
      manualExceptions: num(totals.manual),
      cancelled: num(totals.cancelled),
      rejectionRate: rate(rejected, accepted),
    },
    daily: fillDays(req, daily),
    backlog: backlogOf(backlogRows),
    timeToFix: fixStats(fixes.map((f) => f.seconds)),
    timeToRetry: { count: num(retry.count), p50Seconds: numOrNull(retry.p50), p90Seconds: numOrNull(retry.p90), avgSeconds: numOrNull(retry.avg) },
    stuck: { total: stuckRows.reduce((sum, r) => sum + num(r.count), 0), byStatus: stuckRows.map((r) => ({ status: r.status, count: num(r.count) })) },
    topRejectionReasons: reasons.map((r) => ({ code: r.code, count: num(r.count), example: r.example })),
  };
}

function rate(rejected: number, accepted: number): number | null {
  return rejected + accepted === 0 ? null : Math.round((rejected / (rejected + accepted)) * 10_000) / 10_000;
}

// Days without events still appear (as zeros), so a trend chart has no misleading gaps.
function fillDays(req: DashboardRequest, rows: Array<{ day: Date; submitted: bigint; accepted: bigint; rejected: bigint }>): DashboardData['daily'] {
  const byDay = new Map(rows.map((r) => [r.day.toISOString().slice(0, 10), r]));
  const out: DashboardData['daily'] = [];
  const last = warsawDateOf(new Date(req.to.getTime() - 1));
  for (let day = warsawDateOf(req.from); day <= last; day = new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) {
    const r = byDay.get(day);
    const accepted = num(r?.accepted);
    const rejected = num(r?.rejected);
    out.push({ day, submitted: num(r?.submitted), accepted, rejected, rejectionRate: rate(rejected, accepted) });
    if (out.length > 400) break;
  }
  return out;
}

function backlogOf(rows: Array<{ status: string; bucket: string; count: bigint }>): DashboardData['backlog'] {
  const statuses = new Map<string, Record<(typeof AGE_BUCKETS)[number], number>>();
  for (const r of rows) {
    const buckets = statuses.get(r.status) ?? { '<1h': 0, '1-24h': 0, '1-7d': 0, '>7d': 0 };
    buckets[r.bucket as (typeof AGE_BUCKETS)[number]] = num(r.count);
    statuses.set(r.status, buckets);
  }
  const byStatus = [...statuses.entries()]
    .map(([status, buckets]) => ({ status, buckets, total: Object.values(buckets).reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || a.status.localeCompare(b.status));
  return { total: byStatus.reduce((a, s) => a + s.total, 0), byStatus };
}

const FIX_LIMITS = [300, 3600, 4 * 3600, 24 * 3600, 3 * 86400, Infinity];

function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  // Linear interpolation, the same definition as PostgreSQL's percentile_cont.
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return Math.round(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo));
}

function fixStats(values: Array<number | null>): DashboardData['timeToFix'] {
  const fixed = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const histogram = FIX_BUCKETS.map((bucket, i) => ({
    bucket,
    count: fixed.filter((s) => s < FIX_LIMITS[i] && (i === 0 || s >= FIX_LIMITS[i - 1])).length,
  }));
  return {
    count: fixed.length,
    unfixed: values.length - fixed.length,
    p50Seconds: percentile(fixed, 0.5),
    p90Seconds: percentile(fixed, 0.9),
    avgSeconds: fixed.length ? Math.round(fixed.reduce((a, b) => a + b, 0) / fixed.length) : null,
    histogram,
  };
}
