import { z } from 'zod';

/**
 * Failure injection for the admin endpoint /_sim/faults. Counters ("next N requests") are
 * consumed in arrival order, so tests that send sequentially get deterministic results; the
 * share of 5xx uses a seeded PRNG when `seed` is set.
 */
export const faultConfigSchema = z
  .object({
    seed: z.number().int().optional(),
    /** Only requests whose path (relative to /v2) starts with this prefix are affected. */
    pathPrefix: z.string().optional(),
    serverErrorRate: z.number().min(0).max(1).optional(),
    serverErrorStatus: z.number().int().min(500).max(599).optional(),
    tooManyRequests: z.object({ count: z.number().int().min(0), retryAfterSeconds: z.number().int().min(0).default(1) }).optional(),
    latencyMs: z.number().int().min(0).optional(),
    /** The next `count` requests never get an answer; with timeoutMs the socket is dropped after that time. */
    hang: z.object({ count: z.number().int().min(0), timeoutMs: z.number().int().min(1).optional() }).optional(),
    /** The next `count` requests are processed normally but their answer is lost (socket dropped). */
    loseResponses: z.object({ count: z.number().int().min(0) }).optional(),
    rejectInvoices: z
      .object({
        count: z.number().int().min(0),
        code: z.number().int().default(450),
        description: z.string().default('Błąd weryfikacji semantyki dokumentu faktury'),
        details: z.array(z.string()).default(['Odrzucenie wymuszone przez symulator (/_sim/faults)']),
      })
      .optional(),
    /** The next `count` XAdES authentications end with status 460 for this certificate reason. */
    certificateAuth: z.object({ count: z.number().int().min(0), failure: z.enum(['revoked', 'expired', 'untrusted', 'suspended']) }).optional(),
    outage: z
      .object({ until: z.string().datetime({ offset: true }).optional(), durationMs: z.number().int().min(0).optional(), status: z.number().int().default(503) })
      .optional(),
  })
  .strict();

export type FaultConfig = z.infer<typeof faultConfigSchema>;

export type RequestFault =
  | { kind: 'outage'; status: number; until: Date }
  | { kind: 'hang'; timeoutMs?: number }
  | { kind: 'tooManyRequests'; retryAfterSeconds: number }
  | { kind: 'serverError'; status: number }
  | { kind: 'loseResponse' }
  | { kind: 'none' };

export interface ForcedRejection {
  code: number;
  description: string;
  details: string[];
}

/** Mulberry32: tiny, fast, good enough to make "random" 5xx reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private config: FaultConfig = {};
  private random: () => number = Math.random;
  private outageUntil: Date | null = null;

  set(config: FaultConfig): void {
    this.config = structuredClone(config);
    this.random = config.seed === undefined ? Math.random : mulberry32(config.seed);
    this.outageUntil = null;
    if (config.outage) {
      if (config.outage.until) this.outageUntil = new Date(config.outage.until);
      else if (config.outage.durationMs !== undefined) this.outageUntil = new Date(Date.now() + config.outage.durationMs);
      else this.outageUntil = new Date(8.64e15);
    }
  }

  clear(): void {
    this.set({});
  }

  /** Current configuration with the remaining counts, for GET /_sim/faults. */
  describe(): FaultConfig & { outageUntil: string | null } {
    return { ...structuredClone(this.config), outageUntil: this.outageUntil?.toISOString() ?? null };
  }

  latencyFor(path: string): number {
    return this.applies(path) ? (this.config.latencyMs ?? 0) : 0;
  }

  /** Decides the fault for one /v2 request, consuming one unit of any counted fault. */
  nextRequestFault(path: string, now = Date.now()): RequestFault {
    if (!this.applies(path)) return { kind: 'none' };
    if (this.outageUntil && now < this.outageUntil.getTime()) {
      return { kind: 'outage', status: this.config.outage?.status ?? 503, until: this.outageUntil };
    }
    const hang = this.config.hang;
    if (hang && hang.count > 0) {
      hang.count -= 1;
      return { kind: 'hang', timeoutMs: hang.timeoutMs };
    }
    const burst = this.config.tooManyRequests;
    if (burst && burst.count > 0) {
      burst.count -= 1;
      return { kind: 'tooManyRequests', retryAfterSeconds: burst.retryAfterSeconds };
    }
    const lose = this.config.loseResponses;
    if (lose && lose.count > 0) {
      lose.count -= 1;
      return { kind: 'loseResponse' };
    }
    const rate = this.config.serverErrorRate ?? 0;
    if (rate > 0 && this.random() < rate) {
      return { kind: 'serverError', status: this.config.serverErrorStatus ?? 500 };
    }
    return { kind: 'none' };
  }

  /** Invoice-level fault, taken when an invoice is processed (not when it is sent). */
  nextForcedRejection(): ForcedRejection | null {
    const reject = this.config.rejectInvoices;
    if (!reject || reject.count <= 0) return null;
    reject.count -= 1;
    return { code: reject.code, description: reject.description, details: reject.details };
  }

  /** Certificate-level fault, taken when a signed AuthTokenRequest is judged. */
  nextCertificateFailure(): 'revoked' | 'expired' | 'untrusted' | 'suspended' | null {
    const fault = this.config.certificateAuth;
    if (!fault || fault.count <= 0) return null;
    fault.count -= 1;
    return fault.failure;
  }

  private applies(path: string): boolean {
    return !this.config.pathPrefix || path.startsWith(this.config.pathPrefix);
  }
}
