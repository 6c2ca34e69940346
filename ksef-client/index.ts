import type {
  FormCode,
  InvoiceMetadata,
  InvoiceQueryFilters,
  PublicKeyCertificate,
  QueryInvoicesMetadataResponse,
  SessionInvoiceStatusResponse,
  SessionInvoicesResponse,
  SessionStatusResponse,
} from './api-types';
import { KsefAuthenticator, type AuthSession, type AuthenticatorOptions } from './auth';
import type { KsefCertificateCredential } from './certificate-credential';
import { sendBatch, type BatchInvoiceFile, type SendBatchOptions, type SentBatch } from './batch-session';
import { resolveApiBaseUrl, type KsefEnvironmentName } from './environments';
import { KsefApiError, KsefError } from './errors';
import { KsefHttpClient, silentLogger, type KsefLogger, type RetryPolicy } from './http';
import {
  closeOnlineSession,
  openOnlineSession,
  sendInvoice,
  type OnlineSessionHandle,
  type SendInvoiceOptions,
  type SentInvoice,
} from './online-session';
import { PublicKeyDirectory } from './public-keys';
import { downloadInvoice, iterateInvoiceMetadata, queryInvoiceMetadata, type DownloadedInvoice, type MetadataPaging } from './query';
import {
  downloadUpo,
  getInvoiceStatus,
  getSessionStatus,
  iterateSessionInvoices,
  isFinalInvoiceStatus,
  isFinalSessionStatus,
  listSessionInvoices,
  pollUntil,
  type DownloadedUpo,
  type WaitOptions,
  type ListSessionInvoicesOptions,
  type UpoLocator,
} from './status';

export * from './api-types';
export * from './errors';
export { DEFAULT_RETRY_POLICY, KsefHttpClient, parseRetryAfter, type KsefLogger, type RetryPolicy } from './http';
export * from './crypto';
export * from './ksef-number';
export * from './qr';
export * from './environments';
export { FA3_FORM_CODE, buildSendInvoiceRequest, type OnlineSessionHandle, type SendInvoiceOptions, type SentInvoice } from './online-session';
export { prepareBatch, MAX_BATCH_PART_BYTES, MAX_BATCH_PARTS, type BatchInvoiceFile, type SendBatchOptions, type SentBatch } from './batch-session';
export { isFinalInvoiceStatus, isFinalSessionStatus, pollUntil, type WaitOptions, type UpoLocator, type DownloadedUpo, type ListSessionInvoicesOptions } from './status';
export { type MetadataPaging, type DownloadedInvoice } from './query';
export { KsefAuthenticator, type AuthSession, type AuthenticatorOptions, type KsefCredentials } from './auth';
export { loadSigningIdentity, type KsefCertificateCredential, type SigningIdentity } from './certificate-credential';
export { AUTH_TOKEN_NAMESPACE, buildAuthTokenRequest, signAuthTokenRequest } from './xades';
export { PublicKeyDirectory } from './public-keys';

export interface KsefClientOptions {
  /** API base including `/v2` (e.g. `https://api-test.ksef.mf.gov.pl/v2`, `${simulatorUrl}/v2`) or an environment name. */
  baseUrl: KsefEnvironmentName | string;
  /** NIP of the context we act in (seller for sending, buyer for purchase-invoice queries). */
  contextNip: string;
  /** KSeF token (accepted by KSeF until 31 December 2026) — give this or `certificate`. */
  ksefToken?: string;
  /** KSeF certificate / qualified seal for XAdES authentication (the only method from 1 January 2027). */
  certificate?: KsefCertificateCredential;
  logger?: KsefLogger;
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout (each retry attempt gets its own). Default 30 s. */
  timeoutMs?: number;
  auth?: Omit<AuthenticatorOptions, 'logger'>;
}

/**
 * KSeF 2.0 client for one context (one NIP + a KSeF token or a certificate). Holds the auth tokens and the MF public
 * keys in memory; online sessions are returned as plain `OnlineSessionHandle` objects so a caller can
 * persist them and pass them back after a restart.
 *
 * Protected calls that hit 401 (token revoked or expired early) are retried once after forcing a
 * token refresh / re-authentication.
 */
export class KsefClient {
  readonly http: KsefHttpClient;
  readonly contextNip: string;
  private readonly keys: PublicKeyDirectory;
  private readonly auth: KsefAuthenticator;
  private readonly logger: KsefLogger;

  constructor(options: KsefClientOptions) {
    this.logger = options.logger ?? silentLogger;
    this.contextNip = options.contextNip;
    this.http = new KsefHttpClient({ baseUrl: resolveApiBaseUrl(options.baseUrl), timeoutMs: options.timeoutMs, retry: options.retry, logger: this.logger });
    this.keys = new PublicKeyDirectory(this.http);
    if (Boolean(options.ksefToken) === Boolean(options.certificate)) {
      throw new KsefError('KSEF_INVALID_ARGUMENT', 'give exactly one of ksefToken or certificate', false);
    }
    const credentials = options.certificate ? { contextNip: options.contextNip, certificate: options.certificate } : { contextNip: options.contextNip, ksefToken: options.ksefToken! };
    this.auth = new KsefAuthenticator(this.http, this.keys, credentials, { ...options.auth, logger: this.logger });
  }

