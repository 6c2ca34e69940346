/**
 * Typed KSeF client errors. Every error carries a stable `code` (documented in README.md) so logs,
 * alerts and workflow retry policies can match on it instead of parsing messages.
 *
 * `retryable` answers one question for callers such as Temporal activities: "can the very same
 * request succeed later without anyone changing the data?" — true for throttling, 5xx and transport
 * failures, false for business rejections (4xx).
 */

export type KsefErrorCode =
  | 'KSEF_BAD_REQUEST'
  | 'KSEF_UNAUTHORIZED'
  | 'KSEF_FORBIDDEN'
  | 'KSEF_NOT_FOUND'
  | 'KSEF_GONE'
  | 'KSEF_HTTP_ERROR'
  | 'KSEF_SERVER_ERROR'
  | 'KSEF_RATE_LIMITED'
  | 'KSEF_TIMEOUT'
  | 'KSEF_NETWORK_ERROR'
  | 'KSEF_INVALID_RESPONSE'
  | 'KSEF_AUTH_FAILED'
  | 'KSEF_AUTH_PENDING_TIMEOUT'
  /** Auth status 460: KSeF refused the signing certificate (untrusted chain, expired, revoked, suspended, wrong type). */
  | 'KSEF_AUTH_CERTIFICATE_REJECTED'
  /** Our own certificate/key/PKCS#12 could not be used to sign (unreadable, wrong password, key not matching). */
  | 'KSEF_CERTIFICATE_INVALID'
  | 'KSEF_NO_PUBLIC_KEY'
  | 'KSEF_SESSION_UNKNOWN'
  | 'KSEF_BATCH_TOO_LARGE'
  | 'KSEF_INVALID_ARGUMENT';

/** One entry of the legacy `exception.exceptionDetailList` or problem+json `errors[]`. */
export interface KsefExceptionDetail {
  code: number;
  description: string;
  details: string[];
}

export class KsefError extends Error {
  constructor(
    readonly code: KsefErrorCode,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = new.target.name;
  }
}

export interface KsefApiErrorInit {
  httpStatus: number;
  method: string;
  url: string;
  exceptions?: KsefExceptionDetail[];
  /** problem+json fields (title, detail, reasonCode, traceId, instance) when the server used that format. */
  problem?: Record<string, unknown>;
  /** KSeF's `exception.referenceNumber` / problem `traceId`, quoted when contacting MF support. */
  serviceReference?: string;
  body?: string;
}

/** KSeF answered with a non-2xx status. */
export class KsefApiError extends KsefError {
  readonly httpStatus: number;
  readonly method: string;
  readonly url: string;
  readonly exceptions: KsefExceptionDetail[];
  readonly problem?: Record<string, unknown>;
  readonly serviceReference?: string;
  readonly body?: string;

  constructor(init: KsefApiErrorInit, code: KsefErrorCode = codeForStatus(init.httpStatus), retryable = isRetryableStatus(init.httpStatus)) {
    super(code, describe(init), retryable);
    this.httpStatus = init.httpStatus;
    this.method = init.method;
    this.url = init.url;
    this.exceptions = init.exceptions ?? [];
    this.problem = init.problem;
    this.serviceReference = init.serviceReference;
    this.body = init.body;
  }

  /** True when KSeF reported this exception code (e.g. 21405 validation, 21173 no such session). */
  hasExceptionCode(code: number): boolean {
    return this.exceptions.some((e) => e.code === code);
  }
}

/** 429: KSeF asks us to wait `retryAfterSeconds` (Retry-After header) before the next request. */
export class KsefRateLimitError extends KsefApiError {
  readonly retryAfterSeconds: number | undefined;

  constructor(init: KsefApiErrorInit, retryAfterSeconds: number | undefined) {
    super(init, 'KSEF_RATE_LIMITED', true);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The request never produced an HTTP answer (DNS, reset, TLS, timeout). */
export class KsefTransportError extends KsefError {
  constructor(
    message: string,
    readonly timedOut: boolean,
    readonly method: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(timedOut ? 'KSEF_TIMEOUT' : 'KSEF_NETWORK_ERROR', message, true, options);
  }
}

/** The authentication operation ended in a non-200 status (GET /auth/{ref} table, facts §2). */
export class KsefAuthError extends KsefError {
  constructor(
    readonly statusCode: number,
    readonly statusDescription: string,
    readonly statusDetails: string[],
    readonly referenceNumber: string,
  ) {
    // 550 = "cancelled by the system, retry"; 500 = unknown. Everything else needs a human (token, certificate, permissions).
    super(statusCode === 460 ? 'KSEF_AUTH_CERTIFICATE_REJECTED' : 'KSEF_AUTH_FAILED', `authentication ${referenceNumber} ended with status ${statusCode} ${statusDescription}${statusDetails.length ? ` (${statusDetails.join('; ')})` : ''}`, statusCode >= 500);
  }
}

export function codeForStatus(status: number): KsefErrorCode {
  if (status === 400) return 'KSEF_BAD_REQUEST';
  if (status === 401) return 'KSEF_UNAUTHORIZED';
  if (status === 403) return 'KSEF_FORBIDDEN';
  if (status === 404) return 'KSEF_NOT_FOUND';
  if (status === 410) return 'KSEF_GONE';
  if (status === 429) return 'KSEF_RATE_LIMITED';
  if (status >= 500) return 'KSEF_SERVER_ERROR';
  return 'KSEF_HTTP_ERROR';
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

function describe(init: KsefApiErrorInit): string {
  const parts = [`${init.method} ${init.url} → HTTP ${init.httpStatus}`];
  for (const e of init.exceptions ?? []) {
    parts.push(`[${e.code}] ${e.description}${e.details.length ? ` (${e.details.join('; ')})` : ''}`);
  }
  if ((init.exceptions ?? []).length === 0 && init.problem) {
    const p = init.problem;
    const text = [p.title, p.detail, p.reasonCode].filter((x) => typeof x === 'string' && x).join(' — ');
    if (text) parts.push(text);
  }
  return parts.join(' ');
}
