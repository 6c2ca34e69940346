import { randomUUID } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import pg from 'pg';
import { seedRegistry, seedRows } from '../../../bench/seed-registry';
import { sampleInvoice } from '../../support/invoices';
import { eventually, startStack, testEnv, type TestStack } from '../../support/stack';

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
  it('is OpenAPI 3.1 and lists every registry, submission, dashboard and health route', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(operations().map((o) => o.key)).toEqual(expect.arrayContaining(OWN_ROUTES));
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
      const res = await stack.api(path.replace('{id}', id), { method, body: method === 'POST' ? {} : undefined });
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
    const detail = await eventually(async () => {
      const res = await stack.api(`/api/v1/invoices/${submitted.body.id}`);
      return res.body.status === 'REJECTED' ? res.body : undefined;
    });
    expectValid('InvoiceDetail', detail);
    const cancelled = await stack.api(`/api/v1/invoices/${submitted.body.id}/actions/cancel`, { body: { note: 'openapi test' } });
    expect(cancelled.status).toBe(200);
    expectValid('ActionResult', cancelled.body);
    expectValid('Problem', (await stack.api(`/api/v1/invoices/${submitted.body.id}/actions/cancel`, { body: {} })).body);
  });
});
