import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from '../problem';
import { credentialsOf, type IdentityProvider } from './identity';
import { setPrincipal } from './context';

/**
 * Reading and parsing a body costs the server; a caller nobody knows gets little of that. Before
 * anything reads a body, one larger than PRE_AUTH_BODY_LIMIT is refused with 413 unless the
 * request's credentials resolve to someone (one indexed lookup, no body read). Sign-in — the only
 * public write — needs a few hundred bytes. A body of unknown length (chunked) from an unknown
 * caller is refused with 411: its size cannot be checked before reading it.
 */
export const PRE_AUTH_BODY_LIMIT = 64 * 1024;
export const PAYLOAD_TOO_LARGE_UNAUTHENTICATED = 'KSEFOPS_PAYLOAD_TOO_LARGE_UNAUTHENTICATED';
export const LENGTH_REQUIRED = 'KSEFOPS_LENGTH_REQUIRED';

export function bodyLimitBeforeAuth(identity: IdentityProvider, limit = PRE_AUTH_BODY_LIMIT): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const declared = req.headers['content-length'];
      const chunked = declared === undefined && req.headers['transfer-encoding'] !== undefined;
      const length = declared === undefined ? 0 : Number(declared);
      if (!chunked && length <= limit) return next();
      const principal = await identity.resolve(credentialsOf(req)).catch(() => null);
      if (principal) {
        setPrincipal(req, principal);
        return next();
      }
      // The body is never parsed; node discards its bytes after the answer so the connection stays usable.
      if (chunked) return sendProblem(res, 411, LENGTH_REQUIRED, 'Length required', 'Send Content-Length with a request body, or sign in (Authorization: Bearer …, X-Api-Key).', bodyError(LENGTH_REQUIRED, 'body of unknown length'));
      return sendProblem(res, 413, PAYLOAD_TOO_LARGE_UNAUTHENTICATED, 'Payload too large', `Without valid credentials a request body may have at most ${limit} bytes (this one declares ${length}).`, bodyError(PAYLOAD_TOO_LARGE_UNAUTHENTICATED, `${length} bytes over ${limit}`));
    } catch (error) {
      next(error);
    }
  };
}

function bodyError(code: string, message: string) {
  return { errors: [{ path: [], field: '(body)', in: 'body', code, message }] };
}