  /** Runs the full authentication (token or XAdES) now (otherwise it happens lazily on the first call). */
  async authenticate(): Promise<AuthSession> {
    return this.auth.authenticate();
  }

  /** Current tokens, if authenticated. */
  get authSession(): AuthSession | undefined {
    return this.auth.current;
  }

  async refreshAccessToken(): Promise<void> {
    await this.auth.refresh();
  }

  async getAccessToken(): Promise<string> {
    return this.auth.getAccessToken();
  }

  private async withToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    try {
      return await call(await this.auth.getAccessToken());
    } catch (error) {
      if (!(error instanceof KsefApiError && error.httpStatus === 401)) throw error;
      this.logger.warn({ url: error.url }, 'KSeF returned 401, renewing the access token once');
      this.auth.invalidateAccessToken();
      return call(await this.auth.getAccessToken());
    }
  }

  async getPublicKeyCertificates(): Promise<PublicKeyCertificate[]> {
    return this.keys.list(true);
  }

  async openOnlineSession(formCode?: FormCode): Promise<OnlineSessionHandle> {
    const key = await this.keys.select('SymmetricKeyEncryption');
    return this.withToken((t) => openOnlineSession(this.http, t, key, formCode));
  }

  /** Accepts a persisted handle; the session is usable until `validUntil` (12 h) unless closed. */
  async sendInvoice(session: OnlineSessionHandle, xml: string | Uint8Array, options?: SendInvoiceOptions): Promise<SentInvoice> {
    return this.withToken((t) => sendInvoice(this.http, t, session, xml, options));
  }

  async closeOnlineSession(sessionOrRef: OnlineSessionHandle | string): Promise<void> {
    const ref = typeof sessionOrRef === 'string' ? sessionOrRef : sessionOrRef.referenceNumber;
    await this.withToken((t) => closeOnlineSession(this.http, t, ref));
  }

  async getSessionStatus(sessionRef: string): Promise<SessionStatusResponse> {
    return this.withToken((t) => getSessionStatus(this.http, t, sessionRef));
  }

  async getInvoiceStatus(sessionRef: string, invoiceRef: string): Promise<SessionInvoiceStatusResponse> {
    return this.withToken((t) => getInvoiceStatus(this.http, t, sessionRef, invoiceRef));
  }

  /** Polls the invoice status until it is final (200 or ≥400) or `timeoutMs` passes; returns the last status. */
  async waitForInvoiceStatus(sessionRef: string, invoiceRef: string, options?: WaitOptions): Promise<SessionInvoiceStatusResponse> {
    return pollUntil(() => this.getInvoiceStatus(sessionRef, invoiceRef), (s) => isFinalInvoiceStatus(s.status.code), options);
  }

  /** Polls the session status until it is final (online: after close; batch: after processing). */
  async waitForSessionStatus(sessionRef: string, options?: WaitOptions): Promise<SessionStatusResponse> {
    return pollUntil(() => this.getSessionStatus(sessionRef), (s) => isFinalSessionStatus(s.status.code), options);
  }

  async listSessionInvoices(sessionRef: string, options?: ListSessionInvoicesOptions): Promise<SessionInvoicesResponse> {
    return this.withToken((t) => listSessionInvoices(this.http, t, sessionRef, options));
  }

  iterateSessionInvoices(sessionRef: string, options?: Omit<ListSessionInvoicesOptions, 'continuationToken'>): AsyncGenerator<SessionInvoiceStatusResponse> {
    return iterateSessionInvoices(this.http, () => this.auth.getAccessToken(), sessionRef, options);
  }

  /** UPO of one invoice (by invoice reference or KSeF number), a session UPO page, or a pre-signed URL. */
  async downloadInvoiceUpo(locator: UpoLocator): Promise<DownloadedUpo> {
    if (locator.kind === 'url') return downloadUpo(this.http, undefined, locator);
    return this.withToken((t) => downloadUpo(this.http, t, locator));
  }

  async sendBatch(files: Array<BatchInvoiceFile | string>, options?: SendBatchOptions): Promise<SentBatch> {
    const key = await this.keys.select('SymmetricKeyEncryption');
    const normalized = files.map((f) => (typeof f === 'string' ? { xml: f } : f));
    return sendBatch(this.http, () => this.auth.getAccessToken(), key, normalized, options);
  }

  async queryInvoiceMetadata(filters: InvoiceQueryFilters, paging?: MetadataPaging): Promise<QueryInvoicesMetadataResponse> {
    return this.withToken((t) => queryInvoiceMetadata(this.http, t, filters, paging));
  }

  iterateInvoiceMetadata(filters: InvoiceQueryFilters, paging?: Omit<MetadataPaging, 'pageOffset'>): AsyncGenerator<InvoiceMetadata, { isTruncated: boolean }> {
    return iterateInvoiceMetadata(this.http, () => this.auth.getAccessToken(), filters, paging);
  }

  async downloadInvoice(ksefNumber: string): Promise<DownloadedInvoice> {
    return this.withToken((t) => downloadInvoice(this.http, t, ksefNumber));
  }
}
