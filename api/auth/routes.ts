import { Router, type Response } from 'express';
import { z } from 'zod';
import { checkedText } from '../../domain/text';
import type { PrismaClient } from '../../prisma/client';
import { createSession, findUserByEmail, normaliseEmail, revokeSession } from '../../prisma/access-repository';
import { appendAudit } from '../../prisma/invoice-registry';
import { chargeLoginAttempt, pruneLoginThrottles, refundLoginAttempt } from '../../prisma/login-throttle';
import { ProblemError } from '../problem';
import { parseOrProblem } from '../validation';
import { auditRequest } from './audit';
import { principalOf } from './context';
import { SESSION_COOKIE, credentialsOf } from './identity';
import { PERMISSIONS, can, type Action } from './matrix';
import { actorIdOf } from './principal';
import { verifyPassword } from './passwords';
import { upgradePasswordHash } from './password-upgrade';
import { newSessionToken, sha256Hex } from './tokens';

export interface AuthSettings {
  sessionTtlMs: number;
  /** Set the cookie's Secure flag (the API is reached over HTTPS). */
  secureCookie: boolean;
  /** Unsuccessful sign-ins per account (email, known or not) within the window; then every attempt is refused until it ends. */
  maxFailedLogins: number;
  /**
   * Unsuccessful sign-ins per client address (req.ip) within the window, across all accounts: stops
   * one address trying one password on many accounts. Higher than the per-account limit because an
   * office behind one NAT address shares it.
   */
  maxFailedLoginsPerIp: number;
  failedLoginWindowMs: number;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = { sessionTtlMs: 60 * 60 * 1000, secureCookie: false, maxFailedLogins: 5, maxFailedLoginsPerIp: 50, failedLoginWindowMs: 15 * 60 * 1000 };

export const LoginSchema = z.object({ email: checkedText(z.string().min(3).max(320)), password: z.string().min(1).max(1024) });

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
    // The attempt is charged before the password is looked at, in one statement per attempt: the
    // limit holds however many sign-ins arrive at once, and a right password during a lock is refused too.
    const slots = await chargeLoginAttempt(
      prisma,
      [
        { key: `account:${normalised}`, max: settings.maxFailedLogins },
        { key: `ip:${req.ip ?? 'unknown'}`, max: settings.maxFailedLoginsPerIp },
      ],
      settings.failedLoginWindowMs,
    );
    const over = slots.filter((s) => s.failures > s.max);
    if (over.length > 0) {
      // Nothing was checked: the counters that still had room get their attempt back.
      await refundLoginAttempt(prisma, slots.filter((s) => s.failures <= s.max));
      const retryAfter = Math.max(...over.map((s) => s.retryAfterSeconds));
      const byAccount = over.some((s) => s.key.startsWith('account:'));
      await appendAudit(prisma, { actor: 'anonymous', action: 'auth.login', targetType: 'login', targetId: normalised, result: 'locked', details: { ip: req.ip, lockedBy: over.map((s) => s.key.split(':')[0]), retryAfterSeconds: retryAfter } });
      res.setHeader('Retry-After', String(retryAfter));
      throw new ProblemError(429, 'KSEFOPS_LOGIN_LOCKED', 'Too many failed sign-ins', `Too many failed sign-ins ${byAccount ? 'for this account' : 'from this address'}; try again in ${Math.max(1, Math.ceil(retryAfter / 60))} minute(s) or ask an administrator.`, {
        retryAfterSeconds: retryAfter,
      });
    }
    const user = await findUserByEmail(prisma, normalised);
    const ok = await verifyPassword(password, user?.active ? user.passwordHash : null);
    if (!user || !ok) {
      // The charged attempt stays: it is this failure.
      await appendAudit(prisma, { actor: 'anonymous', action: 'auth.login', targetType: 'login', targetId: normalised, result: 'failed', details: { ip: req.ip } });
      throw new ProblemError(401, 'KSEFOPS_LOGIN_FAILED', 'Sign-in failed', 'Email or password is wrong, or the account is disabled.');
    }
    // A success gives back only its own attempt; earlier failures in the window still count, so a
    // right guess among parallel wrong ones cannot reopen the account for more guesses.
    await refundLoginAttempt(prisma, slots);
    if (Math.random() < 0.01) await pruneLoginThrottles(prisma, settings.failedLoginWindowMs);
    const token = newSessionToken();
    const expiresAt = new Date(Date.now() + settings.sessionTtlMs);
    await createSession(prisma, user.id, sha256Hex(token), expiresAt);
    await prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    await upgradePasswordHash(prisma, user, password);
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
