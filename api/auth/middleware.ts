import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { normalizeNip } from '../../domain/nip';
import type { PrismaClient } from '../../prisma/client';
import { ProblemError } from '../problem';
import { setPrincipal } from './context';
import { crossSiteRefusal } from './csrf';
import { credentialsOf, type IdentityProvider } from './identity';
import { keySeesInvoice } from './key-scope';
import { can, rolesFor } from './matrix';
import type { Principal } from './principal';
import { requirementOf } from './route-policy';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function unauthenticated(): ProblemError {
  return new ProblemError(401, 'KSEFOPS_UNAUTHENTICATED', 'Authentication required', 'Sign in (POST /api/v1/auth/login) and send the session token as "Authorization: Bearer …", or send a source-system API key.');
}

/**
 * Authentication and authorisation for every request: resolve who calls, look up what the route
 * needs (route-policy → matrix), and for API keys confine them to their source system and NIPs.
 */
export function accessControl(deps: { prisma: PrismaClient; identity: IdentityProvider }): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const credentials = credentialsOf(req);
      const forged = crossSiteRefusal(req, credentials);
      if (forged) throw forged;
      const requirement = requirementOf(req.method, req.path);
      if (requirement.kind === 'public') {
        const principal = await deps.identity.resolve(credentials).catch(() => null);
        if (principal) setPrincipal(req, principal);
        return next();
      }
      const principal = await deps.identity.resolve(credentials);
      if (!principal) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="ksef-ops"');
        throw unauthenticated();
      }
      setPrincipal(req, principal);
      if (requirement.kind === 'not-in-matrix') {
        throw new ProblemError(403, 'KSEFOPS_NOT_IN_MATRIX', 'Forbidden', `${req.method} ${req.path} is not in the authorisation matrix, so nobody may call it.`);
      }
      if (requirement.kind === 'action') {
        if (!can(principal, requirement.action)) {
          throw new ProblemError(403, 'KSEFOPS_FORBIDDEN', 'Forbidden', `Your role${principal.roles.length === 1 ? '' : 's'} (${principal.roles.join(', ') || 'none'}) may not ${requirement.action}; allowed: ${rolesFor(requirement.action).join(', ')}.`, {
            action: requirement.action,
            allowedRoles: rolesFor(requirement.action),
          });
        }
        if (principal.kind === 'api-key') await enforceKeyScope(deps.prisma, principal, req);
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}

async function enforceKeyScope(prisma: PrismaClient, key: Extract<Principal, { kind: 'api-key' }>, req: Request): Promise<void> {
  if (req.method === 'POST' && req.path.replace(/\/+$/, '') === '/api/v1/invoices') {
    const body = (req.body ?? {}) as { sourceSystem?: unknown; seller?: { nip?: unknown } };
    // A body without these fields fails validation (400) on its own; only a named foreign scope is refused here.
    const source = body.sourceSystem;
    // Compared as the invoice model will read it (it accepts "PL 526-000-12-46" for 5260001246).
    const nip = typeof body.seller?.nip === 'string' ? normalizeNip(body.seller.nip) : body.seller?.nip;
    if ((source !== undefined && source !== key.sourceSystem) || (nip !== undefined && !key.sellerNips.includes(nip as string))) {
      throw new ProblemError(403, 'KSEFOPS_SCOPE_VIOLATION', 'Outside this API key\'s scope', `This key may submit invoices of source system "${key.sourceSystem}" for seller NIP ${key.sellerNips.join(', ') || '(none)'} only.`);
    }
    return;
  }
  const id = /^\/api\/v1\/invoices\/([^/]+)/.exec(req.path)?.[1];
  if (id && UUID.test(id)) {
    const row = await prisma.invoice.findUnique({ where: { id }, select: { sourceSystem: true, sellerNip: true } });
    // Someone else's invoice looks exactly like a missing one.
    if (row && !keySeesInvoice(key, row)) {
      throw new ProblemError(404, 'INVOICE_NOT_FOUND', 'Not found', `No invoice with id ${id}.`);
    }
  }
}
