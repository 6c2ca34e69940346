import type { Request } from 'express';
import type { PrismaClient } from '../../prisma/client';
import { findLiveApiKey, findLiveSession, touchApiKey, touchSession, type RoleName } from '../../prisma/access-repository';
import { API_KEY_ROLES, type Principal } from './principal';
import { API_KEY_PREFIX, sha256Hex } from './tokens';

export const SESSION_COOKIE = 'ksefops_session';

/** The secrets a request may carry; where they came from matters only for the cookie's CSRF guard. */
export interface Credentials {
  bearer: string | null;
  apiKey: string | null;
  cookie: string | null;
}

/**
 * Identity resolution behind one interface: today our own users, sessions and API keys; an external
 * identity provider (OIDC) becomes another implementation mapping its tokens to a Principal.
 */
export interface IdentityProvider {
  resolve(credentials: Credentials): Promise<Principal | null>;
}

export function credentialsOf(req: Request): Credentials {
  const auth = req.get('authorization');
  const bearer = auth && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : null;
  return { bearer: bearer || null, apiKey: req.get('x-api-key')?.trim() || null, cookie: cookieValue(req.get('cookie'), SESSION_COOKIE) };
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      // A hostile cookie ("%E0%A4%A") is no credential, not a 500.
      try {
        return decodeURIComponent(part.slice(i + 1).trim()) || null;
      } catch {
        return null;
      }
    }
  }
  return null;
}

export class LocalIdentityProvider implements IdentityProvider {
  constructor(private readonly prisma: PrismaClient) {}

  async resolve(c: Credentials): Promise<Principal | null> {
    const secret = c.apiKey ?? c.bearer ?? c.cookie;
    if (!secret || secret.length > 512) return null;
    const now = new Date();
    const hash = sha256Hex(secret);
    if (secret.startsWith(API_KEY_PREFIX)) {
      const key = await findLiveApiKey(this.prisma, hash, now);
      if (!key) return null;
      await touchApiKey(this.prisma, key.id, now);
      return { kind: 'api-key', keyId: key.id, prefix: key.prefix, name: key.name, sourceSystem: key.sourceSystem, sellerNips: key.sellerNips, roles: API_KEY_ROLES };
    }
    const session = await findLiveSession(this.prisma, hash, now);
    if (!session) return null;
    await touchSession(this.prisma, session.id, now);
    const u = session.user;
    return { kind: 'user', userId: u.id, email: u.email, name: u.name, roles: u.roles as RoleName[], sessionId: session.id };
  }
}
