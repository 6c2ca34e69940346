/**
 * Issue #15 item 6 — SSRF through status webhooks and chat-alert webhooks, on the real stack.
 *
 * Registration refuses what the URL alone gives away (scheme, credentials, an internal address in any
 * spelling); delivery resolves the name itself, refuses internal answers, connects to exactly the
 * vetted address (a second DNS answer cannot redirect it), follows no redirect, and logs one generic
 * reason for every connection-level failure so the delivery log cannot be used as a port scanner.
 *
 * Names under .ssrf.test are resolved by the resolver the test injects into the policy (the same hook
 * the system resolver fills in production); `receiver.ssrf.test` is the one host the test
 * configuration allows over plain http to private addresses (as WEBHOOK_ALLOW_INSECURE_TARGETS would).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { postJson, UNREACHABLE } from '../../../activities/webhooks/safe-post';
import { isForbiddenAddress, type OutboundTargetPolicy, type ResolvedAddress } from '../../../activities/webhooks/target-policy';
import { ConfigError, loadConfig } from '../../../config';
import { startHttpReceiver, type HttpReceiver } from '../../support/http-receiver';
import { sampleInvoice } from '../../support/invoices';
import { eventually, startStack, type TestStack } from '../../support/stack';

jest.setTimeout(300000);

const DNS: Record<string, string[] | ((call: number) => string[])> = {};
const lookups: string[] = [];
async function resolve(host: string): Promise<ResolvedAddress[]> {
  lookups.push(host);
  const entry = DNS[host];
  const call = lookups.filter((h) => h === host).length;
  const addresses = typeof entry === 'function' ? entry(call) : entry;
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
}
const policy: OutboundTargetPolicy = { insecureHosts: ['receiver.ssrf.test'], resolve };

/** Counts TCP connections: proof that a refused destination was never even dialled. */
interface Tap {
  port: number;
  connections: number;
  close(): Promise<void>;
}
async function tap(host = '127.0.0.1', port = 0, answer?: (socket: Socket) => void): Promise<Tap> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server = createTcpServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    answer?.(socket);
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, host, () => ok()));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((ok) => {
      for (const s of sockets) s.destroy();
      server.close(() => ok());
    }),
  };
}

/** An HTTP server answering every request with a fixed status and headers (redirects, errors). */
async function answering(status: number, headers: Record<string, string> = {}, host = '127.0.0.1', port = 0) {
  const seen: IncomingMessage[] = [];
  const server: Server = createHttpServer((req, res) => {
    seen.push(req);
    req.resume();
    req.on('end', () => res.writeHead(status, headers).end());
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, host, () => ok()));
  return { port: (server.address() as AddressInfo).port, seen, close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }) };
}

let stack: TestStack;
const tag = randomUUID().slice(0, 8);
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  stack = await startStack({
    outboundTargets: policy,
    operations: { webhooks: { maxAttempts: 2, timeoutMs: 1000, initialBackoffMs: 100, maxBackoffMs: 200 } },
  });
});
afterAll(async () => {
  await stack?.stop();
  for (const close of closers) await close();
});

// Every spelling of an internal address the URL parser accepts, and the schemes and userinfo of the issue.
const FORBIDDEN_URLS = [
  'https://127.0.0.1/hook',
  'https://127.0.0.1./hook',
  'https://0x7f000001/hook',
  'https://2130706433/hook',
  'https://0177.0.0.1/hook',
  'https://127.1/hook',
  'https://[::1]/hook',
  'https://[::]/hook',
  'https://[::ffff:127.0.0.1]/hook',
  'https://[::ffff:a9fe:a9fe]/latest/meta-data/',
  'https://[64:ff9b::7f00:1]/hook',
  'https://[2002:7f00:1::]/hook',
  'https://[fe80::1]/hook',
  'https://[fd00::1]/hook',
  'https://[ff02::1]/hook',
  'https://169.254.169.254/latest/meta-data/',
  'https://10.0.0.5/hook',
  'https://172.16.0.1/hook',
  'https://172.31.255.254/hook',
  'https://192.168.1.1/hook',
  'https://100.64.0.1/hook',
  'https://0.0.0.0/hook',
  'https://224.0.0.1/hook',
  'https://255.255.255.255/hook',
  'https://localhost/hook',
  'https://api.localhost/hook',
  'https://intranet/hook',
  'https://user:secret@hooks.example.com/hook',
  'https://token@hooks.example.com/hook',
  'http://hooks.example.com/hook',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'gopher://hooks.example.com:70/_stats',
  'data:text/plain,hello',
  'ftp://hooks.example.com/hook',
];

