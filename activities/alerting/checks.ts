import type { PrismaClient } from '../../prisma/client';
import { criticalRoleCoverage } from '../../prisma/access-repository';
import type { Alerting } from './alerting';

/** Periodic checks that look at trends rather than single invoices. All durations are configuration. */
export interface CheckSettings {
  /** "Now" for the trend checks. */
  recentWindowMs: number;
  /** What "normal" is compared against (the period before the recent window). */
  baselineWindowMs: number;
  spikeFactor: number;
  spikeMinRejections: number;
  /** With no baseline at all, a rate at least this high is a spike. */
  spikeMinRate: number;
  timeToFixFactor: number;
  timeToFixMinSamples: number;
  /** Open triage cases (NEEDS_FIX + REJECTED) allowed; warn from warnRatio × limit. null = no check. */
  backlogLimit: number | null;
  backlogWarnRatio: number;
  /** A persisting trend alerts again only after this long. */
  repeatAfterMs: number;
  busFactorRepeatAfterMs: number;
}

export const DEFAULT_CHECK_SETTINGS: CheckSettings = {
  recentWindowMs: 60 * 60 * 1000,
  baselineWindowMs: 7 * 24 * 60 * 60 * 1000,
  spikeFactor: 3,
  spikeMinRejections: 5,
  spikeMinRate: 0.2,
  timeToFixFactor: 2,
  timeToFixMinSamples: 3,
  backlogLimit: null,
  backlogWarnRatio: 0.8,
  repeatAfterMs: 60 * 60 * 1000,
  busFactorRepeatAfterMs: 24 * 60 * 60 * 1000,
};

const FIX_ACTIONS = ['invoice.correct', 'invoice.force-retry', 'invoice.approve-manual-exception', 'invoice.cancel'];

export async function checkBusFactor(prisma: PrismaClient, alerting: Alerting, settings: Pick<CheckSettings, 'busFactorRepeatAfterMs'>) {
  const coverage = await criticalRoleCoverage(prisma);
  for (const role of coverage.filter((c) => !c.ok)) {
    await alerting.raise(
      {
        kind: 'bus-factor',
        errorCode: `BUS_FACTOR_${role.role.toUpperCase()}`,
        reason: `Role "${role.role}" has ${role.count} active ${role.count === 1 ? 'person' : 'people'}${role.people.length ? ` (${role.people.map((p) => p.email).join(', ')})` : ''}; at least ${role.required} are needed so nobody is a single point of failure.`,
        escalationLevel: 0,
        details: { role: role.role, count: role.count, people: role.people.map((p) => p.email) },
      },
      { suppressWhenThrottled: true, windowMs: settings.busFactorRepeatAfterMs },
    );
  }
  return coverage;
}

