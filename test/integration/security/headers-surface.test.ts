/**
 * Issue #15 item 8, on the real stack: security headers on the UI and the API (the gate's refusals
 * included); attachment downloads that a browser can never render as a page of ours; bodies over a
 * small limit refused before authentication; an HTTP log without query strings; and the
 * simulator's /_sim admin refusing cross-origin browser requests.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createApp } from '../../../api/app';
import { LENGTH_REQUIRED, PAYLOAD_TOO_LARGE_UNAUTHENTICATED, PRE_AUTH_BODY_LIMIT } from '../../../api/auth/body-limit';
import { createBlobStorage } from '../../../storage';
import { startStack, type TestStack } from '../../support/stack';
import { closeRawAgent, rawRequest } from './raw-http';

jest.setTimeout(300_000);

let stack: TestStack;
let storageDir: string;
beforeAll(async () => {
  storageDir = await mkdtemp(path.join(os.tmpdir(), 'ksefops-headers-'));
  stack = await startStack({
    // A deployment that lets people store HTML and SVG (someone will): downloads must stay inert.
    attachments: { storage: createBlobStorage({ kind: 'local', dir: storageDir }), limits: { maxBytes: 1024 * 1024, contentTypes: ['application/pdf', 'text/html', 'image/svg+xml'] } },
  });
});
afterAll(async () => {
  closeRawAgent();
  await stack?.stop();
  await rm(storageDir, { recursive: true, force: true });
});

const MB = 1024 * 1024;

describe('security headers', () => {
  it('sends CSP, nosniff, no framing and no referrer on the UI, the API and the gate\'s refusals', async () => {
    const ui = await rawRequest(stack.apiUrl, '/ui/dashboard');
    expect(ui.status).toBe(200);
    const uiCsp = String(ui.headers['content-security-policy']);
    expect(uiCsp).toContain("default-src 'self'");
    expect(uiCsp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]{44}'/);
    expect(uiCsp).not.toContain('unsafe-inline');
    expect(uiCsp).not.toContain('unsafe-eval');
    expect(uiCsp).toContain("frame-ancestors 'none'");
    expect(uiCsp).toContain("object-src 'none'");
    const api = await rawRequest(stack.apiUrl, '/api/v1/invoices?limit=1', { headers: { authorization: `Bearer ${stack.auth.users.monitor.token}` } });
    expect(api.status).toBe(200);
    const apiCsp = String(api.headers['content-security-policy']);
    expect(apiCsp).toContain("default-src 'none'");
    expect(apiCsp).toContain("frame-ancestors 'none'");
    expect(apiCsp).toContain('sandbox');
    const refused = await rawRequest(stack.apiUrl, '/API/v1/invoices');
    const unauthenticated = await rawRequest(stack.apiUrl, '/api/v1/invoices');
    for (const res of [ui, api, refused, unauthenticated]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });
});

describe('attachment downloads', () => {
  async function upload(name: string, type: string, content: string) {
    const form = new FormData();
    form.append('file', new Blob([content], { type }), name);
    const res = await fetch(`${stack.apiUrl}/api/v1/attachments`, { method: 'POST', body: form, headers: await stack.auth.headersFor('corrector') });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  it('serves stored HTML and SVG as opaque bytes to save, never as a page; a PDF keeps its type', async () => {
    const html = await upload('invoice.html', 'text/html', '<script>fetch("/api/v1/api-keys",{method:"POST"})</script>');
    const svg = await upload('logo.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    const pdf = await upload('umowa.pdf', 'application/pdf', '%PDF-1.4\n%%EOF\n');
    for (const id of [html, svg]) {
      const res = await rawRequest(stack.apiUrl, `/api/v1/attachments/${id}/content`, { headers: await stack.auth.headersFor('operator') });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename=/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain('sandbox');
    }
    const meta = await stack.api(`/api/v1/attachments/${html}`);
    expect(meta.body.contentType).toBe('text/html');
    const doc = await rawRequest(stack.apiUrl, `/api/v1/attachments/${pdf}/content`, { headers: await stack.auth.headersFor('operator') });
    expect(doc.headers['content-type']).toBe('application/pdf');
    expect(doc.headers['content-disposition']).toMatch(/^attachment;/);
    // The file name's extension does not choose the type either.
    const disguised = await upload('raport.html', 'application/pdf', '%PDF-1.4\n%%EOF\n');
    expect((await rawRequest(stack.apiUrl, `/api/v1/attachments/${disguised}/content`, { headers: await stack.auth.headersFor('operator') })).headers['content-type']).toBe('application/pdf');
  });
});

describe('request bodies before authentication', () => {
  const big = JSON.stringify({ email: 'x@example.com', name: 'x', password: 'a long enough passphrase', roles: ['admin'], pad: 'x'.repeat(MB) });

  it('refuses an anonymous 1 MB JSON body with 413 before authentication (not 401 after parsing it)', async () => {
    const users = await stack.prisma.user.count();
    for (const p of ['/api/v1/users', '/api/v1/auth/login', '/api/v1/invoices']) {
      const res = await rawRequest(stack.apiUrl, p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      expect(`${p} ${res.status} ${res.body?.code}`).toBe(`${p} 413 ${PAYLOAD_TOO_LARGE_UNAUTHENTICATED}`);
      expect(res.body.errors[0]).toMatchObject({ path: [], code: PAYLOAD_TOO_LARGE_UNAUTHENTICATED });
    }
    // Made-up credentials are no credentials.
    const bogus = await rawRequest(stack.apiUrl, '/api/v1/users', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer kss_made-up' }, body: big });
    expect([bogus.status, bogus.body.code]).toEqual([413, PAYLOAD_TOO_LARGE_UNAUTHENTICATED]);
    const chunked = await fetch(`${stack.apiUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([JSON.stringify({ email: 'a@b.c', password: 'x' })]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
    expect(((await chunked.json()) as { code: string }).code).toBe(LENGTH_REQUIRED);
    expect(await stack.prisma.user.count()).toBe(users);
    // Small anonymous bodies still reach sign-in.
    const login = await stack.api('/api/v1/auth/login', { body: { email: stack.auth.users.monitor.email, password: 'not the password' }, as: 'anonymous' });
    expect([login.status, login.body.code]).toEqual([401, 'KSEFOPS_LOGIN_FAILED']);
    expect(Buffer.byteLength(big)).toBeGreaterThan(PRE_AUTH_BODY_LIMIT);
  });

  it('reads a large body of a signed-in caller and still refuses one over the route limit', async () => {
    const signedIn = await rawRequest(stack.apiUrl, '/api/v1/counterparties', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.auth.senderKey}` }, body: JSON.stringify({ nip: '5260001246', name: 'x'.repeat(MB) }) });
    expect(signedIn.status).toBe(400);
    expect(signedIn.body.code).not.toBe(PAYLOAD_TOO_LARGE_UNAUTHENTICATED);
    const huge = await rawRequest(stack.apiUrl, '/api/v1/counterparties', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.auth.senderKey}` }, body: JSON.stringify({ name: 'x'.repeat(6 * MB) }) });
    expect([huge.status, huge.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});

describe('HTTP log', () => {
  it('records the path without the query string (tokens and search terms stay out of the log)', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const app = createApp({ prisma: stack.prisma, temporal: stack.temporal, logger: pino({ level: 'info' }, sink), taskQueue: stack.taskQueue, namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233', ksefBaseUrl: stack.simulatorUrl, lifecycle: stack.lifecycle });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const secret = `SECRET-${randomUUID()}`;
      await rawRequest(url, `/api/v1/invoices?q=5260001246&token=${secret}`, { headers: { authorization: `Bearer ${stack.auth.users.monitor.token}` } });
      await rawRequest(url, `/API/v1/invoices?access_token=${secret}`);
      await rawRequest(url, `/api/v1/audit/export.csv?password=${secret}`);
      await new Promise((r) => setTimeout(r, 50));
      const http = lines.filter((l) => l.msg === 'http');
      expect(http.map((l) => [l.method, l.path, l.status])).toEqual([
        // Refused for its unknown parameter (token): logged all the same, without it.
        ['GET', '/api/v1/invoices', 400],
        ['GET', '/API/v1/invoices', 404],
        ['GET', '/api/v1/audit/export.csv', 401],
      ]);
      expect(JSON.stringify(lines)).not.toContain(secret);
      expect(JSON.stringify(lines)).not.toContain('5260001246');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('simulator /_sim admin', () => {
  const sim = (p: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => rawRequest(stack.simulatorRootUrl, p, init);

  it('refuses cross-origin browser requests and non-JSON writes; scripts and same-origin pages keep working', async () => {
    const put = (headers: Record<string, string>) => sim('/_sim/faults', { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ latencyMs: 3 }) });
    expect((await put({})).status).toBe(200);
    const before = (await sim('/_sim/faults')).body;
    expect(before).toMatchObject({ latencyMs: 3 });

    const attempts = [
      await sim('/_sim/reset', { method: 'POST', headers: { origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' } }),
      await sim('/_sim/reset', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } }),
      await sim('/_sim/reset', { method: 'POST', headers: { origin: 'https://evil.example' } }),
      await sim('/_sim/reset', { method: 'POST', headers: { origin: 'null' } }),
      await sim('/_sim/faults', { method: 'DELETE', headers: { origin: 'http://localhost:9' } }),
      await sim('/_sim/faults', { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: '{"latencyMs":0}' }),
      await sim('/_sim/ledger', { headers: { 'sec-fetch-site': 'cross-site' } }),
    ];
    expect(attempts.map((r) => [r.status, r.body?.error])).toEqual(attempts.map(() => [403, 'cross_origin_admin_request']));
    expect((await sim('/_sim/faults')).body).toEqual(before);

    const sameOrigin = await sim('/_sim/faults', { method: 'DELETE', headers: { origin: stack.simulatorRootUrl, 'sec-fetch-site': 'same-origin' } });
    expect(sameOrigin.status).toBeLessThan(300);
    expect((await sim('/_sim/faults')).body).not.toMatchObject({ latencyMs: 3 });
  });
});
