import type { Request } from 'express';

/**
 * Who is acting. The one place the API decides it, so authentication (issue 7) replaces only this:
 * until then the caller names itself in `X-Actor`.
 */
export function actorOf(req: Request): string {
  const named = req.get('x-actor')?.trim();
  return named && named.length <= 200 ? named : 'anonymous';
}
