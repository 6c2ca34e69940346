import { createHash, randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { SimulatorContext } from '../context';
import { rsaOaepDecrypt, type KeyUsage, type SimulatorKey } from '../crypto';
import { ExceptionCode, KsefError } from '../errors';
import { claimsOf, parseBody, requireBearer } from '../http';
import { newReferenceNumber, referenceNumberFromHex } from '../numbering';
import type { AuthOperation, Challenge, StatusInfo } from '../state';
import { rememberAuthPermissions } from '../permissions';
import { signBearer } from '../tokens';

const CHALLENGE_LIFETIME_MS = 10 * 60_000;

const ksefTokenRequest = z.object({
  challenge: z.string().length(36),
  contextIdentifier: z.object({ type: z.enum(['Nip', 'InternalId', 'NipVatUe', 'PeppolId']), value: z.string().min(1) }),
  encryptedToken: z.string().min(1),
  publicKeyId: z.string().length(44).nullish(),
  authorizationPolicy: z.unknown().optional(),
});

export function findKey(ctx: SimulatorContext, usage: KeyUsage, publicKeyId: string | null | undefined): SimulatorKey {
  const candidates = ctx.state.keys.keys.filter((k) => k.usage === usage);
  const key = publicKeyId ? candidates.find((k) => k.publicKeyId === publicKeyId) : candidates[0];
  if (!key) throw new KsefError(ExceptionCode.unknownPublicKey, 'Nieznany lub wycofany identyfikator klucza publicznego.', [`publicKeyId: ${publicKeyId}`]);
  return key;
}

/** The UPO names the KSeF token by reference number; derive a stable one from the token itself. */
function tokenReference(token: string): string {
  const digest = createHash('sha256').update(token || randomBytes(8)).digest('hex').toUpperCase();
  return referenceNumberFromHex('EC', new Date(Date.UTC(2025, 0, 1)), digest);
}

function badToken(detail: string): StatusInfo {
  return { code: 450, description: 'Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu', details: [detail] };
}

function verifyKsefToken(ctx: SimulatorContext, plaintext: string, timestampMs: number, nip: string): { outcome: StatusInfo; token: string } {
  const separator = plaintext.lastIndexOf('|');
  const token = separator > 0 ? plaintext.slice(0, separator) : '';
  const stamp = separator > 0 ? plaintext.slice(separator + 1) : '';
  if (!token) return { outcome: badToken('Nieprawidłowy token.'), token };
  // From 2027 KSeF accepts certificates only; the simulator can be switched to that world.
  if (ctx.state.tokenAuth === 'disabled') return { outcome: badToken('Token nieaktywny (uwierzytelnianie tokenem KSeF jest wyłączone — użyj certyfikatu KSeF).'), token };
  if (stamp !== String(timestampMs)) return { outcome: badToken('Nieprawidłowy czas tokena.'), token };
  if (ctx.state.tokenPolicy === 'strict' && !ctx.state.registeredTokens.has(token)) return { outcome: badToken('Nieprawidłowy token.'), token };
  // A KSeF token is generated in one context and authenticates only there — also under the 'any'
  // policy once it is registered with its NIP; `permissive` keeps the old any-NIP world.
  const allowedNip = ctx.state.registeredTokens.get(token);
  if (allowedNip && allowedNip !== nip && (ctx.state.tokenPolicy === 'strict' || !ctx.options.permissive)) {
    return { outcome: { code: 415, description: 'Uwierzytelnianie zakończone niepowodzeniem z powodu braku przypisanych uprawnień' }, token };
  }
  return { outcome: { code: 200, description: 'Uwierzytelnianie zakończone sukcesem' }, token };
}

export function operationStatus(op: AuthOperation): StatusInfo {
  return Date.now() < op.readyAt ? { code: 100, description: 'Uwierzytelnianie w toku' } : op.outcome;
}

export const TOKEN_METHOD = { authenticationMethod: 'Token', category: 'Token', code: 'token.ksef', displayName: 'Token KSeF' } as const;

/** A challenge the simulator issued, unused and younger than 10 minutes — consumed by this call. */
export function consumeChallenge(ctx: SimulatorContext, value: string, consume = true): Challenge {
  const challenge = ctx.state.challenges.get(value);
  if (!challenge || challenge.used || Date.now() - challenge.timestamp.getTime() > CHALLENGE_LIFETIME_MS) {
    throw new KsefError(ExceptionCode.invalidChallenge, 'Nieprawidłowe wyzwanie autoryzacyjne.', [`Challenge ${value} nie istnieje, wygasł lub został już użyty.`]);
  }
  if (consume) challenge.used = true;
  return challenge;
}

/** Records an auth operation (outcome revealed after authDelayMs) and answers 202 with its authentication token. */
export function startAuthOperation(
  ctx: SimulatorContext,
  fields: Pick<AuthOperation, 'contextNip' | 'outcome' | 'ksefTokenReference' | 'method' | 'certificate'>,
): { referenceNumber: string; authenticationToken: { token: string; validUntil: string } } {
  const referenceNumber = newReferenceNumber('AU');
  const now = Date.now();
  ctx.state.authOperations.set(referenceNumber, {
    referenceNumber,
    startDate: new Date(now),
    readyAt: now + ctx.options.authDelayMs,
    redeemed: false,
    lastTokenRefreshDate: null,
    refreshTokenValidUntil: null,
    ...fields,
  });
  const authenticationToken = signBearer(ctx.state.keys.hmacSecret, {
    kind: 'authentication',
    contextNip: fields.contextNip,
    authReferenceNumber: referenceNumber,
    expiresAt: now + ctx.options.authenticationTokenTtlMs,
  });
  ctx.logger.info({ auth: referenceNumber, nip: fields.contextNip, method: fields.method?.authenticationMethod ?? 'Token', outcome: fields.outcome.code }, 'authentication started');
  return { referenceNumber, authenticationToken: { token: authenticationToken.token, validUntil: authenticationToken.validUntil.toISOString() } };
}

/** GET /auth/{ref} and GET /auth/sessions describe an operation the same way. */
export function describeOperation(op: AuthOperation): Record<string, unknown> {
  const method = op.method ?? TOKEN_METHOD;
  return {
    startDate: op.startDate.toISOString(),
    authenticationMethod: method.authenticationMethod,
    authenticationMethodInfo: { category: method.category, code: method.code, displayName: method.displayName },
    status: operationStatus(op),
    isTokenRedeemed: op.redeemed,
    lastTokenRefreshDate: op.lastTokenRefreshDate?.toISOString() ?? null,
    refreshTokenValidUntil: op.refreshTokenValidUntil?.toISOString() ?? null,
  };
}

export function authRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  const { options, state } = ctx;

  router.post('/auth/challenge', (req, res) => {
    const timestamp = new Date();
    const challenge = newReferenceNumber('CR', timestamp);
    state.challenges.set(challenge, { challenge, timestamp, used: false });
    res.json({ challenge, timestamp: timestamp.toISOString(), timestampMs: timestamp.getTime(), clientIp: req.ip ?? '' });
  });

  router.post('/auth/ksef-token', (req, res) => {
    const body = parseBody(ksefTokenRequest, req.body);
    const challenge = consumeChallenge(ctx, body.challenge, false);
    if (body.contextIdentifier.type !== 'Nip') {
      throw new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', ['Symulator obsługuje wyłącznie kontekst typu Nip.']);
    }
    const key = findKey(ctx, 'KsefTokenEncryption', body.publicKeyId);
    challenge.used = true;
    let plaintext = '';
    try {
      plaintext = rsaOaepDecrypt(key, Buffer.from(body.encryptedToken, 'base64')).toString('utf8');
    } catch {
      plaintext = '';
    }
    const verdict = plaintext ? verifyKsefToken(ctx, plaintext, challenge.timestamp.getTime(), body.contextIdentifier.value) : { outcome: badToken('Nie udało się odszyfrować tokena.'), token: '' };
    const started = startAuthOperation(ctx, { contextNip: body.contextIdentifier.value, outcome: verdict.outcome, ksefTokenReference: tokenReference(verdict.token) });
    rememberAuthPermissions(ctx, started.referenceNumber, verdict.token);
    res.status(202).json(started);
  });

  router.get('/auth/:referenceNumber', requireBearer(ctx, 'authentication'), (req, res) => {
    const claims = claimsOf(res);
    const op = state.authOperations.get(String(req.params.referenceNumber));
    if (!op || claims.authReferenceNumber !== op.referenceNumber) {
      throw new KsefError(ExceptionCode.authOperationNotFound, 'Brak operacji uwierzytelniania o podanym numerze referencyjnym.', [String(req.params.referenceNumber)]);
    }
    res.json(describeOperation(op));
  });

  router.post('/auth/token/redeem', requireBearer(ctx, 'authentication'), (_req, res) => {
    const claims = claimsOf(res);
    const op = state.authOperations.get(claims.authReferenceNumber);
    if (!op || op.redeemed || operationStatus(op).code !== 200) {
      throw new KsefError(ExceptionCode.notAuthorised, 'Brak autoryzacji.', [
        op?.redeemed ? 'Tokeny zostały już pobrane.' : 'Status uwierzytelniania nie pozwala na pobranie tokenów.',
      ]);
    }
    op.redeemed = true;
    const now = Date.now();
    const access = signBearer(state.keys.hmacSecret, { kind: 'access', contextNip: op.contextNip, authReferenceNumber: op.referenceNumber, expiresAt: now + options.accessTokenTtlMs });
    const refresh = signBearer(state.keys.hmacSecret, { kind: 'refresh', contextNip: op.contextNip, authReferenceNumber: op.referenceNumber, expiresAt: now + options.refreshTokenTtlMs });
    op.refreshTokenValidUntil = refresh.validUntil;
    res.json({
      accessToken: { token: access.token, validUntil: access.validUntil.toISOString() },
      refreshToken: { token: refresh.token, validUntil: refresh.validUntil.toISOString() },
    });
  });

  router.post('/auth/token/refresh', requireBearer(ctx, 'refresh'), (_req, res) => {
    const claims = claimsOf(res);
    const op = state.authOperations.get(claims.authReferenceNumber);
    if (!op) throw new KsefError(ExceptionCode.notAuthorised, 'Brak autoryzacji.', ['Sesja uwierzytelniania nie istnieje (np. po /_sim/reset).']);
    if (op.revoked) throw new KsefError(ExceptionCode.notAuthorised, 'Brak autoryzacji.', ['Sesja uwierzytelniania została unieważniona (DELETE /auth/sessions).']);
    op.lastTokenRefreshDate = new Date();
    const access = signBearer(state.keys.hmacSecret, {
      kind: 'access',
      contextNip: claims.contextNip,
      authReferenceNumber: claims.authReferenceNumber,
      expiresAt: Date.now() + options.accessTokenTtlMs,
    });
    res.json({ accessToken: { token: access.token, validUntil: access.validUntil.toISOString() } });
  });

  return router;
}
