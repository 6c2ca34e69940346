/**
 * Issue #15 item 3: cross-site request forgery from a same-site origin, in Chromium. An admin is
 * signed in to the UI (session cookie, SameSite=Strict); a hostile page on another port of the
 * same host — same-site, so the browser attaches the cookie — auto-submits a form and fires a
 * credentialed fetch that would revoke API keys. Both are refused and the keys stay live. The UI's
 * own calls (same origin) still work, and bearer-token and API-key calls without Origin are untouched.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { CROSS_SITE_REQUEST } from '../../../api/auth/csrf';
import { TEST_PASSWORD } from '../../support/auth';
import { SELLER_NIP } from '../../support/invoices';
import { startStack, type TestStack } from '../../support/stack';
import { keepLastState, launchChromium, openDesktopPage } from '../../browser/chromium';

jest.setTimeout(300_000);

let stack: TestStack;
let browser: Browser;
let page: Page;
let hostile: http.Server;
let hostileUrl: string;
/** What the hostile page should do, set per test: its HTML. */
let hostilePage = '<p>nothing</p>';
const cspViolations: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  hostile = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(hostilePage);
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  // Same host, another port: a different origin but the same site, so SameSite=Strict does not help.
  hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await openDesktopPage(browser);
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
});
afterEach(() => keepLastState(page));
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (hostile ? hostile.close(() => resolve()) : resolve()));
  await stack?.stop();
});

async function newKey(name: string): Promise<{ id: string; key: string }> {
  const res = await stack.api('/api/v1/api-keys', { body: { name, sourceSystem: 'erp', sellerNips: [SELLER_NIP] }, as: 'admin' });
  expect(res.status).toBe(201);
  return res.body;
}

async function revokedAt(id: string) {
  return (await stack.prisma.apiKey.findUniqueOrThrow({ where: { id } })).revokedAt;
}