export async function checkRejectionSpike(prisma: PrismaClient, alerting: Alerting, s: CheckSettings, now = new Date()) {
  const recent = new Date(now.getTime() - s.recentWindowMs);
  const since = new Date(recent.getTime() - s.baselineWindowMs);
  const rows = await prisma.$queryRaw<Array<{ sourceSystem: string; recentReceived: bigint; recentRejected: bigint; baseReceived: bigint; baseRejected: bigint }>>`
    SELECT i."sourceSystem" AS "sourceSystem",
      count(*) FILTER (WHERE a.action = 'invoice.received' AND a.at >= ${recent}) AS "recentReceived",
      count(*) FILTER (WHERE a.action = 'invoice.triage' AND a.result = 'REJECTED' AND a.at >= ${recent}) AS "recentRejected",
      count(*) FILTER (WHERE a.action = 'invoice.received' AND a.at < ${recent}) AS "baseReceived",
      count(*) FILTER (WHERE a.action = 'invoice.triage' AND a.result = 'REJECTED' AND a.at < ${recent}) AS "baseRejected"
    FROM audit_events a JOIN invoices i ON i.id::text = a."targetId"
    WHERE a."targetType" = 'invoice' AND a.action IN ('invoice.received', 'invoice.triage') AND a.at >= ${since}
    GROUP BY i."sourceSystem"`;
  const spikes = [];
  for (const r of rows) {
    const recentRejected = Number(r.recentRejected);
    const recentRate = recentRejected / Math.max(Number(r.recentReceived), recentRejected, 1);
    const baseRate = Number(r.baseRejected) / Math.max(Number(r.baseReceived), 1);
    const bar = Math.max(baseRate * s.spikeFactor, s.spikeMinRate);
    if (recentRejected < s.spikeMinRejections || recentRate < bar) continue;
    spikes.push(r.sourceSystem);
    await alerting.raise(
      {
        kind: 'rejection-spike',
        sourceSystem: r.sourceSystem,
        errorCode: 'REJECTION_RATE_SPIKE',
        reason: `KSeF rejected ${recentRejected} invoices from ${r.sourceSystem} in the last ${Math.round(s.recentWindowMs / 60000)} min (rate ${(recentRate * 100).toFixed(0)}%, baseline ${(baseRate * 100).toFixed(1)}%).`,
        escalationLevel: 0,
        details: { recentRejected, recentRate, baseRate },
      },
      { suppressWhenThrottled: true, windowMs: s.repeatAfterMs },
    );
  }
  return spikes;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function checkTimeToFix(prisma: PrismaClient, alerting: Alerting, s: CheckSettings, now = new Date()) {
  const recent = new Date(now.getTime() - s.recentWindowMs);
  const since = new Date(recent.getTime() - s.baselineWindowMs);
  const rows = await prisma.$queryRaw<Array<{ triaged: Date; fixed: Date | null }>>`
    SELECT t.at AS triaged,
      (SELECT min(h.at) FROM audit_events h
        WHERE h."targetType" = 'invoice' AND h."targetId" = t."targetId" AND h.at > t.at AND h.action IN (${FIX_ACTIONS[0]}, ${FIX_ACTIONS[1]}, ${FIX_ACTIONS[2]}, ${FIX_ACTIONS[3]})
          AND h.result NOT IN ('refused')) AS fixed
    FROM audit_events t
    WHERE t."targetType" = 'invoice' AND t.action = 'invoice.triage' AND t.at >= ${since}`;
  const fixed = rows.filter((r) => r.fixed !== null) as Array<{ triaged: Date; fixed: Date }>;
  const recentFixes = fixed.filter((r) => r.fixed >= recent).map((r) => r.fixed.getTime() - r.triaged.getTime());
  const baseFixes = fixed.filter((r) => r.fixed < recent).map((r) => r.fixed.getTime() - r.triaged.getTime());
  if (recentFixes.length < s.timeToFixMinSamples || baseFixes.length < s.timeToFixMinSamples) return null;
  const recentMedian = median(recentFixes);
  const baseMedian = median(baseFixes);
  if (recentMedian < baseMedian * s.timeToFixFactor) return null;
  await alerting.raise(
    {
      kind: 'time-to-fix-growth',
      errorCode: 'TIME_TO_FIX_GROWTH',
      reason: `Median time to fix a rejected invoice grew to ${Math.round(recentMedian / 60000)} min (baseline ${Math.round(baseMedian / 60000)} min).`,
      escalationLevel: 0,
      details: { recentMedianMs: recentMedian, baselineMedianMs: baseMedian, samples: recentFixes.length },
    },
    { suppressWhenThrottled: true, windowMs: s.repeatAfterMs },
  );
  return { recentMedian, baseMedian };
}

export async function checkBacklog(prisma: PrismaClient, alerting: Alerting, s: CheckSettings) {
  if (s.backlogLimit === null) return null;
  const open = await prisma.invoice.count({ where: { status: { in: ['NEEDS_FIX', 'REJECTED'] } } });
  if (open < s.backlogLimit * s.backlogWarnRatio) return open;
  await alerting.raise(
    {
      kind: 'threshold-approaching',
      errorCode: open >= s.backlogLimit ? 'BACKLOG_LIMIT_REACHED' : 'BACKLOG_LIMIT_APPROACHING',
      reason: `${open} invoices wait for triage (limit ${s.backlogLimit}, warning from ${Math.round(s.backlogWarnRatio * 100)}%).`,
      escalationLevel: 0,
      details: { open, limit: s.backlogLimit },
    },
    { suppressWhenThrottled: true, windowMs: s.repeatAfterMs },
  );
  return open;
}
