import type { SessionInvoiceStatusResponse, SessionInvoicesResponse, SessionStatusResponse } from './api-types';
import type { KsefHttpClient } from './http';

/** Session / invoice status and UPO downloads (facts §5). */

const seg = encodeURIComponent;

/** Invoice status codes that will not change any more (facts §5 table). */
export function isFinalInvoiceStatus(code: number): boolean {
  return code === 200 || code >= 400;
}

/** Online: 100 open, 170 closing; batch: 100/150 in progress. Everything else is final. */
export function isFinalSessionStatus(code: number): boolean {
  return code !== 100 && code !== 150 && code !== 170;
}

export async function getSessionStatus(http: KsefHttpClient, accessToken: string, sessionRef: string): Promise<SessionStatusResponse> {
  return (await http.request<SessionStatusResponse>({ method: 'GET', path: `/sessions/${seg(sessionRef)}`, bearer: accessToken })).data;
}

export async function getInvoiceStatus(
  http: KsefHttpClient,
  accessToken: string,
  sessionRef: string,
  invoiceRef: string,
): Promise<SessionInvoiceStatusResponse> {
  return (
    await http.request<SessionInvoiceStatusResponse>({
      method: 'GET',
      path: `/sessions/${seg(sessionRef)}/invoices/${seg(invoiceRef)}`,
      bearer: accessToken,
    })
  ).data;
}

export interface ListSessionInvoicesOptions {
  /** 10–1000 per the OpenAPI. */
  pageSize?: number;
  continuationToken?: string;
  /** GET …/invoices/failed — only rejected invoices. */
  failedOnly?: boolean;
}

export async function listSessionInvoices(
  http: KsefHttpClient,
  accessToken: string,
  sessionRef: string,
  options: ListSessionInvoicesOptions = {},
): Promise<SessionInvoicesResponse> {
  const headers: Record<string, string> = {};
  if (options.continuationToken) headers['x-continuation-token'] = options.continuationToken;
  const res = await http.request<SessionInvoicesResponse>({
    method: 'GET',
    path: `/sessions/${seg(sessionRef)}/invoices${options.failedOnly ? '/failed' : ''}`,
    query: { pageSize: options.pageSize },
    headers,
    bearer: accessToken,
  });
  return { continuationToken: res.data?.continuationToken ?? null, invoices: res.data?.invoices ?? [] };
}

/** Walks all pages (continuation token) of a session's invoice list. */
export async function* iterateSessionInvoices(
  http: KsefHttpClient,
  getAccessToken: () => Promise<string>,
  sessionRef: string,
  options: Omit<ListSessionInvoicesOptions, 'continuationToken'> = {},
): AsyncGenerator<SessionInvoiceStatusResponse> {
  let continuationToken: string | undefined;
  do {
    const page = await listSessionInvoices(http, await getAccessToken(), sessionRef, { ...options, continuationToken });
    yield* page.invoices;
    continuationToken = page.continuationToken ?? undefined;
  } while (continuationToken);
}

export type UpoLocator =
  | { kind: 'invoiceReference'; sessionReferenceNumber: string; invoiceReferenceNumber: string }
  | { kind: 'ksefNumber'; sessionReferenceNumber: string; ksefNumber: string }
  /** `upoDownloadUrl` from an invoice status, or a session UPO page `downloadUrl`: pre-signed, no token. */
  | { kind: 'url'; url: string }
  | { kind: 'sessionUpo'; sessionReferenceNumber: string; upoReferenceNumber: string };

export interface DownloadedUpo {
  xml: string;
  /** The UPO exactly as KSeF sent it (signed document: keep these bytes, not a re-encoding of `xml`). */
  bytes: Uint8Array;
  /** `x-ms-meta-hash` response header (SHA-256 of the UPO), when the server sent it. */
  hash?: string;
}

export async function downloadUpo(http: KsefHttpClient, accessToken: string | undefined, locator: UpoLocator): Promise<DownloadedUpo> {
  let path: string;
  let bearer: string | undefined = accessToken;
  switch (locator.kind) {
    case 'invoiceReference':
      path = `/sessions/${seg(locator.sessionReferenceNumber)}/invoices/${seg(locator.invoiceReferenceNumber)}/upo`;
      break;
    case 'ksefNumber':
      path = `/sessions/${seg(locator.sessionReferenceNumber)}/invoices/ksef/${seg(locator.ksefNumber)}/upo`;
      break;
    case 'sessionUpo':
      path = `/sessions/${seg(locator.sessionReferenceNumber)}/upo/${seg(locator.upoReferenceNumber)}`;
      break;
    case 'url':
      path = locator.url;
      bearer = undefined;
      break;
  }
  const res = await http.request<Uint8Array>({ method: 'GET', path, bearer, responseKind: 'bytes', headers: { accept: 'application/xml' } });
  // ignoreBOM keeps a byte-order mark in the text too: nothing of what KSeF sent is dropped.
  return { xml: new TextDecoder('utf-8', { ignoreBOM: true }).decode(res.data), bytes: res.data, hash: res.headers.get('x-ms-meta-hash') ?? undefined };
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Polls until `isFinal(value)` or the timeout. Returns the last value either way (check `isFinal` on
 * it): a durable workflow would rather record "still processing" than fail an activity.
 */
export async function pollUntil<T>(read: () => Promise<T>, isFinal: (value: T) => boolean, options: WaitOptions = {}): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await read();
    if (isFinal(value) || Date.now() >= deadline) return value;
    await sleep(options.intervalMs ?? 500);
  }
}
