import {
  KsefApiError,
  KsefError,
  KsefRateLimitError,
  KsefTransportError,
  type KsefApiErrorInit,
  type KsefExceptionDetail,
} from './errors';

/**
 * fetch wrapper for the KSeF API: error-body parsing (legacy `exception` JSON, problem+json, 429
 * status body), per-attempt timeouts and bounded retries.
 *
 * Retry rules (README "Retry semantics"):
 * - 429: wait exactly Retry-After (capped by `maxRetryAfterSeconds`, beyond which we give up at once
 *   and surface KsefRateLimitError so a durable workflow can sleep instead of a blocked worker);
 * - 5xx, timeouts, network errors: exponential backoff with full jitter;
 * - any other 4xx: thrown immediately, never retried.
 */

export interface KsefLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const silentLogger: KsefLogger = { debug() {}, info() {}, warn() {} };

export interface RetryPolicy {
  /** Total attempts including the first one. 1 disables retries. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A 429 asking for a longer pause than this is not waited out in-process. */
  maxRetryAfterSeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 8_000,
  maxRetryAfterSeconds: 30,
};

export interface HttpClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  logger?: KsefLogger;
  /** Injectable for tests that need virtual time; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
}

export type ResponseKind = 'json' | 'text' | 'bytes' | 'none';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path relative to the API base (e.g. `/auth/challenge`) or an absolute URL (pre-signed UPO/batch URLs). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  bearer?: string;
  json?: unknown;
  body?: Uint8Array | string;
  responseKind?: ResponseKind;
  /** Per-call override, e.g. fewer retries for a call the caller will retry itself. */
  retry?: Partial<RetryPolicy>;
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  data: T;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class KsefHttpClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly logger: KsefLogger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly userAgent: string;

  constructor(options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.logger = options.logger ?? silentLogger;
    this.sleep = options.sleep ?? defaultSleep;
    this.userAgent = options.userAgent ?? 'ksef-ops-client/0.1';
  }

  url(path: string, query?: HttpRequest['query']): string {
    const base = /^https?:\/\//i.test(path) ? path : `${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`;
    if (!query) return base;
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
    const qs = params.toString();
    return qs ? `${base}${base.includes('?') ? '&' : '?'}${qs}` : base;
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const policy = { ...this.retry, ...req.retry };
    const url = this.url(req.path, req.query);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(req, url);
      } catch (error) {
        const delayMs = this.retryDelay(error, attempt, policy);
        if (delayMs === null) throw error;
        this.logger.warn(
          { method: req.method, url: redact(url), attempt, delayMs, code: (error as KsefError).code },
          'KSeF request failed, retrying',
        );
        await this.sleep(delayMs);
      }
    }
  }

  /** null = give up and rethrow. */
  private retryDelay(error: unknown, attempt: number, policy: RetryPolicy): number | null {
    if (!(error instanceof KsefError) || !error.retryable || attempt >= policy.maxAttempts) return null;
    if (error instanceof KsefRateLimitError) {
      const seconds = error.retryAfterSeconds;
      if (seconds !== undefined) return seconds > policy.maxRetryAfterSeconds ? null : seconds * 1000;
    }
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    // Full jitter: spreads synchronized retries of many workers hitting the same limit.
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  private async once<T>(req: HttpRequest, url: string): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...req.headers };
    let body: RequestInit['body'];
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.body !== undefined) {
      body = req.body as RequestInit['body'];
    }
    if (req.bearer) headers.authorization = `Bearer ${req.bearer}`;
    const kind = req.responseKind ?? 'json';
    if (!headers.accept && !Object.keys(headers).some((h) => h.toLowerCase() === 'accept')) {
      headers.accept = kind === 'json' ? 'application/json' : '*/*';
    }

    let response: Response;
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      response = await fetch(url, { method: req.method, headers, body, signal });
    } catch (cause) {
      const timedOut = signal.aborted || (cause as Error)?.name === 'TimeoutError';
      throw new KsefTransportError(
        timedOut ? `no response within ${this.timeoutMs} ms` : `request failed: ${(cause as Error)?.message ?? cause}`,
        timedOut,
        req.method,
        redact(url),
        { cause },
      );
    }

    let raw: Uint8Array;
    try {
      raw = new Uint8Array(await response.arrayBuffer());
    } catch (cause) {
      const timedOut = signal.aborted;
      throw new KsefTransportError(`response body could not be read: ${(cause as Error)?.message}`, timedOut, req.method, redact(url), { cause });
    }

    if (!response.ok) throw toApiError(response, raw, req.method, redact(url));

    this.logger.debug({ method: req.method, url: redact(url), status: response.status }, 'KSeF request ok');
    return { status: response.status, headers: response.headers, data: decode<T>(raw, kind, req.method, redact(url)) };
  }
}

function decode<T>(raw: Uint8Array, kind: ResponseKind, method: string, url: string): T {
  if (kind === 'none') return undefined as T;
  if (kind === 'bytes') return raw as T;
  const text = Buffer.from(raw).toString('utf8');
  if (kind === 'text') return text as T;
  if (text.length === 0) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new KsefError('KSEF_INVALID_RESPONSE', `${method} ${url} returned a non-JSON body: ${text.slice(0, 200)}`, false);
  }
}

/** Pre-signed URLs carry credentials in the query string; keep them out of logs and error messages. */
function redact(url: string): string {
  return url.replace(/\?.*$/, (q) => (/(sig|signature|token|se)=/i.test(q) ? '?…' : q));
}

export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

export function toApiError(response: Response, raw: Uint8Array, method: string, url: string): KsefApiError {
  const text = Buffer.from(raw).toString('utf8');
  const init: KsefApiErrorInit = { httpStatus: response.status, method, url, body: text.slice(0, 4000) };
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object') Object.assign(init, parseErrorBody(parsed as Record<string, unknown>));
  if (response.status === 429) return new KsefRateLimitError(init, parseRetryAfter(response.headers.get('retry-after')));
  return new KsefApiError(init);
}

/** Understands the three error shapes KSeF documents (facts §7). */
export function parseErrorBody(body: Record<string, unknown>): Pick<KsefApiErrorInit, 'exceptions' | 'problem' | 'serviceReference'> {
  const exception = body.exception as Record<string, unknown> | undefined;
  if (exception && typeof exception === 'object') {
    const list = Array.isArray(exception.exceptionDetailList) ? exception.exceptionDetailList : [];
    return {
      exceptions: list.map((e: Record<string, unknown>) => ({
        code: Number(e.exceptionCode),
        description: String(e.exceptionDescription ?? ''),
        details: Array.isArray(e.details) ? e.details.map(String) : [],
      })),
      serviceReference: typeof exception.referenceNumber === 'string' ? exception.referenceNumber : undefined,
    };
  }
  if (Array.isArray(body.errors) || typeof body.title === 'string' || typeof body.detail === 'string') {
    const errors: KsefExceptionDetail[] = (Array.isArray(body.errors) ? body.errors : []).map((e: Record<string, unknown>) => ({
      code: Number(e.code),
      description: String(e.description ?? ''),
      details: Array.isArray(e.details) ? e.details.map(String) : [],
    }));
    const { errors: _omit, ...problem } = body;
    return { exceptions: errors, problem, serviceReference: typeof body.traceId === 'string' ? body.traceId : undefined };
  }
  const status = body.status as Record<string, unknown> | undefined;
  if (status && typeof status === 'object' && 'code' in status) {
    return {
      exceptions: [
        {
          code: Number(status.code),
          description: String(status.description ?? ''),
          details: Array.isArray(status.details) ? status.details.map(String) : [],
        },
      ],
    };
  }
  return {};
}
