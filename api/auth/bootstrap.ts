import type { Logger } from '../../config/logger';
import type { PrismaClient } from '../../prisma/client';
import { createUser } from '../../prisma/access-repository';
import { appendAudit } from '../../prisma/invoice-registry';
import { hashPassword, passwordProblems } from './passwords';

export class BootstrapError extends Error {
  readonly code = 'KSEFOPS_ADMIN_BOOTSTRAP_INVALID';
}

/**
 * First start: with no user at all, ADMIN_EMAIL + ADMIN_PASSWORD create the first admin. Once any
 * user exists the variables are ignored (remove them from the environment after the first start).
 */
export async function bootstrapAdmin(prisma: PrismaClient, logger: Logger, admin: { email?: string; password?: string }): Promise<'created' | 'skipped' | 'not-configured'> {
  if (!admin.email || !admin.password) {
    if ((await prisma.user.count()) === 0) logger.warn('no users exist and ADMIN_EMAIL/ADMIN_PASSWORD are not set: nobody can sign in (KSEFOPS_NO_ADMIN)');
    return 'not-configured';
  }
  if ((await prisma.user.count()) > 0) return 'skipped';
  const problem = passwordProblems(admin.password);
  if (problem) throw new BootstrapError(`ADMIN_PASSWORD ${problem} (KSEFOPS_ADMIN_BOOTSTRAP_INVALID)`);
  let user;
  try {
    user = await createUser(prisma, { email: admin.email, name: 'Administrator', passwordHash: await hashPassword(admin.password), roles: ['admin'] });
  } catch (error) {
    // Two API processes starting together: the other one created it.
    if ((error as { code?: string }).code === 'P2002') return 'skipped';
    throw error;
  }
  await appendAudit(prisma, { actor: 'system', action: 'user.create', targetType: 'user', targetId: user.id, result: 'bootstrap-admin', details: { email: user.email, roles: user.roles } });
  logger.info({ email: user.email }, 'first admin created from ADMIN_EMAIL');
  return 'created';
}
