import type {
  AuthenticationChallengeResponse,
  AuthenticationInitResponse,
  AuthenticationOperationStatusResponse,
  AuthenticationTokenRefreshResponse,
  AuthenticationTokensResponse,
  InitTokenAuthenticationRequest,
  TokenInfo,
} from './api-types';
import { loadSigningIdentity, type KsefCertificateCredential, type SigningIdentity } from './certificate-credential';
import { rsaOaepSha256Encrypt, utf8 } from './crypto';
import { KsefApiError, KsefAuthError, KsefError } from './errors';
import type { KsefHttpClient, KsefLogger } from './http';
import { silentLogger } from './http';
import type { PublicKeyDirectory } from './public-keys';
import { buildAuthTokenRequest, signAuthTokenRequest } from './xades';

/**
 * KSeF authentication (facts §2): challenge → either RSA-OAEP("{token}|{timestampMs}") →
 * POST /auth/ksef-token, or a XAdES-signed AuthTokenRequest → POST /auth/xades-signature (the only
 * way from 1 January 2027) → poll GET /auth/{ref} → POST /auth/token/redeem, then keep the access
 * token fresh with POST /auth/token/refresh and fall back to a full authentication when refresh fails.
 */

export interface KsefTokenCredentials {
  contextNip: string;
  ksefToken: string;
}

export interface KsefCertificateCredentials {
  contextNip: string;
  certificate: KsefCertificateCredential;
}

export type KsefCredentials = KsefTokenCredentials | KsefCertificateCredentials;

export interface AuthenticatorOptions {
  /** Refresh this long before the access token's validUntil, so in-flight calls never carry a dead token. */
  refreshMarginMs?: number;
  pollIntervalMs?: number;
  /** DEMO/PRD may sit in status 100 while certificates are checked; give up after this long. */
  pollTimeoutMs?: number;
  logger?: KsefLogger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface AuthSession {
  referenceNumber: string;
  accessToken: TokenInfo;
  refreshToken: TokenInfo;
}

const AUTH_IN_PROGRESS = 100;
const AUTH_SUCCESS = 200;

export class KsefAuthenticator {
  private session: AuthSession | undefined;
  private pending: Promise<string> | undefined;
  private readonly refreshMarginMs: number;
  private readonly pollIntervalMs: number;
  private readonly pollTimeoutMs: number;
  private readonly logger: KsefLogger;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Loaded once, on first use: a broken certificate file fails the first authentication, not the constructor. */
  private identity: SigningIdentity | undefined;