describe('registration: status webhooks and chat-alert URLs', () => {
  it('refuses internal addresses in every spelling, other schemes and credentials with 422 naming the field; stores nothing', async () => {
    const before = await stack.prisma.webhookSubscription.count();
    const ok = await stack.api('/api/v1/webhooks', { body: { sourceSystem: `reg-${tag}`, url: 'https://hooks.example.com/ksef' }, as: 'admin' });
    expect(ok.status).toBe(201);
    const failures: string[] = [];
    for (const url of FORBIDDEN_URLS) {
      const created = await stack.api('/api/v1/webhooks', { body: { sourceSystem: `reg-${tag}`, url }, as: 'admin' });
      const changed = await stack.api(`/api/v1/webhooks/${ok.body.id}`, { method: 'PATCH', body: { url }, as: 'admin' });
      const rule = await stack.api('/api/v1/responsibility-rules', { body: { sourceSystem: `reg-${tag}`, owner: 'ops@example.com', webhookUrl: url }, as: 'admin' });
      for (const [what, res, field] of [['POST webhook', created, 'url'], ['PATCH webhook', changed, 'url'], ['POST rule', rule, 'webhookUrl']] as const) {
        const got = `${res.status} ${res.body?.code} ${JSON.stringify(res.body?.errors?.[0]?.path)} ${res.headers.get('content-type')?.split(';')[0]}`;
        if (got !== `422 KSEFOPS_WEBHOOK_URL_FORBIDDEN ["${field}"] application/problem+json`) failures.push(`${what} ${url}: ${got}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await stack.prisma.webhookSubscription.count()).toBe(before + 1);
    expect((await stack.prisma.webhookSubscription.findUnique({ where: { id: ok.body.id } }))?.url).toBe('https://hooks.example.com/ksef');
    expect(await stack.prisma.responsibilityRule.count({ where: { sourceSystem: `reg-${tag}` } })).toBe(0);

    const refused = await stack.api('/api/v1/webhooks', { body: { sourceSystem: `reg-${tag}`, url: 'https://169.254.169.254/latest/meta-data/' }, as: 'admin' });
    expect(refused.body.errors[0].message).toMatch(/private, loopback, link-local or reserved/);
    // The configured exception is exact: plain http to the one allowed host, nothing else.
    expect((await stack.api('/api/v1/webhooks', { body: { sourceSystem: `reg-${tag}`, url: 'http://receiver.ssrf.test:8080/x' }, as: 'admin' })).status).toBe(201);
    expect((await stack.api('/api/v1/webhooks', { body: { sourceSystem: `reg-${tag}`, url: 'http://other.receiver.ssrf.test/x' }, as: 'admin' })).status).toBe(422);
    await stack.prisma.webhookSubscription.deleteMany({ where: { sourceSystem: `reg-${tag}` } });
  });
});

describe('delivery: resolved at send time, pinned, no redirects, one generic reason', () => {
  it('refuses a name that resolves inside, never dials it, and logs refused, closed, silent and TLS-broken receivers alike', async () => {
    const source = `send-${tag}`;
    const good = await startHttpReceiver();
    const loopbackTap = await tap();
    const silent = await tap(); // accepts the connection, never answers: a timeout
    const closedPort = await tap();
    await closedPort.close(); // nothing listens there any more: connection refused
    const plainHttp = await answering(204); // https to it fails in the TLS handshake
    const failing = await answering(500);
    const redirectTarget = await startHttpReceiver();
    const redirector = await answering(302, { location: `${redirectTarget.url}/stolen` });
    closers.push(good.close, loopbackTap.close, silent.close, plainHttp.close, failing.close, redirectTarget.close, redirector.close);

    DNS['receiver.ssrf.test'] = ['127.0.0.1'];
    DNS['loopback.ssrf.test'] = ['127.0.0.1'];
    DNS['mapped.ssrf.test'] = ['::ffff:127.0.0.1'];
    // One internal answer among public ones refuses the name (round-robin could pick it next time).
    DNS['mixed.ssrf.test'] = ['93.184.215.14', '127.0.0.1'];
    const urls = {
      good: `http://receiver.ssrf.test:${new URL(good.url).port}/ksef`,
      loopback: `https://loopback.ssrf.test:${loopbackTap.port}/ksef`,
      mapped: `https://mapped.ssrf.test:${loopbackTap.port}/ksef`,
      mixed: `https://mixed.ssrf.test:${loopbackTap.port}/ksef`,
      unresolvable: `https://nowhere.ssrf.test:${loopbackTap.port}/ksef`,
      closed: `http://receiver.ssrf.test:${closedPort.port}/ksef`,
      silent: `http://receiver.ssrf.test:${silent.port}/ksef`,
      tls: `https://receiver.ssrf.test:${plainHttp.port}/ksef`,
      failing: `http://receiver.ssrf.test:${failing.port}/ksef`,
      redirect: `http://receiver.ssrf.test:${redirector.port}/ksef`,
    };
    const ids: Record<string, string> = {};
    for (const [name, url] of Object.entries(urls)) {
      const sub = await stack.api('/api/v1/webhooks', { body: { sourceSystem: source, url }, as: 'admin' });
      expect(`${name} ${sub.status}`).toBe(`${name} 201`);
      ids[sub.body.id] = name;
    }

    const submit = await stack.api('/api/v1/invoices', { body: sampleInvoice({ sourceSystem: source }) });
    expect(submit.status).toBe(202);
    await eventually(async () => (await stack.api(`/api/v1/invoices/${submit.body.id}`)).body?.status === 'ACCEPTED', 180000);
    const log = await eventually(async () => {
      const res = await stack.api(`/api/v1/webhooks/deliveries?invoiceId=${submit.body.id}&limit=500`, { as: 'monitor' });
      const items = res.body.items as Array<{ subscriptionId: string; state: string; lastError: string | null; lastStatusCode: number | null; status: string }>;
      const accepted = new Set(items.filter((d) => d.status === 'ACCEPTED').map((d) => d.subscriptionId));
      return accepted.size === Object.keys(urls).length && items.every((d) => d.state !== 'PENDING') ? items : undefined;
    }, 180000);

    const outcome = (name: string) => {
      const mine = log.filter((d) => ids[d.subscriptionId] === name);
      return [...new Set(mine.map((d) => `${d.state} ${d.lastStatusCode} ${d.lastError}`))];
    };
    expect(outcome('good')).toEqual(['DELIVERED 204 null']);
    for (const name of ['loopback', 'mapped', 'mixed', 'unresolvable', 'closed', 'silent', 'tls']) {
      expect([name, outcome(name)]).toEqual([name, [`FAILED null ${UNREACHABLE}`]]);
    }
    expect(outcome('failing')).toEqual(['FAILED 500 receiver answered HTTP 500']);
    expect(outcome('redirect')).toEqual(['FAILED 302 receiver answered HTTP 302 (redirects are not followed)']);
    expect(JSON.stringify(log.map((d) => d.lastError))).not.toMatch(/ECONNREFUSED|ETIMEDOUT|EPROTO|ENOTFOUND|ssl|wrong version|127\.0\.0\.1|socket|timed? ?out/i);

    expect(loopbackTap.connections).toBe(0);
    expect(redirector.seen.length).toBeGreaterThan(0);
    expect(redirectTarget.requests).toEqual([]);
    // The allowed receiver was reached at the vetted address under its own name.
    expect(good.requests.length).toBeGreaterThan(0);
    expect(good.requests.every((r) => r.headers.host === `receiver.ssrf.test:${new URL(good.url).port}`)).toBe(true);
    // Retries exhausted → the alert carries the same generic reason, never the connection detail.
    // One alert per failed delivery (raised right after the delivery is marked FAILED).
    const failed = log.filter((d) => d.state === 'FAILED').length;
    const alerts = await eventually(async () => {
      const found = await stack.prisma.alert.findMany({ where: { kind: 'retries-exhausted', sourceSystem: source } });
      return found.length >= failed ? found : undefined;
    }, 30000);
    expect(alerts.length).toBe(failed);
    for (const a of alerts) expect(a.reason).toMatch(new RegExp(`last error: (${UNREACHABLE}|receiver answered HTTP \\d{3}.*)$`));
  });

  it('connects to the address it vetted: a second DNS answer (rebinding) never gets the request', async () => {
    const vetted = await startHttpReceiver();
    const port = Number(new URL(vetted.url).port);
    // Same port on another loopback address: where a re-resolving client would land.
    const rebound = await tap('127.0.0.2', port);
    closers.push(vetted.close, rebound.close);
    DNS['rebind.ssrf.test'] = (call) => (call === 1 ? ['127.0.0.1'] : ['127.0.0.2']);
    const before = lookups.filter((h) => h === 'rebind.ssrf.test').length;
    const outcome = await postJson(`http://rebind.ssrf.test:${port}/pinned`, '{"x":1}', { policy: { ...policy, insecureHosts: ['rebind.ssrf.test'] }, timeoutMs: 2000 });
    expect(outcome).toEqual({ ok: true, status: 204 });
    expect(lookups.filter((h) => h === 'rebind.ssrf.test').length - before).toBe(1);
    expect(vetted.requests.map((r) => `${r.path} ${r.headers.host}`)).toEqual([`/pinned rebind.ssrf.test:${port}`]);
    expect(rebound.connections).toBe(0);
  });

  it('refuses every internal family of resolved address before dialling', async () => {
    const sink = await tap();
    closers.push(sink.close);
    const internal = ['127.0.0.1', '127.255.0.9', '0.0.0.0', '10.1.2.3', '172.20.0.1', '192.168.0.10', '100.100.100.200', '169.254.169.254', '224.0.0.251', '::1', '::', '::ffff:127.0.0.1', '::ffff:a9fe:a9fe', '::127.0.0.1', '64:ff9b::a9fe:a9fe', '2002:a00:1::1', 'fe80::1%lo', 'fd12:3456::1', 'ff02::1', '2001:db8::1'];
    const results: string[] = [];
    for (const [i, address] of internal.entries()) {
      DNS[`internal-${i}.ssrf.test`] = [address];
      const outcome = await postJson(`https://internal-${i}.ssrf.test:${sink.port}/`, '{}', { policy, timeoutMs: 1000 });
      results.push(`${address} ${outcome.ok ? 'sent' : outcome.code}`);
    }
    expect(results).toEqual(internal.map((a) => `${a} KSEFOPS_WEBHOOK_DESTINATION_REFUSED`));
    expect(sink.connections).toBe(0);
    // Public addresses stay allowed (the rules are not "refuse everything").
    expect(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'].map(isForbiddenAddress)).toEqual([false, false, false, false]);
  });
});

describe('chat-alert webhooks', () => {
  async function ruleFor(source: string, webhookUrl: string) {
    const res = await stack.api('/api/v1/responsibility-rules', { body: { sourceSystem: source, owner: `owner-${tag}@example.com`, webhookUrl }, as: 'admin' });
    expect(res.status).toBe(201);
  }
  const raise = (source: string) => stack.alerting.raise({ kind: 'triage', sourceSystem: source, errorCode: `SSRF_${tag}`, reason: 'ssrf test alert', escalationLevel: 0 });

  it('does not follow a redirect and does not post to a name that resolves inside; the alert shows one generic reason', async () => {
    const target = await startHttpReceiver();
    const redirector = await answering(307, { location: `${target.url}/stolen` });
    const loopbackTap = await tap();
    const good = await startHttpReceiver();
    closers.push(target.close, redirector.close, loopbackTap.close, good.close);
    DNS['receiver.ssrf.test'] = ['127.0.0.1'];
    DNS['chat-loopback.ssrf.test'] = ['127.0.0.1'];

    await ruleFor(`chat-redirect-${tag}`, `http://receiver.ssrf.test:${redirector.port}/chat/T0K3N`);
    await ruleFor(`chat-loopback-${tag}`, `https://chat-loopback.ssrf.test:${loopbackTap.port}/chat/T0K3N`);
    await ruleFor(`chat-good-${tag}`, `http://receiver.ssrf.test:${new URL(good.url).port}/chat`);

    expect((await raise(`chat-good-${tag}`)).delivery).toBe('sent');
    expect(good.requests[0].body.text).toContain('ssrf test alert');

    const redirected = await raise(`chat-redirect-${tag}`);
    expect(redirected.delivery).toBe('failed');
    expect(redirector.seen.length).toBe(1);
    expect(target.requests).toEqual([]);

    const inside = await raise(`chat-loopback-${tag}`);
    expect(inside.delivery).toBe('failed');
    expect(loopbackTap.connections).toBe(0);

    const alerts = await stack.api(`/api/v1/alerts?kind=triage&limit=1000`, { as: 'monitor' });
    const errorOf = (id: string | null) => alerts.body.items.find((a: { id: string }) => a.id === id)?.deliveryError;
    expect(errorOf(redirected.alertId)).toBe(`webhook http://receiver.ssrf.test:${redirector.port}: receiver answered HTTP 307 (redirects are not followed)`);
    // The chat token in the path stays out of the alert; the reason says nothing about the port.
    expect(errorOf(inside.alertId)).toBe(`webhook https://chat-loopback.ssrf.test:${loopbackTap.port}: ${UNREACHABLE}`);
  });
});

describe('upgrade', () => {
  it('rewrites delivery reasons recorded before the fix (connection detail, chat tokens) to the ones the sender records now', async () => {
    const sub = await stack.prisma.webhookSubscription.create({ data: { sourceSystem: `legacy-${tag}`, url: 'https://hooks.example.com/x', secret: 'whsec_legacy', active: false, createdBy: 'test' } });
    const before = ['connect ECONNREFUSED 10.0.0.5:6379', 'The operation was aborted due to timeout', 'fetch failed', 'receiver answered 500', 'receiver answered HTTP 502'];
    for (const [i, lastError] of before.entries()) {
      await stack.prisma.webhookDelivery.create({ data: { subscriptionId: sub.id, eventKey: `legacy-${i}`, registryId: randomUUID(), status: 'SENT', payload: {}, state: 'FAILED', attempts: 8, lastError } });
    }
    const alert = (deliveryError: string | null, reason = 'x', kind = 'triage') =>
      stack.prisma.alert.create({ data: { scope: `legacy-${tag}`, dedupKey: randomUUID(), kind, errorClass: 'validation', reason, owner: 'o@example.com', recipients: ['o@example.com'], state: 'FAILED', deliveryError } });
    const chat = await alert('webhook https://hooks.chat.example/services/T0/B0/S3CR3T failed: connect ECONNREFUSED 10.0.0.5:443');
    const chatStatus = await alert('webhook http://10.0.0.5:8080/hook answered 404');
    const mail = await alert('mail to o@example.com failed: Invalid login');
    const exhausted = await alert(null, `Status webhook 1 to http://10.0.0.5:22/ failed 8 times; last error: other side closed`, 'retries-exhausted');
    const exhaustedHttp = await alert(null, `Status webhook 2 to https://hooks.example.com/ failed 8 times; last error: receiver answered 503`, 'retries-exhausted');

    const sql = readFileSync(path.join(__dirname, '../../../prisma/migrations/20261203134000_webhook_generic_errors/migration.sql'), 'utf8');
    for (const statement of sql.replace(/^--.*$/gm, '').split(/;\s*$/m).map((x) => x.trim()).filter(Boolean)) await stack.prisma.$executeRawUnsafe(statement);

    const after = await stack.prisma.webhookDelivery.findMany({ where: { subscriptionId: sub.id }, orderBy: { eventKey: 'asc' } });
    expect(after.map((d) => d.lastError)).toEqual([UNREACHABLE, UNREACHABLE, UNREACHABLE, 'receiver answered HTTP 500', 'receiver answered HTTP 502']);
    const byId = async (id: string) => stack.prisma.alert.findUniqueOrThrow({ where: { id } });
    expect((await byId(chat.id)).deliveryError).toBe(`webhook https://hooks.chat.example: ${UNREACHABLE}`);
    expect((await byId(chatStatus.id)).deliveryError).toBe('webhook http://10.0.0.5:8080: receiver answered HTTP 404');
    expect((await byId(mail.id)).deliveryError).toBe('mail to o@example.com failed: Invalid login');
    expect((await byId(exhausted.id)).reason).toBe(`Status webhook 1 to http://10.0.0.5:22/ failed 8 times; last error: ${UNREACHABLE}`);
    expect((await byId(exhaustedHttp.id)).reason).toBe('Status webhook 2 to https://hooks.example.com/ failed 8 times; last error: receiver answered 503');
  });
});

describe('configuration', () => {
  const configError = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return 'loaded';
    } catch (error) {
      return error instanceof ConfigError ? `${error.code} ${error.message.split('\n').pop()}` : String(error);
    }
  };

  it('allows insecure targets only as named hosts, never in production, and checks ALERT_WEBHOOK_URL at start', () => {
    expect(loadConfig({}).outboundWebhooks.targets.insecureHosts).toEqual([]);
    expect(loadConfig({ WEBHOOK_ALLOW_INSECURE_TARGETS: '127.0.0.1, 0x7f000001,[::1],localhost' }).outboundWebhooks.targets.insecureHosts).toEqual(['127.0.0.1', '127.0.0.1', '[::1]', 'localhost']);
    expect(configError({ NODE_ENV: 'production', WEBHOOK_ALLOW_INSECURE_TARGETS: '127.0.0.1' })).toMatch(/^KSEFOPS_CONFIG_INVALID .*WEBHOOK_ALLOW_INSECURE_TARGETS must be empty when NODE_ENV=production/);
    for (const entry of ['*', 'http://127.0.0.1', '127.0.0.1:8080', '10.0.0.0/8']) {
      expect(configError({ WEBHOOK_ALLOW_INSECURE_TARGETS: entry })).toMatch(/^KSEFOPS_CONFIG_INVALID .*is not a host name or IP address/);
    }
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'https://127.0.0.1/chat', 'http://hooks.example.com/chat', 'https://u:p@hooks.example.com/chat']) {
      expect(configError({ ALERT_WEBHOOK_URL: url })).toMatch(/^KSEFOPS_CONFIG_INVALID .*ALERT_WEBHOOK_URL/);
    }
    expect(loadConfig({ ALERT_WEBHOOK_URL: 'https://hooks.example.com/chat' }).alerts.webhookUrl).toBe('https://hooks.example.com/chat');
    expect(loadConfig({ ALERT_WEBHOOK_URL: 'http://127.0.0.1:9000/chat', WEBHOOK_ALLOW_INSECURE_TARGETS: '127.0.0.1' }).alerts.webhookUrl).toBe('http://127.0.0.1:9000/chat');
  });
});
