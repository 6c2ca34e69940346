import type { PrismaClient } from '../../prisma/client';
import { hashPassword, needsRehash } from './passwords';

/**
 * After a successful sign-in the plain password is at hand once: a hash made at older scrypt
 * parameters is rewritten at today's. Only if it is still the hash that was verified — a password
 * an administrator set in the meantime is not overwritten with the old one.
 */
export async function upgradePasswordHash(prisma: PrismaClient, user: { id: string; passwordHash: string | null }, password: string): Promise<boolean> {
  if (!user.passwordHash || !needsRehash(user.passwordHash)) return false;
  const updated = await prisma.user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash: await hashPassword(password) } });
  return updated.count === 1;
}
