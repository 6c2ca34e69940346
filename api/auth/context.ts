import type { Request } from 'express';
import type { Principal } from './principal';

// Set once per request by the auth middleware; a WeakMap keeps express's Request type untouched.
const principals = new WeakMap<Request, Principal>();

export function setPrincipal(req: Request, principal: Principal): void {
  principals.set(req, principal);
}

export function principalOf(req: Request): Principal | null {
  return principals.get(req) ?? null;
}
