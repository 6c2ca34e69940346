import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from '../problem';

/**
 * One spelling per path. The authorisation table (route-policy.ts) and express's router must read
 * the same string, or a spelling one of them normalises and the other does not walks past the
 * guard (`/API/v1/users` was public to the policy and the users route to express). So before
 * anything looks at credentials, every path that is not already in its one canonical form is
 * refused with 404 — for every caller alike, so a refusal tells nothing about who may do what:
 *
 * - segments of unreserved characters only (`A-Z a-z 0-9 - . _ ~`): no percent-encoding (`%2e`,
 *   `%2F`, `%41`), no `;` matrix parameters, no backslashes, no `:`/`@`/`+`/…;
 * - no empty segments (`//`, a trailing `/`) and no `.`/`..` segments;
 * - a segment that names one of our literal path words (`users`, `api`, `audit`, an action name) is
 *   written exactly as that word: ids and file names keep their case, `Users` does not;
 * - the request target is a path (`/…`), not an absolute URL or `*`, and at most MAX_PATH long.
 */
export const NON_CANONICAL_PATH = 'KSEFOPS_NON_CANONICAL_PATH';
export const URI_TOO_LONG = 'KSEFOPS_URI_TOO_LONG';
export const MAX_PATH = 2048;

const SEGMENT = /^[A-Za-z0-9\-._~]+$/;

/** Why `path` is not canonical (null when it is); `literals` are the route words, lower case. */
export function nonCanonicalReason(path: string, literals: ReadonlySet<string>): string | null {
  if (!path.startsWith('/')) return 'the request target must be a path starting with "/"';
  if (path === '/') return null;
  const segments = path.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '') return 'empty path segments ("//" or a trailing "/") are not used';
    if (segment === '.' || segment === '..') return 'dot segments ("." and "..") are not used';
    if (!SEGMENT.test(segment)) return `path segments use only letters, digits and "-._~" (no percent-encoding, ";", "\\")`;
    const lower = segment.toLowerCase();
    if (lower !== segment && literals.has(lower)) return `"${segment}" is spelt "${lower}"`;
  }
  return null;
}

/**
 * The gate. `literals` is read on the first request (every route is mounted by then); the raw
 * request target is checked, not express's parsed view of it.
 */
export function canonicalPathGate(literals: () => ReadonlySet<string>): RequestHandler {
  let words: ReadonlySet<string> | null = null;
  return (req: Request, res: Response, next: NextFunction) => {
    words ??= literals();
    const target = req.url ?? '';
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    if (path.length > MAX_PATH) {
      return sendProblem(res, 414, URI_TOO_LONG, 'URI too long', `Paths are at most ${MAX_PATH} characters.`);
    }
    const reason = nonCanonicalReason(path, words);
    if (reason) {
      // The path itself is not echoed: it is attacker-chosen and this answer must be the same for all.
      return sendProblem(res, 404, NON_CANONICAL_PATH, 'Not found', `Not an endpoint of this API: ${reason}.`);
    }
    next();
  };
}
