/**
 * Sliding-window request budget per KSeF endpoint group (KSeF counts per context + IP over the last
 * second, minute and hour, all at once). Pure and deterministic: the dispatcher workflow keeps the
 * timestamps in its state and asks how much it may spend now, or when it may spend again.
 */
export type EndpointGroup = 'onlineSend' | 'onlineSession' | 'batchSession' | 'sessionInvoices' | 'sessionStatus';

export interface WindowLimits {
  perSecond: number;
  perMinute: number;
  perHour: number;
}

export type LimitTable = Record<EndpointGroup, WindowLimits>;

/** The published table (KSEF-API-FACTS §7); DEMO and PRD use it, TEST too since 2.5.0. */
export const PUBLISHED_LIMITS: LimitTable = {
  onlineSend: { perSecond: 10, perMinute: 30, perHour: 180 },
  onlineSession: { perSecond: 10, perMinute: 30, perHour: 120 },
  batchSession: { perSecond: 10, perMinute: 20, perHour: 60 },
  sessionInvoices: { perSecond: 10, perMinute: 20, perHour: 200 },
  sessionStatus: { perSecond: 10, perMinute: 120, perHour: 1200 },
};

const WINDOWS: Array<[keyof WindowLimits, number]> = [
  ['perSecond', 1000],
  ['perMinute', 60_000],
  ['perHour', 3_600_000],
];

export type UsageLog = Partial<Record<EndpointGroup, number[]>>;

export function prune(log: UsageLog, now: number): UsageLog {
  const out: UsageLog = {};
  for (const [group, times] of Object.entries(log) as Array<[EndpointGroup, number[]]>) {
    const kept = times.filter((t) => now - t < 3_600_000);
    if (kept.length) out[group] = kept;
  }
  return out;
}

/** How many requests of `group` may be made right now without crossing any window. */
export function available(log: UsageLog, limits: LimitTable, group: EndpointGroup, now: number): number {
  const times = log[group] ?? [];
  let room = Infinity;
  for (const [window, span] of WINDOWS) {
    const used = times.filter((t) => now - t < span).length;
    room = Math.min(room, limits[group][window] - used);
  }
  return Math.max(0, room);
}

/** Earliest time at which `count` requests of `group` fit, given what was already spent. */
export function whenAvailable(log: UsageLog, limits: LimitTable, group: EndpointGroup, count: number, now: number): number {
  const times = [...(log[group] ?? [])].sort((a, b) => a - b);
  let at = now;
  for (const [window, span] of WINDOWS) {
    const limit = limits[group][window];
    if (count > limit) return Infinity;
    const inWindow = times.filter((t) => now - t < span);
    const excess = inWindow.length + count - limit;
    // The oldest `excess` requests must leave the window first.
    if (excess > 0) at = Math.max(at, inWindow[excess - 1] + span + 1);
  }
  return at;
}

export function record(log: UsageLog, group: EndpointGroup, times: number[]): UsageLog {
  return { ...log, [group]: [...(log[group] ?? []), ...times] };
}

/**
 * Even spacing of batch sessions: open and close both count in the batch-session group, so an
 * hour's budget is perHour / 2 sessions. Spent as fast as a queue fills, it runs dry within minutes
 * and the queue then waits up to an hour; one session per interval never runs dry.
 */
export function batchSessionInterval(limits: LimitTable): number {
  return Math.ceil(3_600_000 / sessionsPerHour(limits));
}

/**
 * When the next batch session may open: at once while less than half of the hour's sessions are
 * spent (a burst costs no latency), otherwise one interval after the last one, so the other half
 * lasts until the oldest sessions leave the window.
 */
export function nextBatchSessionAt(log: UsageLog, limits: LimitTable, now: number): number {
  const requests = (log.batchSession ?? []).filter((t) => now - t < 3_600_000);
  // Every session is two requests (open, close), recorded together.
  if (requests.length / 2 < sessionsPerHour(limits) / 2) return now;
  return Math.max(...requests) + batchSessionInterval(limits);
}

function sessionsPerHour(limits: LimitTable): number {
  return Math.max(1, Math.floor(limits.batchSession.perHour / 2));
}
