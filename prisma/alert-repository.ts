import type { PrismaClient } from './client';

/**
 * Opens a throttle window for `dedupKey` if none is open. Atomic (one INSERT … ON CONFLICT), so of
 * 500 concurrent alerts with one key exactly one wins and goes out at once; the rest are folded.
 */
export async function claimThrottleWindow(prisma: PrismaClient, dedupKey: string, now: Date, windowMs: number): Promise<boolean> {
  const cutoff = new Date(now.getTime() - windowMs);
  const rows = await prisma.$queryRaw<Array<{ dedupKey: string }>>`
    INSERT INTO alert_throttles ("dedupKey", "windowStart") VALUES (${dedupKey}, ${now})
    ON CONFLICT ("dedupKey") DO UPDATE SET "windowStart" = EXCLUDED."windowStart"
      WHERE alert_throttles."windowStart" <= ${cutoff}
    RETURNING "dedupKey"`;
  return rows.length === 1;
}

/** Takes the alerts waiting for a digest (folded, or failed to go out) so only one sweep sends them. */
export async function claimForDigest(prisma: PrismaClient, scope: string, digestId: string, limit = 5000) {
  const waiting = await prisma.alert.findMany({
    where: { scope, state: { in: ['FOLDED', 'FAILED'] } },
    orderBy: { createdAt: 'asc' },
    take: limit,
    select: { id: true },
  });
  if (waiting.length === 0) return [];
  await prisma.alert.updateMany({
    where: { id: { in: waiting.map((w) => w.id) }, state: { in: ['FOLDED', 'FAILED'] } },
    data: { state: 'DIGESTED', digestId },
  });
  return prisma.alert.findMany({ where: { digestId }, orderBy: { createdAt: 'asc' } });
}
