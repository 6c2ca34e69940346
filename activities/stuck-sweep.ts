/**
 * The registry-level stuck-invoice sweep: the guarantee that no invoice waits silently, which does
 * not trust the workflow. It reads only the registry — which invoices have kept their status longer
 * than that status's SLA (config/stuck-slas.ts; "statusChangedAt" is kept by a trigger) — so a
 * workflow that is blocked, whose worker is gone, or that failed outright is caught all the same.
 * One alert per stuck episode (an episode = one invoice in one status since one change), to the
 * person the responsibility map names, with a link to the invoice; the episode is marked on the row
 * (the dashboard's "stuck", the registry's stuck=true) and in the audit log. Still stuck
 * realertAfterMs after that: one more alert, one escalation level up. A status change ends the episode.
 */
import type { Logger } from '../config/logger';
import type { StuckSweepSettings } from '../config/stuck-slas';
import { Prisma, type PrismaClient } from '../prisma/client';
import { appendAudit } from '../prisma/invoice-registry';
import type { Alerting } from './alerting';

export interface StuckSweepDeps {
  prisma: PrismaClient;
  logger: Logger;
  alerting: Alerting;
}

export interface StuckSweepResult {
  /** Stuck episodes alerted by this sweep (new ones and escalations). */
  alerted: number;
  /** Invoices marked stuck in the registry after the sweep. */
  stuck: number;
}

interface Candidate {
  id: string;
  status: string;
  step: string;
  statusChangedAt: Date;
  stuckSince: Date | null;
  stuckAlertedAt: Date | null;
  stuckLevel: number;
  invoiceNumber: string;
  sellerNip: string;
  sourceSystem: string;
  workflowId: string;
  ageMs: number;
}

/** The SLA that applies: the step's own entry, else the status's. */
export function slaFor(settings: Pick<StuckSweepSettings, 'slaMs'>, status: string, step: string): number | null {
  return settings.slaMs[`${status}/${step}`] ?? settings.slaMs[status] ?? null;
}

/** Per status, the shortest SLA of any of its steps: what SQL may safely pre-filter on. */
function shortestPerStatus(settings: Pick<StuckSweepSettings, 'slaMs'>): Array<[string, number]> {
  const out = new Map<string, number>();
  for (const [key, ms] of Object.entries(settings.slaMs)) {
    const status = key.split('/')[0];
    out.set(status, Math.min(out.get(status) ?? Infinity, ms));
  }
  return [...out.entries()];
}

const minutes = (ms: number) => (ms >= 2 * 3_600_000 ? `${Math.round(ms / 3_600_000)} h` : ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

export async function sweepStuckInvoices(deps: StuckSweepDeps, settings: StuckSweepSettings): Promise<StuckSweepResult> {
  const { prisma, alerting, logger } = deps;
  const slas = shortestPerStatus(settings);
  if (slas.length === 0) return { alerted: 0, stuck: 0 };
  const table = Prisma.join(slas.map(([status, ms]) => Prisma.sql`(${status}, ${ms}::bigint)`));
  // Registry timestamps are UTC wall-clock: "now" likewise. One index range per open status.
  const candidates = await prisma.$queryRaw<Candidate[]>`
    SELECT i."id"::text AS "id", i."status"::text AS "status", i."step", i."statusChangedAt", i."stuckSince", i."stuckAlertedAt", i."stuckLevel",
           i."invoiceNumber", i."sellerNip", i."sourceSystem", i."workflowId",
           (extract(epoch FROM ((now() AT TIME ZONE 'UTC') - i."statusChangedAt")) * 1000)::float8 AS "ageMs"
    FROM (VALUES ${table}) AS sla(status, ms)
    JOIN "invoices" i ON i."status"::text = sla.status
    WHERE i."direction" = 'OUTGOING'
      AND i."statusChangedAt" < (now() AT TIME ZONE 'UTC') - sla.ms * interval '1 millisecond'
      AND (i."stuckAlertedAt" IS NULL OR i."stuckAlertedAt" < (now() AT TIME ZONE 'UTC') - ${settings.realertAfterMs}::bigint * interval '1 millisecond')
    ORDER BY i."statusChangedAt"
    LIMIT ${settings.batchSize}`;

  let alerted = 0;
  for (const row of candidates) {
    const sla = slaFor(settings, row.status, row.step);
    if (sla === null || row.ageMs < sla) continue;
    const sameEpisode = row.stuckSince !== null && row.stuckSince.getTime() === row.statusChangedAt.getTime();
    const level = sameEpisode ? row.stuckLevel + 1 : 0;
    const since = row.statusChangedAt.toISOString();
    const outcome = await alerting.raise(
      {
        kind: 'stuck-invoice',
        registryId: row.id,
        invoiceNumber: row.invoiceNumber,
        sellerNip: row.sellerNip,
        sourceSystem: row.sourceSystem,
        errorCode: `INVOICE_STUCK_${row.status}`,
        reason:
          `Status ${row.status} (step ${row.step}) unchanged since ${since}: ${minutes(row.ageMs)}, SLA ${minutes(sla)}. ` +
          `The registry says nothing has moved; its workflow ${row.workflowId} may be blocked, failed, or without a worker.`,
        escalationLevel: level,
        details: { status: row.status, step: row.step, statusChangedAt: since, slaMs: sla, ageMs: Math.round(row.ageMs), workflowId: row.workflowId },
      },
      // One alert per episode and level, even when two sweeps (two task queues) see it at once.
      { idempotencyKey: `stuck:${row.id}:${since}:L${level}` },
    );
    // Marked only while the status is still the one alerted about (a change in between ends the episode).
    const marked = await prisma.$executeRaw`
      UPDATE "invoices" SET "stuckSince" = "statusChangedAt", "stuckAlertedAt" = (now() AT TIME ZONE 'UTC'), "stuckLevel" = ${level}
      WHERE "id" = ${row.id}::uuid AND "status"::text = ${row.status} AND "statusChangedAt" = ${since}::timestamp(3)`;
    if (marked === 0) continue;
    alerted += 1;
    await appendAudit(prisma, {
      actor: 'system',
      action: 'invoice.stuck',
      targetType: 'invoice',
      targetId: row.id,
      result: level === 0 ? `alerted ${outcome.owner}` : `escalated to ${outcome.owner} (level ${level})`,
      details: { status: row.status, step: row.step, statusChangedAt: since, slaMs: sla, owner: outcome.owner, alertId: outcome.alertId, delivery: outcome.delivery, level },
    });
    logger.warn({ registryId: row.id, status: row.status, step: row.step, since, slaMs: sla, owner: outcome.owner, level }, 'invoice stuck');
  }
  const [{ stuck }] = await prisma.$queryRaw<Array<{ stuck: number }>>`SELECT count(*)::int AS stuck FROM "invoices" WHERE "stuckSince" IS NOT NULL`;
  return { alerted, stuck };
}
