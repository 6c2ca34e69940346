/**
 * Issue #15 item 1: one spelling per path. Every route of the app's own inventory is called in its
 * canonical spelling and in the spellings an attacker has — case, trailing slash, `//`, `/./`,
 * `..`, `%2e`, `%2F`, percent-encoded letters, `;` parameters, backslashes — by every principal
 * (anonymous, each role, an API key). The canonical path answers as the matrix says; every other
 * spelling gets the same 404 for everyone (refused before authentication) and changes nothing:
 * no new admin, no revoked key, no submitted or approved invoice, no audit entry.
 */
import { randomUUID } from 'node:crypto';
import { createApp } from '../../../api/app';
import { NON_CANONICAL_PATH, URI_TOO_LONG } from '../../../api/auth/canonical-path';
import { ACTION_NAMES } from '../../../api/registry/actions';
import { mountedRoutes, routeLiterals } from '../../../api/route-inventory';
import { ROLES } from '../../../prisma/access-repository';
import type { CallAs } from '../../support/auth';
import { SELLER_NIP, sampleInvoice } from '../../support/invoices';
import { eventually, silentLogger, startStack, type TestStack } from '../../support/stack';
import { closeRawAgent, rawRequest, type RawResponse } from './raw-http';

jest.setTimeout(600_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  closeRawAgent();
  await stack?.stop();
});

const NO_SUCH = '00000000-0000-5000-8000-000000000000';
const PRINCIPALS: CallAs[] = ['anonymous', ...ROLES, 'sender-key'];

/** A small seeded PRNG: a failure names its seed and replays with SECURITY_PATH_SEED. */
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

