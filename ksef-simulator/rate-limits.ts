/**
 * Published KSeF API limits (facts §7): counted per (context, client IP) over sliding windows of
 * 1 s, 60 s and 60 min, all enforced at once. Each group has its own counter.
 */
export interface WindowLimits {
  perSecond: number | null;
  perMinute: number | null;
  perHour: number | null;
}

export const PUBLISHED_RATE_LIMITS = {
  authChallenge: { perSecond: 60, perMinute: null, perHour: null },
  authOther: { perSecond: 60, perMinute: null, perHour: null },
  onlineSession: { perSecond: 10, perMinute: 30, perHour: 120 },
  invoiceSend: { perSecond: 10, perMinute: 30, perHour: 180 },
  batchSession: { perSecond: 10, perMinute: 20, perHour: 60 },
  invoiceStatus: { perSecond: 30, perMinute: 120, perHour: 1200 },
  sessionList: { perSecond: 5, perMinute: 10, perHour: 60 },
  sessionInvoiceList: { perSecond: 10, perMinute: 20, perHour: 200 },
  sessionMisc: { perSecond: 10, perMinute: 120, perHour: 1200 },
  invoiceMetadata: { perSecond: 8, perMinute: 16, perHour: 20 },
  invoiceExport: { perSecond: 8, perMinute: 16, perHour: 20 },
  invoiceExportStatus: { perSecond: 10, perMinute: 60, perHour: 600 },
  invoiceDownload: { perSecond: 8, perMinute: 16, perHour: 64 },
  other: { perSecond: 10, perMinute: 30, perHour: 120 },
} satisfies Record<string, WindowLimits>;

export type RateLimitGroup = keyof typeof PUBLISHED_RATE_LIMITS;
export type RateLimitTable = Record<RateLimitGroup, WindowLimits>;
export type RateLimitOverrides = Partial<Record<RateLimitGroup, Partial<WindowLimits>>>;

/** Maps an official path (relative to /v2) to its limit group; null = not limited (e.g. batch part upload). */
export function rateLimitGroupFor(method: string, path: string): RateLimitGroup {
  const m = method.toUpperCase();
  if (path === '/auth/challenge') return 'authChallenge';
  if (/^\/auth\/(ksef-token|xades-signature|token\/redeem|token\/refresh)$/.test(path)) return 'authOther';
  if (m === 'GET' && /^\/auth\/[^/]+$/.test(path) && path !== '/auth/sessions') return 'authOther';
  if (path === '/security/public-key-certificates') return 'authOther';
  if (m === 'POST' && path === '/sessions/online') return 'onlineSession';
  if (m === 'POST' && /^\/sessions\/online\/[^/]+\/close$/.test(path)) return 'onlineSession';
  if (m === 'POST' && /^\/sessions\/online\/[^/]+\/invoices$/.test(path)) return 'invoiceSend';
  if (m === 'POST' && (path === '/sessions/batch' || /^\/sessions\/batch\/[^/]+\/close$/.test(path))) return 'batchSession';
  if (m === 'GET' && path === '/sessions') return 'sessionList';
  if (m === 'GET' && /^\/sessions\/[^/]+\/invoices(\/failed)?$/.test(path)) return 'sessionInvoiceList';
  if (m === 'GET' && /^\/sessions\/[^/]+\/invoices\/[^/]+$/.test(path)) return 'invoiceStatus';
  if (m === 'GET' && path.startsWith('/sessions/')) return 'sessionMisc';
  if (m === 'POST' && path === '/invoices/query/metadata') return 'invoiceMetadata';
  if (m === 'POST' && path === '/invoices/exports') return 'invoiceExport';
  if (m === 'GET' && /^\/invoices\/exports\/[^/]+$/.test(path)) return 'invoiceExportStatus';
  if (m === 'GET' && /^\/invoices\/ksef\/[^/]+$/.test(path)) return 'invoiceDownload';
  return 'other';
}

export interface RateLimitDecision {
  allowed: boolean;
  retryAfterSeconds: number;
  detail: string;
}

const WINDOWS: { key: keyof WindowLimits; ms: number; label: string }[] = [
  { key: 'perSecond', ms: 1000, label: 'na sekundę' },
  { key: 'perMinute', ms: 60_000, label: 'na minutę' },
  { key: 'perHour', ms: 3_600_000, label: 'na godzinę' },
];

export class RateLimiter {
  private table: RateLimitTable;
  private readonly hits = new Map<string, number[]>();
  enabled: boolean;

  constructor(enabled: boolean, overrides: RateLimitOverrides = {}) {
    this.enabled = enabled;
    this.table = structuredClone(PUBLISHED_RATE_LIMITS);
    this.applyOverrides(overrides);
  }

  limits(): RateLimitTable {
    return structuredClone(this.table);
  }

  applyOverrides(overrides: RateLimitOverrides): void {
    for (const [group, limits] of Object.entries(overrides) as [RateLimitGroup, Partial<WindowLimits>][]) {
      if (!(group in this.table)) throw new Error(`unknown rate-limit group ${group}`);
      this.table[group] = { ...this.table[group], ...limits };
    }
  }

  resetToPublished(): void {
    this.table = structuredClone(PUBLISHED_RATE_LIMITS);
  }

  clearCounters(): void {
    this.hits.clear();
  }

  /** Records the request when allowed; rejected requests are not counted (KSeF does not document either way). */
  check(group: RateLimitGroup, counterKey: string, now = Date.now()): RateLimitDecision {
    if (!this.enabled) return { allowed: true, retryAfterSeconds: 0, detail: '' };
    const key = `${group}|${counterKey}`;
    const history = (this.hits.get(key) ?? []).filter((t) => t > now - 3_600_000);
    const limits = this.table[group];
    let blocked: RateLimitDecision | undefined;
    for (const window of WINDOWS) {
      const limit = limits[window.key];
      if (limit === null || limit === undefined) continue;
      const inWindow = history.filter((t) => t > now - window.ms);
      if (inWindow.length >= limit) {
        const oldestThatMustExpire = inWindow[inWindow.length - limit];
        const retryAfterSeconds = Math.max(1, Math.ceil((oldestThatMustExpire + window.ms - now) / 1000));
        if (!blocked || retryAfterSeconds > blocked.retryAfterSeconds) {
          blocked = {
            allowed: false,
            retryAfterSeconds,
            detail: `Przekroczono limit ${limit} żądań ${window.label}. Spróbuj ponownie po ${retryAfterSeconds} sekundach.`,
          };
        }
      }
    }
    if (blocked) {
      this.hits.set(key, history);
      return blocked;
    }
    history.push(now);
    this.hits.set(key, history);
    return { allowed: true, retryAfterSeconds: 0, detail: '' };
  }
}
