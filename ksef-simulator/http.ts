import type { NextFunction, Request, Response } from 'express';
import { ZodError, type ZodType } from 'zod';
import type { SimulatorContext } from './context';
import { ExceptionCode, KsefError, sendKsefError, sendUnauthorized } from './errors';
import { verifyBearer, type BearerClaims, type BearerKind } from './tokens';

/** Parses a JSON body with zod, turning failures into KSeF's generic validation error 21405. */
export function parseBody<T>(schema: ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw new KsefError(
      ExceptionCode.validation,
      'Błąd walidacji danych wejściowych.',
      result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`),
    );
  }
  return result.data;
}

export function bearerToken(req: Request): string | null {
  const header = req.get('Authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match ? match[1].trim() : null;
}

/** Each endpoint accepts one kind of bearer (authentication / access / refresh), as in KSeF. */
export function requireBearer(ctx: SimulatorContext, kind: BearerKind) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const token = bearerToken(req);
    if (!token) return sendUnauthorized(req, res, 'Wymagane jest uwierzytelnienie.');
    const check = verifyBearer(ctx.state.keys.hmacSecret, token);
    if (!check.ok) {
      return sendUnauthorized(req, res, check.reason === 'expired' ? 'Token wygasł.' : 'Nieprawidłowy token.');
    }
    if (check.claims.kind !== kind) return sendUnauthorized(req, res, `Oczekiwano tokenu typu ${kind}.`);
    res.locals.claims = check.claims;
    next();
  };
}

export function claimsOf(res: Response): BearerClaims {
  return res.locals.claims as BearerClaims;
}

export function publicBaseUrl(ctx: SimulatorContext, req: Request): string {
  return ctx.options.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`;
}

export function errorHandler(ctx: SimulatorContext) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    if (error instanceof KsefError) return sendKsefError(req, res, error);
    if (error instanceof ZodError) return sendKsefError(req, res, new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', error.issues.map((i) => i.message)));
    const status = (error as { status?: number }).status;
    if (status === 400 || status === 413) {
      // express.json rejects malformed/oversized JSON before any route runs
      return sendKsefError(req, res, new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', [(error as Error).message]));
    }
    ctx.logger.error({ err: error, path: req.originalUrl }, 'unhandled simulator error');
    res.status(500).type('application/problem+json').send(JSON.stringify({ title: 'Internal Server Error', status: 500, detail: 'Nieoczekiwany błąd symulatora.' }));
  };
}