const hex = (c: string, lower = false) => {
  const h = c.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${lower ? h : h.toUpperCase()}`;
};

/** Non-canonical spellings of `path` (a canonical path with its parameters filled in). */
export function spellings(path: string, literals: ReadonlySet<string>, pick: (n: number) => number): Array<{ kind: string; path: string }> {
  const segs = path.slice(1).split('/');
  const join = (s: string[]) => `/${s.join('/')}`;
  const at = (i: number, f: (s: string) => string) => join(segs.map((s, j) => (j === i ? f(s) : s)));
  const literalAt = segs.map((s, i) => (literals.has(s) ? i : -1)).filter((i) => i >= 0);
  const anyLiteral = literalAt[pick(literalAt.length)];
  const anySeg = pick(segs.length);
  const boundary = 1 + pick(segs.length); // a "/" after the first one (index into the joined segments)
  const splitAt = (sep: string) => `/${segs.slice(0, boundary).join('/')}${boundary < segs.length ? sep + segs.slice(boundary).join('/') : sep}`;
  const out = [
    { kind: 'upper-case', path: path.toUpperCase() },
    { kind: 'capitalised word', path: at(anyLiteral, (s) => s[0].toUpperCase() + s.slice(1)) },
    { kind: 'one upper-case letter', path: at(anyLiteral, (s) => { const i = pick(s.length); return s.slice(0, i) + s[i].toUpperCase() + s.slice(i + 1); }) },
    { kind: 'trailing slash', path: `${path}/` },
    { kind: 'leading //', path: `/${path}` },
    { kind: 'inner //', path: splitAt('//') },
    { kind: '/./', path: splitAt('/./') },
    { kind: 'trailing /.', path: `${path}/.` },
    { kind: 'x/../', path: splitAt('/x/../') },
    { kind: '%2e segment', path: splitAt('/%2e/') },
    { kind: '%2E%2E traversal', path: splitAt('/x/%2E%2E/') },
    { kind: '%2F separator', path: boundary < segs.length ? splitAt('%2F') : `${path}%2F` },
    { kind: 'backslash separator', path: boundary < segs.length ? splitAt('\\') : `${path}\\` },
    { kind: ';param', path: at(anySeg, (s) => `${s};jsessionid=1`) },
    { kind: ';param at end', path: `${path};` },
    { kind: 'percent-encoded letter', path: at(anyLiteral, (s) => { const i = pick(s.length); return s.slice(0, i) + hex(s[i], pick(2) === 0) + s.slice(i + 1); }) },
    { kind: 'percent-encoded word', path: at(anyLiteral, (s) => [...s].map((c) => hex(c)).join('')) },
    { kind: 'percent-encoded parameter', path: at(anySeg, (s) => hex(s[0]) + s.slice(1)) },
  ];
  // Upper-casing a path of digits only would leave it canonical; every spelling here must differ.
  return out.filter((v) => v.path !== path);
}

interface Probe {
  method: string;
  path: string;
  body?: unknown;
}

describe('canonical paths (issue #15 item 1)', () => {
  it('refuses every other spelling of every route, the same for every principal, and changes nothing', async () => {
    const seed = Number(process.env.SECURITY_PATH_SEED ?? Date.now() % 1_000_000);
    const pick = prng(seed);
    // The targets an attacker wants: a live invoice, a live API key, a person who is not an admin.
    const invoice = await stack.api('/api/v1/invoices', { body: sampleInvoice() });
    expect(invoice.status).toBe(202);
    await eventually(async () => ['ACCEPTED', 'AWAITING_APPROVAL', 'REJECTED'].includes((await stack.api(`/api/v1/invoices/${invoice.body.id}`)).body.status), 90_000, 250);
    const key = await stack.api('/api/v1/api-keys', { body: { name: 'path test', sourceSystem: 'erp', sellerNips: [SELLER_NIP] }, as: 'admin' });
    expect(key.status).toBe(201);
    const monitorId = stack.auth.users.monitor.id;

    const app = createApp({ prisma: stack.prisma, temporal: stack.temporal, logger: silentLogger, taskQueue: stack.taskQueue, namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233', ksefBaseUrl: stack.simulatorUrl, lifecycle: stack.lifecycle });
    const literals = routeLiterals(app, [...ACTION_NAMES, 'cancel-by-correction']);
    const fill = (p: string) =>
      p
        .replace(/^\/(api\/v1|ui)\/invoices\/\{id\}/, (m) => m.replace('{id}', invoice.body.id))
        .replace(/^\/api\/v1\/api-keys\/\{id\}/, `/api/v1/api-keys/${key.body.id}`)
        .replace(/^\/api\/v1\/users\/\{id\}/, `/api/v1/users/${monitorId}`)
        .replace('{file}', 'preact.mjs')
        .replace('{id}', NO_SUCH);
    const dangerous: Record<string, unknown> = {
      'POST /api/v1/users': { email: `intruder.${randomUUID().slice(0, 8)}@evil.example`, name: 'Intruder', password: 'a long enough passphrase', roles: ['admin'] },
      'PATCH /api/v1/users/{id}': { roles: ['admin'] },
      'POST /api/v1/api-keys': { name: 'intruder', sourceSystem: 'erp', sellerNips: [SELLER_NIP] },
      'POST /api/v1/invoices': sampleInvoice(),
      'POST /api/v1/invoices/{id}/actions/request-manual-exception': { reason: 'intruder' },
    };
    const probes: Probe[] = mountedRoutes(app)
      .flatMap((r) => (r.path.includes('{action}') ? ACTION_NAMES.map((a) => ({ ...r, path: r.path.replace('{action}', a) })) : [r]))
      .map((r) => ({ method: r.method, path: fill(r.path), body: r.method === 'GET' ? undefined : (dangerous[`${r.method} ${r.path}`] ?? {}) }));
    probes.push({ method: 'GET', path: '/ui/assets/app.js' });
    expect(probes.length).toBeGreaterThanOrEqual(65);
    for (const p of probes) expect(p.path).not.toMatch(/[{}]/);

    const headersOf = async (as: CallAs, body: unknown) => ({ ...(await stack.auth.headersFor(as)), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) });
    const call = async (p: Probe, path: string, as: CallAs): Promise<RawResponse> =>
      rawRequest(stack.apiUrl, path, { method: p.method, headers: await headersOf(as, p.body), body: p.body === undefined ? undefined : JSON.stringify(p.body) });

    // The canonical spelling is served: for every principal, a read answers as the matrix says (not the gate's 404).
    for (const p of probes.filter((x) => x.method === 'GET')) {
      for (const { as, res } of await Promise.all(PRINCIPALS.map(async (as) => ({ as, res: await call(p, p.path, as) })))) {
        expect(`${p.method} ${p.path} as ${String(as)}: ${res.body?.code ?? res.status}`).not.toContain(NON_CANONICAL_PATH);
      }
    }
    expect((await call({ method: 'GET', path: '/api/v1/users' }, '/api/v1/users', 'anonymous')).status).toBe(401);
    expect((await call({ method: 'GET', path: '/api/v1/users' }, '/api/v1/users', 'admin')).status).toBe(200);
    expect((await call({ method: 'GET', path: '/api/v1/users' }, '/api/v1/users', 'monitor')).status).toBe(403);

    const counts = async () => ({
      users: await stack.prisma.user.count(),
      admins: await stack.prisma.user.count({ where: { roles: { has: 'admin' } } }),
      monitorRoles: (await stack.prisma.user.findUniqueOrThrow({ where: { id: monitorId } })).roles,
      keys: await stack.prisma.apiKey.count(),
      revokedKeys: await stack.prisma.apiKey.count({ where: { revokedAt: { not: null } } }),
      revokedSessions: await stack.prisma.session.count({ where: { revokedAt: { not: null } } }),
      invoices: await stack.prisma.invoice.count(),
      invoiceStatus: (await stack.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.body.id } })).status,
      attachments: await stack.prisma.attachment.count(),
      counterparties: await stack.prisma.counterparty.count(),
      auditRuns: await stack.prisma.counterpartyAuditRun.count(),
      webhooks: await stack.prisma.webhookSubscription.count(),
      approvalRules: await stack.prisma.approvalRule.count(),
      responsibilityRules: await stack.prisma.responsibilityRule.count(),
    });
    const before = await counts();
    const started = new Date();

    let sent = 0;
    const kinds = new Set<string>();
    for (const p of probes) {
      for (const v of spellings(p.path, literals, pick)) {
        kinds.add(v.kind);
        const answers = new Set<string>();
        const results = await Promise.all(PRINCIPALS.map(async (as) => ({ as, res: await call(p, v.path, as) })));
        for (const { as, res } of results) {
          sent += 1;
          const what = `${p.method} ${v.path} (${v.kind} of ${p.path}) as ${String(as)}, seed ${seed}`;
          expect(`${what}: ${res.status} ${res.body?.code}`).toBe(`${what}: 404 ${NON_CANONICAL_PATH}`);
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          answers.add(res.text);
        }
        // Refused before authentication: the very same bytes whoever asks.
        expect(answers.size).toBe(1);
      }
    }
    expect(kinds.size).toBeGreaterThanOrEqual(18);
    expect(sent).toBeGreaterThan(probes.length * PRINCIPALS.length * 15);

    expect(await counts()).toEqual(before);
    const audited = await stack.prisma.auditEvent.count({ where: { at: { gte: started }, OR: [{ actor: 'anonymous' }, { actor: { startsWith: 'user:' } }, { actor: { startsWith: 'api-key:' } }] } });
    expect(audited).toBe(0);
    // The key still works: nothing revoked it.
    expect((await stack.api('/api/v1/auth/me', { as: { token: key.body.key } })).status).toBe(200);
  });

  it('names the attacks of the issue: no credentials, upper case → 404, nothing created', async () => {
    const users = await stack.prisma.user.count();
    const email = `anon.admin.${randomUUID().slice(0, 8)}@evil.example`;
    const create = await rawRequest(stack.apiUrl, '/API/v1/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, name: 'x', password: 'a long enough passphrase', roles: ['admin'] }) });
    expect([create.status, create.body.code]).toEqual([404, NON_CANONICAL_PATH]);
    expect((await rawRequest(stack.apiUrl, '/API/v1/users')).status).toBe(404);
    const monitor = { authorization: `Bearer ${stack.auth.users.monitor.token}` };
    expect((await rawRequest(stack.apiUrl, '/api/v1/Users', { headers: monitor })).status).toBe(404);
    expect((await rawRequest(stack.apiUrl, '/api/v1/Audit/export.csv', { headers: monitor })).status).toBe(404);
    expect((await rawRequest(stack.apiUrl, '/api/v1/audit/export.csv', { headers: monitor })).status).toBe(200);
    expect(await stack.prisma.user.count()).toBe(users);
    expect(await stack.prisma.user.findUnique({ where: { email } })).toBeNull();
  });

  it('answers an overlong path with 414 before authentication, and keeps the UI and health working', async () => {
    const long = await rawRequest(stack.apiUrl, `/api/v1/invoices/${'a'.repeat(5000)}`, { headers: { authorization: `Bearer ${stack.auth.users.admin.token}` } });
    expect([long.status, long.body.code]).toEqual([414, URI_TOO_LONG]);
    expect((await rawRequest(stack.apiUrl, `/api/v1/invoices/${'a'.repeat(5000)}`)).status).toBe(414);
    for (const path of ['/healthz', '/ui', '/ui/dashboard', '/ui/assets/app.js', '/ui/vendor/preact.mjs']) {
      expect(`${path} ${(await rawRequest(stack.apiUrl, path)).status}`).toBe(`${path} 200`);
    }
    // The query string is not the path: any spelling there is the route's business.
    expect((await rawRequest(stack.apiUrl, '/api/v1/invoices?q=%2E%2e;x//Y', { headers: { authorization: `Bearer ${stack.auth.users.monitor.token}` } })).status).toBe(200);
  });
});
