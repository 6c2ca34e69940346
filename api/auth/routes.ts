import { Router, type Response } from 'express';
import { z } from 'zod';
import type { PrismaClient } from '../../prisma/client';
import { createSession, findUserByEmail, normaliseEmail, revokeSession } from '../../prisma/access-repository';
import { appendAudit } from '../../prisma/invoice-registry';
import { ProblemError } from '../problem';
import { parseOrProblem } from '../validation';
import { auditRequest } from './audit';
import { principalOf } from './context';
import { SESSION_COOKIE, credentialsOf } from './identity';
import { PERMISSIONS, can, type Action } from './matrix';
import { actorIdOf } from './principal';
import { verifyPassword } from './passwords';
import { newSessionToken, sha256Hex } from './tokens';

export interface AuthSettings {
  sessionTtlMs: number;
  /** Set the cookie's Secure flag (the API is reached over HTTPS). */
  secureCookie: boolean;
  /** Failed logins per email within the window before further attempts are refused. */
  maxFailedLogins: number;
  failedLoginWindowMs: number;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = { sessionTtlMs: 60 * 60 * 1000, secureCookie: false, maxFailedLogins: 5, failedLoginWindowMs: 15 * 60 * 1000 };

export const LoginSchema = z.object({ email: z.string().min(3).max(320), password: z.string().min(1).max(1024) });

function setSessionCookie(res: Response, token: string, settings: AuthSettings) {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: settings.secureCookie, path: '/', maxAge: settings.sessionTtlMs });
}

/** Sign-in with email + password → a short-lived opaque session token (cookie for the UI, Bearer for the API). */
export function authRoutes(deps: { prisma: PrismaClient; settings: AuthSettings }): Router {
  const { prisma, settings } = deps;
  const router = Router();

  router.post('/login', async (req, res) => {
    const { email, password } = parseOrProblem(LoginSchema, req.body, 'login request');
    const normalised = normaliseEmail(email);
    const since = new Date(Date.now() - settings.failedLoginWindowMs);
    const failures = await prisma.auditEvent.count({ where: { targetType: 'login', targetId: normalised, action: 'auth.login', result: 'failed', at: { gte: since } } });
    if (failures >= settings.maxFailedLogins) {
      await appendAudit(prisma, { actor: 'anonymous', action: 'auth.login', targetType: 'login', targetId: normalised, result: 'locked', details: { ip: req.ip } });
      throw new ProblemError(429, 'KSEFOPS_LOGIN_LOCKED', 'Too many failed sign-ins', `Too many failed sign-ins for this account; try again in ${Math.round(settings.failedLoginWindowMs / 60000)} minutes or ask an administrator.`);
    }
    const user = await findUserByEmail(prisma, normalised);
    const ok = await verifyPassword(password, user?.active ? user.passwordHash : null);
    if (!user || !ok) {
      await appendAudit(prisma, { actor: 'anonymous', action: 'auth.login', targetType: 'login', targetId: normalised, result: 'failed', details: { ip: req.ip } });
      throw new ProblemError(401, 'KSEFOPS_LOGIN_FAILED', 'Sign-in failed', 'Email or password is wrong, or the account is disabled.');
    }
    const token = newSessionToken();
    const expiresAt = new Date(Date.now() + settings.sessionTtlMs);
    await createSession(prisma, user.id, sha256Hex(token), expiresAt);
    await prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    await appendAudit(prisma, { actor: `user:${user.id}`, action: 'auth.login', targetType: 'login', targetId: normalised, result: 'ok', details: { ip: req.ip } });
    setSessionCookie(res, token, settings);
    res.json({ token, tokenType: 'Bearer', expiresAt: expiresAt.toISOString(), user: { id: user.id, email: user.email, name: user.name, roles: user.roles } });
  });

  router.post('/logout', async (req, res) => {
    const principal = principalOf(req);
    const c = credentialsOf(req);
    const token = c.bearer ?? c.cookie;
    if (principal?.kind === 'user' && token) await revokeSession(prisma, sha256Hex(token));
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    await auditRequest(prisma, req, 'auth.logout', 'session', principal?.kind === 'user' ? principal.sessionId ?? '-' : '-', 'ok');
    res.status(204).end();
  });

  router.get('/me', (req, res) => {
    const p = principalOf(req)!;
    const allowed = (Object.keys(PERMISSIONS) as Action[]).filter((a) => can(p, a));
    res.json(
      p.kind === 'user'
        ? { kind: 'user', actor: actorIdOf(p), id: p.userId, email: p.email, name: p.name, roles: p.roles, allowedActions: allowed }
        : { kind: 'api-key', actor: actorIdOf(p), id: p.keyId, name: p.name, sourceSystem: p.sourceSystem, sellerNips: p.sellerNips, roles: p.roles, allowedActions: allowed },
    );
  });

  return router;
}
