import type { Request } from 'express';
import { principalOf } from './auth/context';
import { actorIdOf } from './auth/principal';

/**
 * Who is acting: the authenticated principal (api/auth), as `user:<id>` for people and
 * `api-key:<public id>` for source systems. This id goes into audit rows and workflow decisions.
 */
export function actorOf(req: Request): string {
  const principal = principalOf(req);
  return principal ? actorIdOf(principal) : 'anonymous';
}
