import type { Prisma, PrismaClient } from './client';

/** Search over the append-only audit log: newest first, keyset-paged by id. */
export interface AuditFilter {
  actor?: string;
  /** Exact action, or a prefix ending in "*" (e.g. "invoice.*"). */
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  /** Only rows older than this id (the cursor). */
  beforeId?: bigint;
}

export function auditWhere(f: AuditFilter): Prisma.AuditEventWhereInput {
  return {
    actor: f.actor,
    action: f.action ? (f.action.endsWith('*') ? { startsWith: f.action.slice(0, -1) } : f.action) : undefined,
    targetType: f.targetType,
    targetId: f.targetId,
    at: f.from || f.to ? { gte: f.from, lt: f.to } : undefined,
    id: f.beforeId !== undefined ? { lt: f.beforeId } : undefined,
  };
}

export function findAuditPage(prisma: PrismaClient, f: AuditFilter, limit: number) {
  return prisma.auditEvent.findMany({ where: auditWhere(f), orderBy: { id: 'desc' }, take: limit });
}

/** "user:<id>" actors → their email, for people reading the log. */
export async function actorLabels(prisma: PrismaClient, actors: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(actors.filter((a) => a.startsWith('user:')).map((a) => a.slice(5)))].filter((id) => /^[0-9a-f-]{36}$/.test(id));
  const labels = new Map<string, string>();
  if (ids.length === 0) return labels;
  for (const u of await prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } })) labels.set(`user:${u.id}`, u.email);
  return labels;
}
