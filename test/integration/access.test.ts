/**
 * Roles and permissions over HTTP: the whole authorisation matrix (every role × every action →
 * allowed or 403), anonymous → 401, sign-in/out with sessions, API keys confined to their source
 * system and seller NIPs, rotation and revocation, and the first-admin bootstrap.
 */
import pino from 'pino';
import { bootstrapAdmin } from '../../api/auth/bootstrap';
import { ACTIONS, PERMISSIONS, type Action } from '../../api/auth/matrix';
import { ROLES, type RoleName } from '../../prisma/access-repository';
import { TEST_PASSWORD, type CallAs } from '../support/auth';
import { SELLER_NIP, sampleInvoice } from '../support/invoices';
import { startStack, type TestStack } from '../support/stack';

jest.setTimeout(300000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const NO_SUCH_INVOICE = '00000000-0000-5000-8000-000000000000';

/** One representative request per action; when allowed it fails later (400/404) or reads, never changes much. */
const PROBES: Record<Action, { method: string; path: string; body?: unknown }> = {
  'invoice.submit': { method: 'POST', path: '/api/v1/invoices', body: {} },
  'invoice.read': { method: 'GET', path: `/api/v1/invoices/${NO_SUCH_INVOICE}` },
  'invoice.list': { method: 'GET', path: '/api/v1/invoices?limit=1' },
  'dashboard.read': { method: 'GET', path: '/api/v1/dashboard' },
  'invoice.correct': { method: 'POST', path: `/api/v1/invoices/${NO_SUCH_INVOICE}/actions/correct`, body: {} },
  'invoice.force-retry': { method: 'POST', path: `/api/v1/invoices/${NO_SUCH_INVOICE}/actions/force-retry`, body: {} },
  'invoice.request-manual-exception': { method: 'POST', path: `/api/v1/invoices/${NO_SUCH_INVOICE}/actions/request-manual-exception`, body: {} },
  'invoice.approve-manual-exception': { method: 'POST', path: `/api/v1/invoices/${NO_SUCH_INVOICE}/actions/approve-manual-exception`, body: {} },
  'invoice.approve': { method: 'POST', path: `/api/v1/invoices/${NO_SUCH_INVOICE}/actions/approve`, body: {} },
  'invoice.reject-approval': { method: 'POST', path: `/api/v1/invoices/${NO_SUCH_INVOICE}/actions/reject-approval`, body: {} },
  'invoice.cancel': { method: 'POST', path: `/api/v1/invoices/${NO_SUCH_INVOICE}/actions/cancel`, body: {} },
  'audit.read': { method: 'GET', path: '/api/v1/audit?limit=1' },
  'reports.read': { method: 'GET', path: '/api/v1/reports/bus-factor' },
  'alerts.read': { method: 'GET', path: '/api/v1/alerts?limit=1' },
  'users.manage': { method: 'GET', path: '/api/v1/users' },
  'api-keys.manage': { method: 'GET', path: '/api/v1/api-keys' },
  'responsibility.read': { method: 'GET', path: '/api/v1/responsibility-rules' },
  'responsibility.manage': { method: 'POST', path: '/api/v1/responsibility-rules', body: {} },
  'rules.read': { method: 'GET', path: '/api/v1/approval-rules' },
  'rules.manage': { method: 'POST', path: '/api/v1/approval-rules', body: {} },
  'webhooks.read': { method: 'GET', path: '/api/v1/webhooks/deliveries?limit=1' },
  'webhooks.manage': { method: 'POST', path: '/api/v1/webhooks', body: {} },
  'imports.manage': { method: 'POST', path: '/api/v1/imports/backfill', body: {} },
  'attachments.manage': { method: 'POST', path: '/api/v1/attachments', body: {} },
  'counterparties.read': { method: 'GET', path: '/api/v1/counterparties?limit=1' },
  'counterparties.manage': { method: 'POST', path: '/api/v1/counterparties', body: {} },
  'registry.read': { method: 'GET', path: '/api/v1/some-future-view' },
};

const CALLERS: Array<{ label: string; as: CallAs; roles: RoleName[] }> = [
  ...ROLES.map((r) => ({ label: r, as: r as CallAs, roles: [r] })),
  { label: 'sender API key', as: 'sender-key', roles: ['sender'] },
];

describe('authorisation matrix over HTTP', () => {
  it('has a probe for every action in the matrix', () => {
    expect(Object.keys(PROBES).sort()).toEqual([...ACTIONS].sort());
  });

  it('allows exactly what the matrix says, for every role and every action, and refuses the rest with 403', async () => {
    const table: string[] = [];
    for (const action of ACTIONS) {
      const probe = PROBES[action];
      for (const caller of CALLERS) {
        const res = await stack.api(probe.path, { method: probe.method, body: probe.body, as: caller.as });
        const allowed = caller.roles.some((r) => (PERMISSIONS[action] as readonly string[]).includes(r));
        table.push(`${action} × ${caller.label}: ${res.status}`);
        if (allowed) {
          expect(res.status === 401 || res.status === 403 ? `${action} × ${caller.label} refused: ${JSON.stringify(res.body)}` : 'ok').toBe('ok');
        } else {
          expect(`${action} × ${caller.label}: ${res.status} ${res.body?.code}`).toBe(`${action} × ${caller.label}: 403 KSEFOPS_FORBIDDEN`);
        }
      }
    }
    expect(table).toHaveLength(ACTIONS.length * CALLERS.length);
  });

  it('answers 401 to anonymous callers everywhere except sign-in and health', async () => {
    for (const action of ACTIONS) {
      const probe = PROBES[action];
      const res = await stack.api(probe.path, { method: probe.method, body: probe.body, as: 'anonymous' });
      expect(`${action}: ${res.status} ${res.body?.code}`).toBe(`${action}: 401 KSEFOPS_UNAUTHENTICATED`);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
    }
    expect((await stack.api('/healthz', { as: 'anonymous' })).status).toBe(200);
    const bad = await stack.api('/api/v1/invoices', { method: 'GET', as: { token: 'kss_not-a-real-token' } });
    expect(bad.status).toBe(401);
  });

  it('refuses writes to routes that are not in the matrix', async () => {
    const res = await stack.api('/api/v1/some-future-view', { method: 'POST', body: {}, as: 'admin' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('KSEFOPS_NOT_IN_MATRIX');
  });
});

describe('people: sign-in, sessions, user management', () => {
  it('signs in with email + password, uses the token as Bearer and as HttpOnly cookie, signs out', async () => {
    const login = await stack.api('/api/v1/auth/login', { body: { email: stack.auth.users.monitor.email, password: TEST_PASSWORD }, as: 'anonymous' });
    expect(login.status).toBe(200);
    expect(login.body.token).toMatch(/^kss_/);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/ksefops_session=kss_/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);

    const me = await stack.api('/api/v1/auth/me', { as: { token: login.body.token } });
    expect(me.body).toMatchObject({ kind: 'user', email: stack.auth.users.monitor.email, roles: ['monitor'] });
    expect(me.body.allowedActions).toContain('audit.read');
    expect(me.body.allowedActions).not.toContain('invoice.approve');

    const viaCookie = await stack.api('/api/v1/audit?limit=1', { as: 'anonymous', headers: { cookie: cookie.split(';')[0] } });
    expect(viaCookie.status).toBe(200);

    expect((await stack.api('/api/v1/auth/logout', { method: 'POST', as: { token: login.body.token } })).status).toBe(204);
    expect((await stack.api('/api/v1/auth/me', { as: { token: login.body.token } })).status).toBe(401);

    const wrong = await stack.api('/api/v1/auth/login', { body: { email: stack.auth.users.monitor.email, password: 'wrong password!!' }, as: 'anonymous' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('KSEFOPS_LOGIN_FAILED');
    const audit = await stack.api(`/api/v1/audit?action=auth.login&targetId=${encodeURIComponent(stack.auth.users.monitor.email)}`, { as: 'monitor' });
    expect(audit.body.items.map((e: { result: string }) => e.result)).toEqual(['failed', 'ok']);
  });

  it('locks sign-in after repeated failures', async () => {
    const victim = await stack.auth.person('locked', ['monitor']);
    for (let i = 0; i < 5; i++) {
      expect((await stack.api('/api/v1/auth/login', { body: { email: victim.email, password: 'not the password' }, as: 'anonymous' })).status).toBe(401);
    }
    const locked = await stack.api('/api/v1/auth/login', { body: { email: victim.email, password: TEST_PASSWORD }, as: 'anonymous' });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('KSEFOPS_LOGIN_LOCKED');
  });

  it('lets an admin create people and change roles; a removed role stops working at once; changes are audited', async () => {
    const email = `new.person.${stack.auth.tag}@test.ksef-ops.local`;
    const weak = await stack.api('/api/v1/users', { body: { email, name: 'New Person', password: 'short', roles: ['monitor'] }, as: 'admin' });
    expect(weak.status).toBe(400);
    const created = await stack.api('/api/v1/users', { body: { email, name: 'New Person', password: 'a long enough passphrase', roles: ['monitor'] }, as: 'admin' });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('passwordHash');
    const login = await stack.api('/api/v1/auth/login', { body: { email, password: 'a long enough passphrase' }, as: 'anonymous' });
    expect(login.status).toBe(200);
    expect((await stack.api('/api/v1/audit?limit=1', { as: { token: login.body.token } })).status).toBe(200);

    const changed = await stack.api(`/api/v1/users/${created.body.id}`, { method: 'PATCH', body: { roles: ['corrector'] }, as: 'admin' });
    expect(changed.status).toBe(200);
    expect(changed.body.roles).toEqual(['corrector']);
    expect((await stack.api('/api/v1/audit?limit=1', { as: { token: login.body.token } })).status).toBe(401);

    const audit = await stack.api(`/api/v1/audit?targetType=user&targetId=${created.body.id}`, { as: 'admin' });
    const update = audit.body.items.find((e: { action: string }) => e.action === 'user.update');
    expect(update.details.before.roles).toEqual(['monitor']);
    expect(update.details.after.roles).toEqual(['corrector']);
    expect(update.actor).toBe(`user:${stack.auth.users.admin.id}`);
    expect(update.actorLabel).toBe(stack.auth.users.admin.email);
  });

  it('creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD only when no user exists', async () => {
    const logger = pino({ level: 'silent' });
    // This database has users already: the bootstrap must not add another admin.
    expect(await bootstrapAdmin(stack.prisma, logger, { email: 'boot@example.test', password: 'a long enough passphrase' })).toBe('skipped');
    expect(await stack.prisma.user.findUnique({ where: { email: 'boot@example.test' } })).toBeNull();
  });
});

describe('source systems: API keys', () => {
  it('lets a key submit and read only its own source system and seller NIPs', async () => {
    const own = sampleInvoice();
    const submitted = await stack.api('/api/v1/invoices', { body: own, as: 'sender-key' });
    expect(submitted.status).toBe(202);
    expect((await stack.api(`/api/v1/invoices/${submitted.body.id}`, { as: 'sender-key' })).status).toBe(200);

    const foreignSource = await stack.api('/api/v1/invoices', { body: sampleInvoice({ sourceSystem: 'crm' }), as: 'sender-key' });
    expect(foreignSource.status).toBe(403);
    expect(foreignSource.body.code).toBe('KSEFOPS_SCOPE_VIOLATION');
    const foreignSeller = await stack.api('/api/v1/invoices', { body: { ...sampleInvoice(), seller: { ...own.seller, nip: '7740001454' } }, as: 'sender-key' });
    expect(foreignSeller.status).toBe(403);

    // Someone else's invoice is invisible to the key, exactly like a missing one.
    const other = await stack.api('/api/v1/invoices', { body: sampleInvoice({ sourceSystem: `other-${stack.auth.tag}` }) });
    expect(other.status).toBe(202);
    const hidden = await stack.api(`/api/v1/invoices/${other.body.id}`, { as: 'sender-key' });
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('INVOICE_NOT_FOUND');
    expect((await stack.api('/api/v1/invoices?limit=5', { as: 'sender-key' })).status).toBe(403);

    const received = await stack.prisma.auditEvent.findFirst({ where: { action: 'invoice.received', targetId: submitted.body.id } });
    expect(received?.actor).toMatch(/^api-key:[0-9a-f]{12}$/);
  });

  it('rotates keys without downtime (two live keys), records last use, and revokes', async () => {
    const source = `rotate-${stack.auth.tag}`;
    const first = await stack.api('/api/v1/api-keys', { body: { name: 'v1', sourceSystem: source, sellerNips: [SELLER_NIP] }, as: 'admin' });
    expect(first.status).toBe(201);
    expect(first.body.key).toMatch(/^ksk_/);
    const second = await stack.api('/api/v1/api-keys', { body: { name: 'v2', sourceSystem: source, sellerNips: [SELLER_NIP] }, as: 'admin' });
    for (const key of [first.body.key, second.body.key]) {
      const res = await stack.api('/api/v1/invoices', { body: sampleInvoice({ sourceSystem: source }), as: { token: key } });
      expect(res.status).toBe(202);
    }
    const listed = await stack.api(`/api/v1/api-keys?sourceSystem=${source}`, { as: 'admin' });
    expect(listed.body.items).toHaveLength(2);
    for (const k of listed.body.items) {
      expect(k.lastUsedAt).not.toBeNull();
      expect(k).not.toHaveProperty('keyHash');
      expect(k).not.toHaveProperty('key');
    }
    expect((await stack.api(`/api/v1/api-keys/${first.body.id}/revoke`, { method: 'POST', as: 'admin' })).status).toBe(200);
    expect((await stack.api('/api/v1/invoices', { body: sampleInvoice({ sourceSystem: source }), as: { token: first.body.key } })).status).toBe(401);
    expect((await stack.api('/api/v1/invoices', { body: sampleInvoice({ sourceSystem: source }), as: { token: second.body.key } })).status).toBe(202);
    const stored = await stack.prisma.apiKey.findUnique({ where: { id: first.body.id } });
    expect(stored?.keyHash).not.toContain(first.body.key.slice(4));
    const audit = await stack.api(`/api/v1/audit?targetType=api-key&targetId=${first.body.id}`, { as: 'admin' });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['api-key.revoke', 'api-key.create']);
  });
});