  constructor(
    private readonly http: KsefHttpClient,
    private readonly keys: PublicKeyDirectory,
    private readonly credentials: KsefCredentials,
    options: AuthenticatorOptions = {},
  ) {
    this.refreshMarginMs = options.refreshMarginMs ?? 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.pollTimeoutMs = options.pollTimeoutMs ?? 120_000;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get current(): AuthSession | undefined {
    return this.session;
  }

  /** A usable access token; authenticates or refreshes first when needed. Concurrent callers share one flow. */
  async getAccessToken(): Promise<string> {
    if (this.session && !this.expiresSoon(this.session.accessToken)) return this.session.accessToken.token;
    if (!this.pending) {
      this.pending = this.renew().finally(() => {
        this.pending = undefined;
      });
    }
    return this.pending;
  }

  /** Forget the access token (e.g. after a 401) so the next call refreshes it. */
  invalidateAccessToken(): void {
    if (this.session) this.session = { ...this.session, accessToken: { token: this.session.accessToken.token, validUntil: new Date(0).toISOString() } };
  }

  private expiresSoon(token: TokenInfo): boolean {
    return Date.parse(token.validUntil) - this.refreshMarginMs <= this.now();
  }

  private async renew(): Promise<string> {
    if (this.session && !this.expiresSoon(this.session.refreshToken)) {
      try {
        await this.refresh();
        return this.session!.accessToken.token;
      } catch (error) {
        // Refresh tokens die when revoked or when the auth session is closed; a new authentication fixes both.
        if (error instanceof KsefError && error.retryable) throw error;
        this.logger.warn({ code: (error as KsefError).code }, 'KSeF token refresh failed, authenticating again');
      }
    }
    await this.authenticate();
    return this.session!.accessToken.token;
  }

  async refresh(): Promise<TokenInfo> {
    if (!this.session) throw new KsefError('KSEF_UNAUTHORIZED', 'cannot refresh before authenticating', false);
    const res = await this.http.request<AuthenticationTokenRefreshResponse>({
      method: 'POST',
      path: '/auth/token/refresh',
      bearer: this.session.refreshToken.token,
    });
    if (!res.data?.accessToken?.token) throw new KsefError('KSEF_INVALID_RESPONSE', 'refresh response lacks accessToken', false);
    this.session = { ...this.session, accessToken: res.data.accessToken };
    this.logger.debug({ validUntil: res.data.accessToken.validUntil }, 'KSeF access token refreshed');
    return res.data.accessToken;
  }

  async authenticate(): Promise<AuthSession> {
    const challenge = (await this.http.request<AuthenticationChallengeResponse>({ method: 'POST', path: '/auth/challenge' })).data;
    const init = 'certificate' in this.credentials ? await this.initWithXades(challenge, this.credentials.certificate) : await this.initWithToken(challenge, this.credentials.ksefToken);
    await this.waitForAuthentication(init);
    const tokens = (
      await this.http.request<AuthenticationTokensResponse>({
        method: 'POST',
        path: '/auth/token/redeem',
        bearer: init.authenticationToken.token,
      })
    ).data;
    if (!tokens?.accessToken?.token || !tokens.refreshToken?.token) {
      throw new KsefError('KSEF_INVALID_RESPONSE', 'redeem response lacks accessToken/refreshToken', false);
    }
    this.session = { referenceNumber: init.referenceNumber, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
    this.logger.info({ referenceNumber: init.referenceNumber, accessValidUntil: tokens.accessToken.validUntil }, 'KSeF authenticated');
    return this.session;
  }

  private async initWithXades(challenge: AuthenticationChallengeResponse, credential: KsefCertificateCredential): Promise<AuthenticationInitResponse> {
    this.identity ??= loadSigningIdentity(credential);
    const unsigned = buildAuthTokenRequest({
      challenge: challenge.challenge,
      contextNip: this.credentials.contextNip,
      subjectIdentifierType: credential.subjectIdentifierType ?? 'certificateSubject',
    });
    const signed = await signAuthTokenRequest(unsigned, this.identity, new Date(this.now()));
    this.logger.debug({ certificateFingerprint: this.identity.fingerprint, subjectIdentifierType: credential.subjectIdentifierType ?? 'certificateSubject' }, 'KSeF XAdES authentication request signed');
    return (
      await this.http.request<AuthenticationInitResponse>({
        method: 'POST',
        path: '/auth/xades-signature',
        headers: { 'content-type': 'application/xml; charset=utf-8' },
        body: signed,
      })
    ).data;
  }

  private async initWithToken(challenge: AuthenticationChallengeResponse, ksefToken: string): Promise<AuthenticationInitResponse> {
    const timestampMs = challenge.timestampMs ?? Date.parse(challenge.timestamp);
    for (let attempt = 0; ; attempt++) {
      const key = await this.keys.select('KsefTokenEncryption', attempt > 0);
      const encryptedToken = rsaOaepSha256Encrypt(key.key, utf8(`${ksefToken}|${timestampMs}`)).toString('base64');
      const body: InitTokenAuthenticationRequest = {
        challenge: challenge.challenge,
        contextIdentifier: { type: 'Nip', value: this.credentials.contextNip },
        encryptedToken,
        publicKeyId: key.publicKeyId,
      };
      try {
        return (await this.http.request<AuthenticationInitResponse>({ method: 'POST', path: '/auth/ksef-token', json: body })).data;
      } catch (error) {
        // 21470 = unknown/withdrawn key id: MF rotated keys since we cached them. Retry once with a fresh list.
        if (attempt === 0 && error instanceof KsefApiError && error.hasExceptionCode(21470)) continue;
        throw error;
      }
    }
  }

  private async waitForAuthentication(init: AuthenticationInitResponse): Promise<void> {
    const deadline = this.now() + this.pollTimeoutMs;
    for (;;) {
      const status = (
        await this.http.request<AuthenticationOperationStatusResponse>({
          method: 'GET',
          path: `/auth/${encodeURIComponent(init.referenceNumber)}`,
          bearer: init.authenticationToken.token,
        })
      ).data;
      const code = status?.status?.code;
      if (code === AUTH_SUCCESS) return;
      if (code !== AUTH_IN_PROGRESS) {
        throw new KsefAuthError(code ?? -1, status?.status?.description ?? 'unknown', status?.status?.details ?? [], init.referenceNumber);
      }
      if (this.now() >= deadline) {
        throw new KsefError('KSEF_AUTH_PENDING_TIMEOUT', `authentication ${init.referenceNumber} still in progress after ${this.pollTimeoutMs} ms`, true);
      }
      await this.sleep(this.pollIntervalMs);
    }
  }
}
