import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Where outbound webhooks (status callbacks, chat alerts) may go. An admin types the URL, the worker
 * posts to it from inside our network: without these rules the worker is a proxy into that network
 * (cloud metadata at 169.254.169.254, databases on 127.0.0.1, the intranet). The same rules run at
 * registration (API, for a clear 422) and at send time (stored URLs predate a rule; names resolve
 * differently later).
 */
export interface OutboundTargetPolicy {
  /**
   * Hosts, in the spelling the WHATWG URL parser gives (`127.0.0.1`, `[::1]`, `localhost`), that may be
   * plain http: and private. Tests and local development only; config refuses any in production.
   */
  insecureHosts: readonly string[];
  /** Name resolution at send time; default the system resolver. Tests map names to chosen addresses. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export const STRICT_TARGET_POLICY: OutboundTargetPolicy = { insecureHosts: [] };

export const WEBHOOK_URL_FORBIDDEN = 'KSEFOPS_WEBHOOK_URL_FORBIDDEN';

export type TargetCheck = { ok: true; url: URL; host: string; insecureAllowed: boolean } | { ok: false; reason: string };

/** A host as the URL parser spells it (`0x7f000001` → `127.0.0.1`), so config and URLs compare equal. */
export function canonicalHost(host: string): string | null {
  try {
    return stripDots(new URL(`http://${host}/`).hostname);
  } catch {
    return null;
  }
}

const stripDots = (host: string) => host.replace(/\.+$/, '');

/** Registration and send-time rules that need no DNS: scheme, credentials, literal addresses, local names. */
export function checkTargetUrl(raw: string, policy: OutboundTargetPolicy): TargetCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: `the scheme ${url.protocol} is not accepted; use https:` };
  if (url.username || url.password) return { ok: false, reason: 'credentials in the URL are not accepted (receivers verify the signature instead)' };
  const host = stripDots(url.hostname);
  const insecureAllowed = policy.insecureHosts.includes(host);
  if (url.protocol === 'http:' && !insecureAllowed) return { ok: false, reason: 'plain http: is not accepted; use https:' };
  if (insecureAllowed) return { ok: true, url, host, insecureAllowed };
  const literal = literalAddress(host);
  if (literal) {
    return isForbiddenAddress(literal) ? { ok: false, reason: `${host} is a private, loopback, link-local or reserved address` } : { ok: true, url, host, insecureAllowed };
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return { ok: false, reason: `${host} is this machine` };
  // Single-label names resolve through the resolver's search domains: the intranet, not the internet.
  if (!host.includes('.')) return { ok: false, reason: `${host} is not a fully qualified public host name` };
  return { ok: true, url, host, insecureAllowed };
}

/** The address a URL host names directly (`[::1]` → `::1`), or null for a domain name. */
export function literalAddress(host: string): string | null {
  if (isIPv4(host)) return host;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isIPv6(bare) ? bare : null;
}

// IANA special-purpose IPv4 ranges: none of them is a receiver on the public internet.
const V4_BLOCKED: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];
const v4Blocked = new BlockList();
for (const [net, prefix] of V4_BLOCKED) v4Blocked.addSubnet(net, prefix, 'ipv4');

// IPv6 is allowed only inside global unicast 2000::/3, minus its special parts; everything outside
// (::, ::1, fc00::/7, fe80::/10, ff00::/8, 64:ff9b:1::/48 …) is refused wholesale.
const v6Global = new BlockList();
v6Global.addSubnet('2000::', 3, 'ipv6');
const v6Blocked = new BlockList();
v6Blocked.addSubnet('2001::', 23, 'ipv6'); // IETF protocol assignments, Teredo
v6Blocked.addSubnet('2001:db8::', 32, 'ipv6'); // documentation
v6Blocked.addSubnet('3fff::', 20, 'ipv6'); // documentation

/** True when a connection to this address could reach our own network rather than the internet. */
export function isForbiddenAddress(address: string): boolean {
  const ip = address.replace(/%.*$/, '');
  if (isIPv4(ip)) return v4Blocked.check(ip, 'ipv4');
  if (!isIPv6(ip)) return true;
  const words = ipv6Words(ip);
  const embedded = embeddedIPv4(words);
  if (embedded) return v4Blocked.check(embedded, 'ipv4');
  return !v6Global.check(ip, 'ipv6') || v6Blocked.check(ip, 'ipv6');
}

/** IPv4 carried inside IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) reaches that IPv4. */
function embeddedIPv4(w: number[]): string | null {
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && w[5] === 0xffff) return v4(w[6], w[7]);
  if (w[0] === 0x64 && w[1] === 0xff9b && zeros(2, 6)) return v4(w[6], w[7]);
  if (w[0] === 0x2002) return v4(w[1], w[2]);
  return null;
}

function ipv6Words(ip: string): number[] {
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const parse = (part: string) => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const left = parse(head);
  const right = tail === null ? [] : parse(tail);
  return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}
