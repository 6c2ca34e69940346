import { randomUUID } from 'node:crypto';
import { hmacBase64Url, safeEqual } from './crypto';

/** What kind of bearer a token is; each endpoint accepts exactly one kind, as in KSeF. */
export type BearerKind = 'authentication' | 'access' | 'refresh';

export interface BearerClaims {
  kind: BearerKind;
  contextNip: string;
  authReferenceNumber: string;
  issuedAt: number;
  expiresAt: number;
  tokenId: string;
}

interface JwtPayload {
  typ: BearerKind;
  ctx: string;
  ref: string;
  iat: number;
  exp: number;
  jti: string;
  iss: string;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** Real KSeF issues RS-signed JWTs; clients must treat them as opaque, so HMAC is enough here. */
export function signBearer(secret: Buffer, claims: Omit<BearerClaims, 'tokenId' | 'issuedAt'>): { token: string; validUntil: Date } {
  const issuedAt = Math.floor(Date.now() / 1000);
  const payload: JwtPayload = {
    typ: claims.kind,
    ctx: claims.contextNip,
    ref: claims.authReferenceNumber,
    iat: issuedAt,
    // NumericDate may be fractional; keeps millisecond lifetimes (used by expiry tests) exact
    exp: claims.expiresAt / 1000,
    jti: randomUUID(),
    iss: 'ksef-simulator',
  };
  const body = `${HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return { token: `${body}.${hmacBase64Url(secret, body)}`, validUntil: new Date(claims.expiresAt) };
}

export type BearerCheck = { ok: true; claims: BearerClaims } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

export function verifyBearer(secret: Buffer, token: string, now = Date.now()): BearerCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [header, body, signature] = parts;
  if (!safeEqual(hmacBase64Url(secret, `${header}.${body}`), signature)) return { ok: false, reason: 'signature' };
  let payload: JwtPayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as JwtPayload;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (payload.exp * 1000 <= now) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    claims: {
      kind: payload.typ,
      contextNip: payload.ctx,
      authReferenceNumber: payload.ref,
      issuedAt: payload.iat * 1000,
      expiresAt: Math.round(payload.exp * 1000),
      tokenId: payload.jti,
    },
  };
}