async function signInAsAdmin() {
  const admin = await stack.auth.person('csrf-admin', ['admin']);
  await page.goto(`${stack.apiUrl}/ui`);
  await page.locator('[data-testid="sign-out"], [data-testid="login-email"]').first().waitFor();
  if (!(await page.getByTestId('login-email').isVisible())) return;
  await page.getByTestId('login-email').fill(admin.email);
  await page.getByTestId('login-password').fill(TEST_PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe('csrf-admin');
  const cookies = await page.context().cookies(stack.apiUrl);
  expect(cookies.find((c) => c.name === 'ksefops_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
}

describe('CSRF from a same-site origin (issue #15 item 3)', () => {
  it('refuses a hostile page\'s auto-submitted form and credentialed fetch; the keys stay live', async () => {
    await signInAsAdmin();
    const formTarget = await newKey('csrf form target');
    const fetchTarget = await newKey('csrf fetch target');

    hostilePage = `<!doctype html><body>
      <form id="f" method="POST" action="${stack.apiUrl}/api/v1/api-keys/${formTarget.id}/revoke" enctype="text/plain">
        <input name='{"x":"' value='"}'>
      </form>
      <script>
        fetch(${JSON.stringify(`${stack.apiUrl}/api/v1/api-keys/${fetchTarget.id}/revoke`)}, { method: 'POST', mode: 'no-cors', credentials: 'include' })
          .finally(() => document.getElementById('f').submit());
      </script></body>`;
    // The fetch's answer never reaches the page (no-cors, and Cross-Origin-Resource-Policy: same-origin):
    // what counts is that the browser sent it, with the cookie, and that nothing changed.
    const fetchSent = page.waitForRequest((r) => r.url().endsWith(`/${fetchTarget.id}/revoke`));
    const formAnswer = page.waitForResponse((r) => r.url().endsWith(`/${formTarget.id}/revoke`) && r.request().isNavigationRequest());
    await page.goto(hostileUrl);
    const form = await formAnswer;
    // The browser did send the session cookie (same-site): only the new check stands in the way.
    expect(await form.request().headerValue('cookie')).toContain('ksefops_session=');
    expect(await form.request().headerValue('sec-fetch-site')).toBe('same-site');
    expect(form.status()).toBe(403);
    expect(JSON.parse(await form.text())).toMatchObject({ code: CROSS_SITE_REQUEST });
    const fetched = await fetchSent;
    expect(fetched.method()).toBe('POST');

    expect(await revokedAt(formTarget.id)).toBeNull();
    expect(await revokedAt(fetchTarget.id)).toBeNull();
    expect((await stack.api('/api/v1/auth/me', { as: { token: formTarget.key } })).status).toBe(200);
    expect((await stack.api('/api/v1/auth/me', { as: { token: fetchTarget.key } })).status).toBe(200);
    const audit = await stack.prisma.auditEvent.count({ where: { action: 'api-key.revoke', targetId: { in: [formTarget.id, fetchTarget.id] } } });
    expect(audit).toBe(0);
  });

  it('lets the UI\'s own same-origin calls change state with the cookie', async () => {
    await signInAsAdmin();
    const own = await newKey('revoked by the UI origin');
    const answer = await page.evaluate(async (id) => {
      const res = await fetch(`/api/v1/api-keys/${id}/revoke`, { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' } });
      return { status: res.status, body: (await res.json()) as { revokedAt: string | null } };
    }, own.id);
    expect(answer.status).toBe(200);
    expect(answer.body.revokedAt).not.toBeNull();
    expect(await revokedAt(own.id)).not.toBeNull();
  });

  it('leaves bearer-token and API-key calls without Origin alone, and refuses a bare cookie that cannot say where it came from', async () => {
    const byBearer = await newKey('revoked by bearer');
    // No Origin, no Sec-Fetch-Site (a server-side client): Authorization is no ambient credential.
    const revoke = await stack.api(`/api/v1/api-keys/${byBearer.id}/revoke`, { method: 'POST', as: 'admin' });
    expect(revoke.status).toBe(200);
    const viaHeaderKey = await stack.api('/api/v1/counterparties', { body: {}, as: 'anonymous', headers: { 'x-api-key': stack.auth.senderKey } });
    expect(viaHeaderKey.status).toBe(400);
    const viaBearerFromAnotherSite = await stack.api('/api/v1/counterparties', { body: {}, as: 'sender-key', headers: { origin: hostileUrl, 'sec-fetch-site': 'same-site' } });
    expect(viaBearerFromAnotherSite.status).toBe(400);

    const victim = await newKey('cookie without origin');
    const cookie = { cookie: `ksefops_session=${stack.auth.users.admin.token}` };
    const bare = await stack.api(`/api/v1/api-keys/${victim.id}/revoke`, { method: 'POST', as: 'anonymous', headers: cookie });
    expect([bare.status, bare.body.code]).toEqual([403, CROSS_SITE_REQUEST]);
    const foreign = await stack.api(`/api/v1/api-keys/${victim.id}/revoke`, { method: 'POST', as: 'anonymous', headers: { ...cookie, origin: hostileUrl } });
    expect([foreign.status, foreign.body.code]).toEqual([403, CROSS_SITE_REQUEST]);
    const nullOrigin = await stack.api(`/api/v1/api-keys/${victim.id}/revoke`, { method: 'POST', as: 'anonymous', headers: { ...cookie, origin: 'null' } });
    expect(nullOrigin.status).toBe(403);
    expect(await revokedAt(victim.id)).toBeNull();
    // Reads with the cookie need no proof: they change nothing.
    expect((await stack.api('/api/v1/api-keys', { as: 'anonymous', headers: cookie })).status).toBe(200);
    // An old browser without fetch metadata, on our own origin: Origin names this host.
    const own = await stack.api(`/api/v1/api-keys/${victim.id}/revoke`, { method: 'POST', as: 'anonymous', headers: { ...cookie, origin: stack.apiUrl } });
    expect(own.status).toBe(200);
  });

  it('refuses a cross-site sign-in form (login CSRF) but not a sign-in from a script', async () => {
    const crossSite = await stack.api('/api/v1/auth/login', { body: { email: stack.auth.users.monitor.email, password: TEST_PASSWORD }, as: 'anonymous', headers: { 'sec-fetch-site': 'same-site' } });
    expect([crossSite.status, crossSite.body.code]).toEqual([403, CROSS_SITE_REQUEST]);
    const script = await stack.api('/api/v1/auth/login', { body: { email: stack.auth.users.monitor.email, password: TEST_PASSWORD }, as: 'anonymous' });
    expect(script.status).toBe(200);
  });

  it('keeps a hostile page from resetting the KSeF simulator through /_sim (issue #15 item 8)', async () => {
    const sim = (p: string, init: RequestInit = {}) => fetch(`${stack.simulatorRootUrl}${p}`, init);
    expect((await sim('/_sim/faults', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 2 }) })).status).toBe(200);
    hostilePage = `<!doctype html><body><form id="f" method="POST" action="${stack.simulatorRootUrl}/_sim/reset"></form><script>document.getElementById('f').submit()</script></body>`;
    const answer = page.waitForResponse((r) => r.url() === `${stack.simulatorRootUrl}/_sim/reset`);
    await page.goto(hostileUrl);
    expect((await answer).status()).toBe(403);
    expect(((await (await sim('/_sim/faults')).json()) as { latencyMs?: number }).latencyMs).toBe(2);
    await sim('/_sim/faults', { method: 'DELETE' });
  });

  it('runs the UI under its Content-Security-Policy without a single violation', async () => {
    cspViolations.length = 0;
    await signInAsAdmin();
    for (const [path, testId] of [['/ui', 'signed-in-as'], ['/ui/dashboard', 'signed-in-as'], ['/ui/counterparties', 'signed-in-as']] as const) {
      await page.goto(`${stack.apiUrl}${path}`);
      await page.getByTestId(testId).waitFor();
      await page.waitForLoadState('networkidle');
    }
    const policy = await page.evaluate(async () => (await fetch('/ui')).headers.get('content-security-policy'));
    expect(policy).toContain("script-src 'self' 'sha256-");
    expect(cspViolations).toEqual([]);
  });
});
