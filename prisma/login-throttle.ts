import { Prisma, type PrismaClient } from './client';

/** One counter a sign-in attempt is charged to, and how many unsuccessful attempts it allows per window. */
export interface ThrottleLimit {
  key: string;
  max: number;
}

export interface ThrottleSlot {
  key: string;
  max: number;
  /** This attempt's number in the window (the counter after it was charged). */
  failures: number;
  /** The window's start, epoch milliseconds as PostgreSQL stores it (a refund names its window by it). */
  windowStartMs: number;
  /** Whole seconds until the window (and with it a lock) ends. */
  retryAfterSeconds: number;
}

const EPOCH_MS = Prisma.sql`(EXTRACT(EPOCH FROM "windowStart") * 1000)::bigint`;

/**
 * Charges one attempt to every counter in a single statement and returns the counters as they are
 * after it. The decision "may this attempt check a password" is made from the returned numbers, so
 * N parallel attempts get N distinct numbers from PostgreSQL's row lock — never N times "below the
 * limit" as a count-then-write would. A window older than `windowMs` starts again at this attempt.
 * Keys are charged in sorted order so two statements never wait for each other's rows crosswise.
 */
export async function chargeLoginAttempt(prisma: PrismaClient, limits: ThrottleLimit[], windowMs: number): Promise<ThrottleSlot[]> {
  const sorted = [...limits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const window = Prisma.sql`(${windowMs}::bigint * interval '1 millisecond')`;
  const rows = await prisma.$queryRaw<Array<{ key: string; failures: number; windowStartMs: bigint | number; retryAfter: number }>>`
    INSERT INTO login_throttles (key, failures, "windowStart")
    VALUES ${Prisma.join(sorted.map((l) => Prisma.sql`(${l.key}, 1, now())`))}
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN login_throttles."windowStart" <= now() - ${window} THEN 1 ELSE login_throttles.failures + 1 END,
      "windowStart" = CASE WHEN login_throttles."windowStart" <= now() - ${window} THEN now() ELSE login_throttles."windowStart" END
    RETURNING key, failures, ${EPOCH_MS} AS "windowStartMs", GREATEST(1, CEIL(EXTRACT(EPOCH FROM ("windowStart" + ${window} - now()))))::int AS "retryAfter"`;
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return limits.map((l) => {
    const row = byKey.get(l.key)!;
    return { key: l.key, max: l.max, failures: Number(row.failures), windowStartMs: Number(row.windowStartMs), retryAfterSeconds: Number(row.retryAfter) };
  });
}

/**
 * Gives a charged attempt back (it succeeded, or was refused before any password was checked). Only
 * within the window it was charged in: a refund must not lower a window that started after it.
 */
export async function refundLoginAttempt(prisma: PrismaClient, slots: ThrottleSlot[]): Promise<void> {
  for (const s of slots) {
    await prisma.$executeRaw`UPDATE login_throttles SET failures = failures - 1 WHERE key = ${s.key} AND ${EPOCH_MS} = ${BigInt(s.windowStartMs)}::bigint AND failures > 0`;
  }
}

/** Counters whose window ended long ago say nothing any more; sign-ins with made-up emails would otherwise pile up. */
export async function pruneLoginThrottles(prisma: PrismaClient, windowMs: number): Promise<number> {
  return prisma.$executeRaw`DELETE FROM login_throttles WHERE "windowStart" < now() - (${windowMs}::bigint * interval '1 millisecond')`;
}
