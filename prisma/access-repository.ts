import type { PrismaClient } from './client';
import type { Role } from './generated/enums';

/** Storage of identities: people, their sessions, source-system API keys. Secrets only as hashes. */

export const ROLES = ['sender', 'corrector', 'monitor', 'approver', 'admin'] as const satisfies readonly Role[];
export type RoleName = (typeof ROLES)[number];

/** Roles no single person may carry alone. */
export const CRITICAL_ROLES = ['approver', 'corrector', 'admin'] as const satisfies readonly RoleName[];

export const userView = { id: true, email: true, name: true, roles: true, active: true, externalId: true, createdAt: true, updatedAt: true, lastLoginAt: true } as const;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function findUserByEmail(prisma: PrismaClient, email: string) {
  return prisma.user.findUnique({ where: { email: normaliseEmail(email) } });
}

export function createUser(prisma: PrismaClient, data: { email: string; name: string; passwordHash: string | null; roles: RoleName[] }) {
  return prisma.user.create({ data: { ...data, email: normaliseEmail(data.email) }, select: userView });
}

export function createSession(prisma: PrismaClient, userId: string, tokenHash: string, expiresAt: Date) {
  return prisma.session.create({ data: { userId, tokenHash, expiresAt } });
}

export function findLiveSession(prisma: PrismaClient, tokenHash: string, now: Date) {
  return prisma.session.findFirst({ where: { tokenHash, revokedAt: null, expiresAt: { gt: now }, user: { active: true } }, include: { user: true } });
}

export function revokeSession(prisma: PrismaClient, tokenHash: string) {
  return prisma.session.updateMany({ where: { tokenHash, revokedAt: null }, data: { revokedAt: new Date() } });
}

export function revokeSessionsOf(prisma: PrismaClient, userId: string) {
  return prisma.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
}

export function findLiveApiKey(prisma: PrismaClient, keyHash: string, now: Date) {
  return prisma.apiKey.findFirst({ where: { keyHash, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } });
}

/** lastUsedAt at minute resolution: one write per key per minute, not one per request. */
export async function touchApiKey(prisma: PrismaClient, id: string, now: Date) {
  await prisma.apiKey.updateMany({ where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60000) } }] }, data: { lastUsedAt: now } });
}

export async function touchSession(prisma: PrismaClient, id: string, now: Date) {
  await prisma.session.updateMany({ where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60000) } }] }, data: { lastUsedAt: now } });
}

export interface RoleCoverage {
  role: RoleName;
  required: number;
  count: number;
  ok: boolean;
  people: Array<{ id: string; email: string; name: string }>;
}

/**
 * Role pairs one person should not hold together: who puts invoice data in (sender, corrector) or
 * manages access (admin) also approving what goes to KSeF. The workflow refuses an approval by the
 * invoice's submitter or corrector anyway; this list shows where that is the only thing in the way.
 */
export const CONFLICTING_ROLES = [
  ['sender', 'approver'],
  ['corrector', 'approver'],
  ['admin', 'approver'],
] as const satisfies ReadonlyArray<readonly [RoleName, RoleName]>;

export interface RoleConflict {
  id: string;
  email: string;
  name: string;
  roles: RoleName[];
  /** "sender+approver", … */
  conflicts: string[];
}

/** Active people holding a conflicting pair of roles (the bus-factor report flags them). */
export async function conflictingRoleHolders(prisma: PrismaClient): Promise<RoleConflict[]> {
  const involved = [...new Set(CONFLICTING_ROLES.flat())];
  const users = await prisma.user.findMany({ where: { active: true, roles: { hasSome: involved } }, select: { id: true, email: true, name: true, roles: true }, orderBy: { email: 'asc' } });
  return users.flatMap((u) => {
    const conflicts = CONFLICTING_ROLES.filter(([a, b]) => u.roles.includes(a) && u.roles.includes(b)).map(([a, b]) => `${a}+${b}`);
    return conflicts.length > 0 ? [{ id: u.id, email: u.email, name: u.name, roles: u.roles as RoleName[], conflicts }] : [];
  });
}

/** Active people per critical role; fewer than `required` means the role hangs on one person (or none). */
export async function criticalRoleCoverage(prisma: PrismaClient, required = 2): Promise<RoleCoverage[]> {
  const users = await prisma.user.findMany({ where: { active: true, roles: { hasSome: [...CRITICAL_ROLES] } }, select: { id: true, email: true, name: true, roles: true }, orderBy: { email: 'asc' } });
  return CRITICAL_ROLES.map((role) => {
    const people = users.filter((u) => u.roles.includes(role)).map(({ id, email, name }) => ({ id, email, name }));
    return { role, required, count: people.length, ok: people.length >= required, people };
  });
}
