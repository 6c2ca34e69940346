import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkTargetUrl, isForbiddenAddress, literalAddress, type OutboundTargetPolicy, type ResolvedAddress } from './target-policy';

/**
 * The one way the worker posts to a URL an admin typed (status webhooks, chat alerts): vetted
 * address, pinned connection, no redirects, one timeout.
 *
 * Whatever goes wrong before an HTTP answer — the address is refused, the name does not resolve, the
 * port is closed, nothing answers, TLS fails — the caller sees the same sentence: the delivery log is
 * readable by operators and must not tell them which internal ports are open (a port scanner). The
 * real cause goes to the server log (`detail`).
 */
export const UNREACHABLE = 'delivery failed: receiver not reachable or not allowed';

export type PostOutcome =
  | { ok: true; status: number }
  | { ok: false; status: number | null; reason: string; detail: string; code: 'KSEFOPS_WEBHOOK_DESTINATION_REFUSED' | 'KSEFOPS_WEBHOOK_UNREACHABLE' | 'KSEFOPS_WEBHOOK_HTTP_ERROR' };

export interface PostOptions {
  policy: OutboundTargetPolicy;
  timeoutMs: number;
  headers?: Record<string, string>;
}

const systemResolve = async (hostname: string): Promise<ResolvedAddress[]> =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export async function postJson(target: string, body: string, options: PostOptions): Promise<PostOutcome> {
  const refused = (detail: string): PostOutcome => ({ ok: false, status: null, reason: UNREACHABLE, detail, code: 'KSEFOPS_WEBHOOK_DESTINATION_REFUSED' });
  const checked = checkTargetUrl(target, options.policy);
  if (!checked.ok) return refused(checked.reason);
  const { url, host, insecureAllowed } = checked;

  const deadline = Date.now() + options.timeoutMs;
  const literal = literalAddress(host);
  let addresses: ResolvedAddress[];
  try {
    addresses = literal ? [{ address: literal, family: literal.includes(':') ? 6 : 4 }] : await withTimeout((options.policy.resolve ?? systemResolve)(host), options.timeoutMs);
  } catch (error) {
    return { ok: false, status: null, reason: UNREACHABLE, detail: `cannot resolve ${host}: ${(error as Error).message}`, code: 'KSEFOPS_WEBHOOK_UNREACHABLE' };
  }
  if (addresses.length === 0) return refused(`${host} resolves to no address`);
  // One forbidden answer refuses the name: a round-robin record could hand out the internal one next.
  const forbidden = insecureAllowed ? undefined : addresses.find((a) => isForbiddenAddress(a.address));
  if (forbidden) return refused(`${host} resolves to ${forbidden.address}, a private, loopback, link-local or reserved address`);

  // The connection goes to the address just vetted, never to a second lookup (DNS rebinding); Host and
  // TLS SNI stay the name, so virtual hosts and certificates work as usual.
  const pinned = addresses[0];
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  try {
    const status = await send(url, body, { lookup, headers: options.headers ?? {}, timeoutMs: Math.max(deadline - Date.now(), 1) });
    if (status >= 200 && status < 300) return { ok: true, status };
    const reason = status >= 300 && status < 400 ? `receiver answered HTTP ${status} (redirects are not followed)` : `receiver answered HTTP ${status}`;
    return { ok: false, status, reason, detail: reason, code: 'KSEFOPS_WEBHOOK_HTTP_ERROR' };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { ok: false, status: null, reason: UNREACHABLE, detail: `${e.code ?? 'error'}: ${e.message}`, code: 'KSEFOPS_WEBHOOK_UNREACHABLE' };
  }
}

function send(url: URL, body: string, o: { lookup: LookupFunction; headers: Record<string, string>; timeoutMs: number }): Promise<number> {
  const https = url.protocol === 'https:';
  const literal = literalAddress(url.hostname);
  return new Promise<number>((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        // No pooled sockets: a kept-alive connection to one vetted address must not serve another URL.
        agent: false,
        lookup: o.lookup,
        ...(https && !literal ? { servername: url.hostname.replace(/\.+$/, '') } : {}),
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...o.headers },
      },
      (res: IncomingMessage) => {
        clearTimeout(timer);
        // Only the status matters; the body (possibly endless) is not read.
        res.destroy();
        resolve(res.statusCode ?? 0);
      },
    );
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${o.timeoutMs} ms`), { code: 'ETIMEDOUT' })), o.timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
    }),
  ]);
}
