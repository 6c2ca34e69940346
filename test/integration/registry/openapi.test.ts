import { randomUUID } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import pg from 'pg';
import { seedRegistry, seedRows } from '../../../bench/seed-registry';
import { createApp } from '../../../api/app';
import { ACTION_NAMES } from '../../../api/registry/actions';
import { mountedRoutes } from '../../../api/route-inventory';
import { sampleInvoice } from '../../support/invoices';
import { eventually, silentLogger, startStack, testEnv, type TestStack } from '../../support/stack';

let stack: TestStack;
let doc: any;
let ajv: Ajv2020;

const OWN_ROUTES = [
  'GET /healthz',
  'GET /readyz',
  'GET /api/openapi.json',
  'POST /api/v1/invoices',
  'GET /api/v1/invoices',
  'GET /api/v1/invoices/{id}',
  'GET /api/v1/invoices/{id}/upo',
  ...['approve', 'reject-approval', 'correct', 'force-retry', 'request-manual-exception', 'approve-manual-exception', 'cancel'].map(
    (a) => `POST /api/v1/invoices/{id}/actions/${a}`,
  ),
  'GET /api/v1/dashboard',
];

beforeAll(async () => {
  stack = await startStack();
  const res = await stack.api('/api/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // The document is the root that "#/components/schemas/…" refs resolve against.
  ajv.addSchema(doc, 'openapi.json');
});
afterAll(async () => {
  await stack?.stop();
});

function operations(): Array<{ key: string; method: string; path: string; op: any }> {
  return Object.entries(doc.paths).flatMap(([path, item]: [string, any]) =>
    Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op })),
  );
}

