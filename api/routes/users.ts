import { Router, type Request } from 'express';
import { z } from 'zod';
import { lineText } from '../../domain/text';
import type { PrismaClient } from '../../prisma/client';
import { ROLES, createUser, findUserByEmail, revokeSessionsOf, userView, type RoleName } from '../../prisma/access-repository';
import { auditRequest } from '../auth/audit';
import { principalOf } from '../auth/context';
import { hashPassword, passwordProblems } from '../auth/passwords';
import { ProblemError } from '../problem';
import { parseOrProblem } from '../validation';

const Password = z.string().superRefine((v, ctx) => {
  const problem = passwordProblems(v);
  if (problem) ctx.addIssue({ code: 'custom', message: `password ${problem}` });
});
export const CreateUser = z.object({ email: z.email().max(320), name: lineText(200), password: Password.optional(), roles: z.array(z.enum(ROLES)).max(5).default([]) }).strict();
export const UpdateUser = z.object({ name: lineText(200).optional(), password: Password.optional(), roles: z.array(z.enum(ROLES)).max(5).optional(), active: z.boolean().optional() }).strict();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Admin: people and their roles. People are deactivated, never deleted, so the audit log keeps resolving them. */
export function userRoutes(deps: { prisma: PrismaClient; onAccessChange: () => Promise<void> }): Router {
  const { prisma } = deps;
  const router = Router();

  router.get('/', async (_req, res) => {
    res.json({ items: await prisma.user.findMany({ select: userView, orderBy: { email: 'asc' } }) });
  });

  router.post('/', async (req, res) => {
    const body = parseOrProblem(CreateUser, req.body, 'user');
    if (await findUserByEmail(prisma, body.email)) throw new ProblemError(409, 'KSEFOPS_USER_EXISTS', 'User exists', `A user with email ${body.email} exists already.`);
    const user = await createUser(prisma, { email: body.email, name: body.name, roles: [...new Set(body.roles)], passwordHash: body.password ? await hashPassword(body.password) : null });
    await auditRequest(prisma, req, 'user.create', 'user', user.id, 'created', { after: { email: user.email, name: user.name, roles: user.roles, active: user.active } });
    await deps.onAccessChange();
    res.status(201).location(`/api/v1/users/${user.id}`).json(user);
  });

  router.patch('/:id', async (req, res) => {
    if (!UUID.test(req.params.id)) throw new ProblemError(400, 'INVALID_ID', 'Invalid id', `"${req.params.id}" is not a user id.`);
    const body = parseOrProblem(UpdateUser, req.body, 'user change');
    const before = await prisma.user.findUnique({ where: { id: req.params.id }, select: userView });
    if (!before) throw new ProblemError(404, 'KSEFOPS_USER_NOT_FOUND', 'Not found', `No user with id ${req.params.id}.`);
    await refuseOwnRoleChange(prisma, req, before, body.roles);
    const roles = body.roles ? [...new Set(body.roles)] : before.roles;
    const active = body.active ?? before.active;
    if (before.active && before.roles.includes('admin') && (!active || !roles.includes('admin'))) {
      const otherAdmins = await prisma.user.count({ where: { active: true, roles: { has: 'admin' }, id: { not: before.id } } });
      if (otherAdmins === 0) throw new ProblemError(409, 'KSEFOPS_LAST_ADMIN', 'Last administrator', 'This is the last active admin; give the role to someone else first.');
    }
    const after = await prisma.user.update({
      where: { id: before.id },
      data: { name: body.name, roles, active, ...(body.password ? { passwordHash: await hashPassword(body.password) } : {}) },
      select: userView,
    });
    // Lost roles or a new password take effect now, not when the old session expires.
    if (!active || body.password || before.roles.some((r) => !roles.includes(r))) await revokeSessionsOf(prisma, before.id);
    const pick = (u: typeof before) => ({ name: u.name, roles: u.roles, active: u.active });
    await auditRequest(prisma, req, 'user.update', 'user', before.id, 'updated', { before: pick(before), after: pick(after), passwordChanged: !!body.password });
    await deps.onAccessChange();
    res.json(after);
  });

  return router;
}

/**
 * Nobody changes their own roles — an administrator granting themselves approver would approve
 * what they can also set up (people, source-system keys). Another administrator does it, on the
 * record. Name, password and the same roles again stay allowed.
 */
async function refuseOwnRoleChange(prisma: PrismaClient, req: Request, before: { id: string; roles: RoleName[] }, requested: RoleName[] | undefined): Promise<void> {
  const principal = principalOf(req);
  if (!requested || principal?.kind !== 'user' || principal.userId !== before.id) return;
  const after = [...new Set(requested)];
  if (after.length === before.roles.length && after.every((r) => before.roles.includes(r))) return;
  await auditRequest(prisma, req, 'user.update', 'user', before.id, 'refused-own-roles', { before: { roles: before.roles }, requested: { roles: after } });
  throw new ProblemError(403, 'KSEFOPS_SELF_ROLE_CHANGE', 'Forbidden', 'You cannot change your own roles; another administrator has to (separation of duties).', {
    errors: [{ path: ['roles'], field: 'roles', code: 'KSEFOPS_SELF_ROLE_CHANGE', message: 'own roles are changed by another administrator' }],
  });
}
