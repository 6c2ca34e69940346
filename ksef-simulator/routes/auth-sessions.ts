import { Router } from 'express';
import { z } from 'zod';
import type { SimulatorContext } from '../context';
import { ExceptionCode, KsefError, sendUnauthorized } from '../errors';
import { bearerToken, claimsOf, requireBearer } from '../http';
import { verifyBearer } from '../tokens';
import type { AuthOperation } from '../state';
import { describeOperation } from './auth';

const pageSize = z.coerce.number().int().min(10).max(100).default(10);

/**
 * GET /auth/sessions, DELETE /auth/sessions/current and DELETE /auth/sessions/{ref}. Mounted before
 * GET /auth/{referenceNumber}, which would otherwise take "sessions" for a reference number.
 */
export function authSessionRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  const { state } = ctx;

  function activeSessions(contextNip: string): AuthOperation[] {
    const now = Date.now();
    return [...state.authOperations.values()]
      .filter((op) => op.contextNip === contextNip && op.redeemed && !op.revoked && (op.refreshTokenValidUntil?.getTime() ?? 0) > now)
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  }

  router.get('/auth/sessions', requireBearer(ctx, 'access'), (req, res) => {
    const claims = claimsOf(res);
    const size = pageSize.safeParse(req.query.pageSize ?? undefined);
    if (!size.success) throw new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', ['pageSize: dozwolone 10–100.']);
    const token = req.get('x-continuation-token');
    const offset = token ? Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10) : 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new KsefError(ExceptionCode.badContinuationToken, 'Przekazany token kontynuacji ma nieprawidłowy format.', []);
    const sessions = activeSessions(claims.contextNip);
    const page = sessions.slice(offset, offset + size.data);
    const next = offset + size.data < sessions.length ? Buffer.from(String(offset + size.data)).toString('base64url') : null;
    res.json({
      continuationToken: next,
      items: page.map((op) => ({ referenceNumber: op.referenceNumber, isCurrent: op.referenceNumber === claims.authReferenceNumber, ...describeOperation(op) })),
    });
  });

  function revoke(op: AuthOperation | undefined, contextNip: string, referenceNumber: string): void {
    if (!op || op.contextNip !== contextNip) {
      throw new KsefError(ExceptionCode.authOperationNotFound, 'Brak operacji uwierzytelniania o podanym numerze referencyjnym.', [referenceNumber]);
    }
    op.revoked = true;
    ctx.logger.info({ auth: op.referenceNumber }, 'authentication session revoked');
  }

  router.delete('/auth/sessions/current', (req, res) => {
    // KSeF accepts the refresh token or the access token here.
    const token = bearerToken(req);
    const check = token ? verifyBearer(state.keys.hmacSecret, token) : null;
    if (!check?.ok || (check.claims.kind !== 'access' && check.claims.kind !== 'refresh')) return sendUnauthorized(req, res, 'Wymagany access token lub refresh token.');
    revoke(state.authOperations.get(check.claims.authReferenceNumber), check.claims.contextNip, check.claims.authReferenceNumber);
    res.status(204).end();
  });

  router.delete('/auth/sessions/:referenceNumber', requireBearer(ctx, 'access'), (req, res) => {
    const claims = claimsOf(res);
    const ref = String(req.params.referenceNumber);
    revoke(state.authOperations.get(ref), claims.contextNip, ref);
    res.status(204).end();
  });

  return router;
}