function expectValid(component: string, value: unknown) {
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${component}`)!;
  const ok = validate(value);
  expect({ component, ok, errors: ok ? null : validate.errors }).toEqual({ component, ok: true, errors: null });
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists the registry, submission, dashboard and health routes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(operations().map((o) => o.key)).toEqual(expect.arrayContaining(OWN_ROUTES));
  });

  it('documents every mounted API route (walked from the app itself), so the document cannot drift', () => {
    // The same app the stack serves, built from the same real clients; only its router table is read.
    const app = createApp({ prisma: stack.prisma, temporal: stack.temporal, logger: silentLogger, taskQueue: stack.taskQueue, namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233', ksefBaseUrl: stack.simulatorUrl, lifecycle: stack.lifecycle });
    const routes = mountedRoutes(app).flatMap(({ method, path }) =>
      // One generic route serves the named actions; each action is its own documented operation.
      path === '/api/v1/invoices/{id}/actions/{action}' ? ACTION_NAMES.map((a) => `${method} /api/v1/invoices/{id}/actions/${a}`) : [`${method} ${path}`],
    );
    // The web UI's HTML pages and vendored scripts are not API operations.
    const api = routes.filter((r) => !/^GET \/ui(\/|$)/.test(r));
    expect(routes.length - api.length).toBeGreaterThanOrEqual(3);
    expect(api.length).toBeGreaterThanOrEqual(60);
    const documented = new Set(operations().map((o) => o.key));
    expect(api.filter((r) => !documented.has(r))).toEqual([]);
    expect(api).toEqual(
      expect.arrayContaining(['POST /api/v1/counterparties', 'POST /api/v1/counterparties/import', 'GET /api/v1/counterparties', 'GET /api/v1/reports/counterparties', 'POST /api/v1/reports/counterparties/run']),
    );
  });

  it('documents the FA(3) XML body of POST /api/v1/invoices next to the JSON model', () => {
    const submit = operations().find((o) => o.key === 'POST /api/v1/invoices')!.op;
    expect(Object.keys(submit.requestBody.content)).toEqual(['application/json', 'application/xml']);
    expect(submit.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Invoice' });
    expect(submit.requestBody.content['application/xml'].schema.type).toBe('string');
    expect(submit.parameters.map((p: any) => p.name)).toContain('sourceSystem');
  });

  it('documents counterparty bodies and the audit report from the zod schemas', async () => {
    const upsert = operations().find((o) => o.key === 'POST /api/v1/counterparties')!.op;
    expect(upsert.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CounterpartyInput' });
    const bulk = operations().find((o) => o.key === 'POST /api/v1/counterparties/import')!.op;
    expect(Object.keys(bulk.requestBody.content)).toEqual(['application/json', 'text/csv']);
    expect(doc.components.schemas.Invoice.properties).toHaveProperty('thirdParties');
    const report = await stack.api('/api/v1/reports/counterparties/run', { method: 'POST' });
    expect(report.status).toBe(201);
    expectValid('CounterpartyAuditReport', report.body);
    expectValid('CounterpartyAuditReport', (await stack.api('/api/v1/reports/counterparties')).body);
  });

  it('is well formed: unique operation ids, declared path parameters, responses everywhere, every $ref resolves, schemas compile', () => {
    const ids = operations().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, op } of operations()) {
      expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      const declared = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name);
      expect(declared.sort()).toEqual([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty([ref]);
    for (const name of Object.keys(doc.components.schemas)) expect(ajv.getSchema(`openapi.json#/components/schemas/${name}`)).toBeDefined();
  });

  it('documents each query parameter of the list and the dashboard', () => {
    const names = (key: string) => operations().find((o) => o.key === key)!.op.parameters.map((p: any) => p.name);
    expect(names('GET /api/v1/invoices')).toEqual(
      expect.arrayContaining(['status', 'sourceSystem', 'sellerNip', 'buyerNip', 'type', 'direction', 'rejectionCode', 'issueDateFrom', 'issueDateTo', 'receivedFrom', 'receivedTo', 'q', 'sort', 'order', 'limit', 'cursor', 'format']),
    );
    expect(names('GET /api/v1/dashboard')).toEqual(['from', 'to', 'sourceSystem']);
  });

  it('every documented route exists in the API', async () => {
    const id = randomUUID();
    for (const { method, path } of operations()) {
      // Logging out ends the caller's session: do it as a throw-away person, not as the operator the other calls use.
      const as = path === '/api/v1/auth/logout' ? { user: 'openapi-logout', roles: ['monitor' as const] } : undefined;
      const res = await stack.api(path.replace('{id}', id), { method, body: method === 'POST' ? {} : undefined, as });
      expect({ route: `${method} ${path}`, code: res.body?.code }).not.toEqual({ route: `${method} ${path}`, code: 'ROUTE_NOT_FOUND' });
      expect(res.status).not.toBe(405);
    }
  });

  it('real answers match the documented schemas', async () => {
    const pool = new pg.Pool({ connectionString: testEnv().databaseUrl, max: 1 });
    const source = `oa-${randomUUID().slice(0, 8)}`;
    await seedRegistry(pool, { count: 5, prefix: source.toUpperCase(), sourceSystem: source });
    await pool.end();

    const page = await stack.api(`/api/v1/invoices?sourceSystem=${source}&limit=2`);
    expectValid('RegistryPage', page.body);
    expect(page.body.items).toHaveLength(2);
    const seeded = await stack.api(`/api/v1/invoices/${seedRows({ count: 1, prefix: source.toUpperCase(), sourceSystem: source })[0].id}`);
    expectValid('InvoiceDetail', seeded.body);
    expectValid('Dashboard', (await stack.api('/api/v1/dashboard')).body);
    expectValid('Problem', (await stack.api('/api/v1/invoices?limit=0')).body);
    expectValid('Health', (await stack.api('/healthz')).body);
    expectValid('Readiness', (await stack.api('/readyz')).body);

    await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rejectInvoices: { count: 1 } }) });
    const submitted = await stack.api('/api/v1/invoices', { body: sampleInvoice() });
    expectValid('SubmitResult', submitted.body);
    // ~3 s on a quiet machine; generous because a starved 2-CPU run times workflow tasks out (10 s each).
    const detail = await eventually(async () => {
      const res = await stack.api(`/api/v1/invoices/${submitted.body.id}`);
      return res.body.status === 'REJECTED' ? res.body : undefined;
    }, 90_000);
    expectValid('InvoiceDetail', detail);
    const cancelled = await stack.api(`/api/v1/invoices/${submitted.body.id}/actions/cancel`, { body: { note: 'openapi test' } });
    expect(cancelled.status).toBe(200);
    expectValid('ActionResult', cancelled.body);
    expectValid('Problem', (await stack.api(`/api/v1/invoices/${submitted.body.id}/actions/cancel`, { body: {} })).body);
  });
});
