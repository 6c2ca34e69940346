import { ApplicationFailure } from '@temporalio/activity';
import { KsefApiError, KsefAuthError, KsefClient, KsefError, KsefRateLimitError, type OnlineSessionHandle } from '../ksef-client';
import { describeAuthFailure } from '../ksef-client/rejection-reasons';
import type { KsefCertificateCredential } from '../ksef-client/certificate-credential';
import type { Logger } from '../config/logger';

export interface KsefConnectionSettings {
  baseUrl: string;
  /** KSeF token per seller NIP; `default` is used for any NIP not listed (simulator, one-company installs). */
  tokens: Record<string, string>;
  /** KSEF_AUTH_METHOD=certificate: this certificate authenticates every seller context (XAdES); tokens are not used. */
  certificate?: KsefCertificateCredential | null;
  timeoutMs?: number;
  /** In-process attempts per request (1 = none: the caller counts every request against KSeF's limits). */
  maxAttempts?: number;
}

/** How long before `validUntil` an online session is considered used up (avoid sending into a closing session). */
const SESSION_SAFETY_MARGIN_MS = 10 * 60 * 1000;

/**
 * One authenticated KSeF client and one open online session per seller context per worker
 * process: KSeF limits session opens to 120 an hour per context, so invoices share a session
 * instead of opening their own.
 */
export class KsefContexts {
  private readonly clients = new Map<string, KsefClient>();
  private readonly sessions = new Map<string, Promise<OnlineSessionHandle>>();

  constructor(
    private readonly settings: KsefConnectionSettings,
    private readonly logger: Logger,
  ) {}

  client(sellerNip: string): KsefClient {
    let client = this.clients.get(sellerNip);
    if (!client) {
      const certificate = this.settings.certificate ?? undefined;
      const ksefToken = certificate ? undefined : (this.settings.tokens[sellerNip] ?? this.settings.tokens.default);
      if (!certificate && !ksefToken) {
        throw ApplicationFailure.nonRetryable(`No KSeF token configured for seller NIP ${sellerNip}`, 'KSEFOPS_KSEF_TOKEN_MISSING');
      }
      client = new KsefClient({
        baseUrl: this.settings.baseUrl,
        contextNip: sellerNip,
        ...(certificate ? { certificate } : { ksefToken }),
        timeoutMs: this.settings.timeoutMs,
        logger: this.logger.child({ sellerNip }),
        // Temporal owns retries across attempts; in-process retries stay short so an activity
        // attempt does not outlive its timeout.
        retry: { maxAttempts: this.settings.maxAttempts ?? 2, maxRetryAfterSeconds: 5 },
      });
      this.clients.set(sellerNip, client);
    }
    return client;
  }

  async onlineSession(sellerNip: string): Promise<OnlineSessionHandle> {
    return (await this.onlineSessionWithInfo(sellerNip)).handle;
  }

  /** Like onlineSession(), and says whether a session was opened (it counts against KSeF's limits). */
  async onlineSessionWithInfo(sellerNip: string): Promise<{ handle: OnlineSessionHandle; opened: boolean }> {
    const cached = this.sessions.get(sellerNip);
    if (cached) {
      const handle = await cached.catch(() => undefined);
      if (handle && Date.parse(handle.validUntil) - Date.now() > SESSION_SAFETY_MARGIN_MS) return { handle, opened: false };
      this.sessions.delete(sellerNip);
    }
    const opening = this.client(sellerNip).openOnlineSession();
    this.sessions.set(sellerNip, opening);
    opening.catch(() => this.sessions.delete(sellerNip));
    return { handle: await opening, opened: true };
  }

  forgetSession(sellerNip: string): void {
    this.sessions.delete(sellerNip);
  }

  async closeAll(): Promise<void> {
    const open = [...this.sessions.entries()];
    this.sessions.clear();
    await Promise.allSettled(
      open.map(async ([nip, handle]) => this.client(nip).closeOnlineSession(await handle)),
    );
  }
}

/**
 * Translate KSeF client errors into Temporal failures: transient ones stay retryable (with KSeF's
 * Retry-After as the next delay), business rejections are non-retryable and go to triage.
 */
export function toActivityFailure(error: unknown): never {
  if (error instanceof KsefRateLimitError) {
    throw ApplicationFailure.create({
      type: error.code,
      message: error.message,
      nextRetryDelay: error.retryAfterSeconds !== undefined ? `${error.retryAfterSeconds}s` : undefined,
    });
  }
  if (error instanceof KsefApiError && !error.retryable) {
    throw ApplicationFailure.create({
      type: 'KSEF_BUSINESS_REJECTION',
      message: error.message,
      details: [{ code: error.code, httpStatus: error.httpStatus, exceptions: error.exceptions }],
      nonRetryable: true,
    });
  }
  if (error instanceof KsefAuthError) {
    // A permission or token refusal reaches triage with words a person can act on.
    const human = describeAuthFailure(error.statusCode, null, error.message);
    throw ApplicationFailure.create({ type: error.code, message: human ?? error.message, nonRetryable: !error.retryable });
  }
  if (error instanceof KsefError) {
    throw ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: !error.retryable });
  }
  throw error;
}
