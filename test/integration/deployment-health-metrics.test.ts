/**
 * What a load balancer and Prometheus see: /healthz stays up while /readyz turns 503 naming the
 * dependency that is down; /metrics reports registry KPIs that match the database and times requests.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApp, type ApiDeps } from '../../api/app';
import { freePort } from '../../infra/processes';
import { createPrismaClient } from '../../prisma/client';
import { sampleInvoice } from '../support/invoices';
import { eventually, silentLogger, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** An API whose dependencies are the stack's, except the ones a test breaks. */
async function probe(overrides: Partial<ApiDeps>, paths: string[]) {
  const app = createApp({
    prisma: stack.prisma,
    temporal: stack.temporal,
    logger: silentLogger,
    taskQueue: stack.taskQueue,
    namespace: 'default',
    temporalUiUrl: 'http://127.0.0.1:8233',
    ksefBaseUrl: stack.simulatorUrl,
    lifecycle: stack.lifecycle,
    ...overrides,
  });
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return await Promise.all(paths.map(async (p) => {
      const response = await fetch(`${base}${p}`);
      return { status: response.status, body: (await response.json()) as any };
    }));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const failing = (body: { checks: Array<{ name: string; ok: boolean }> }) => body.checks.filter((c) => !c.ok).map((c) => c.name);

describe('/healthz and /readyz when a dependency is down', () => {
  it('is ready when everything is up', async () => {
    const [health, ready] = await probe({}, ['/healthz', '/readyz']);
    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(failing(ready.body)).toEqual([]);
  });

  it('database down: 503 naming "database", process still healthy', async () => {
    const prisma = createPrismaClient(`postgresql://postgres@127.0.0.1:${await freePort()}/nothing`, 1);
    try {
      const [health, ready] = await probe({ prisma }, ['/healthz', '/readyz']);
      expect(health.status).toBe(200);
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('not-ready');
      expect(failing(ready.body)).toEqual(['database']);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('Temporal down: 503 naming "temporal" (and "worker", which cannot be asked)', async () => {
    // No gRPC retry interceptor: the call fails at once instead of retrying past the test's end.
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500, interceptors: [] });
    const temporal = new Client({ connection });
    try {
      const [health, ready] = await probe({ temporal }, ['/healthz', '/readyz']);
      expect(health.status).toBe(200);
      expect(ready.status).toBe(503);
      expect(failing(ready.body)).toEqual(['temporal', 'worker']);
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  it('no worker polling: 503 naming "worker" and the task queue', async () => {
    const taskQueue = `nobody-polls-${randomUUID()}`;
    const [ready] = await probe({ taskQueue }, ['/readyz']);
    expect(ready.status).toBe(503);
    expect(failing(ready.body)).toEqual(['worker']);
    expect(ready.body.checks.find((c: { name: string }) => c.name === 'worker').error).toContain(taskQueue);
  });

  it('KSeF outage: still ready (intake and offline mode go on), KSeF named as degraded and reachable = 0 in /metrics', async () => {
    await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage: { durationMs: 60000 } }) });
    try {
      const [ready] = await probe({}, ['/readyz']);
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ready');
      expect(ready.body.degraded).toEqual(['ksef']);
      expect(failing(ready.body)).toEqual(['ksef']);
      expect(ready.body.checks.find((c: { name: string }) => c.name === 'ksef').error).toContain('503');
      const metrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
      expect(metrics).toMatch(/^ksefops_ksef_reachable 0$/m);
    } finally {
      await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'DELETE' });
    }
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/^ksefops_ksef_reachable 1$/m);
  });
});

describe('/metrics', () => {
  it('with METRICS_TOKEN configured, answers only the bearer of that token (401 problem otherwise)', async () => {
    const metricsToken = 'scraper-token-0123456789abcdef';
    const app = createApp({ prisma: stack.prisma, temporal: stack.temporal, logger: silentLogger, taskQueue: stack.taskQueue, namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233', ksefBaseUrl: stack.simulatorUrl, lifecycle: stack.lifecycle, metricsToken });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const refused = await fetch(`${base}/metrics`);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { code: string }).code).toBe('KSEFOPS_METRICS_UNAUTHORIZED');
      const scraped = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('# TYPE ksefops_invoices gauge');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports invoices by status as in the registry, the backlog, and HTTP request durations by route', async () => {
    const submitted = await stack.api('/api/v1/invoices', { body: sampleInvoice() });
    expect(submitted.status).toBe(202);
    await eventually(async () => (await stack.api(`/api/v1/invoices/${submitted.body.id}`)).body.status === 'ACCEPTED');
    await stack.api(`/api/v1/invoices/${submitted.body.id}`);

    const response = await fetch(`${stack.apiUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const sample = (name: string, labels = '') => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };

    const rows = await stack.prisma.invoice.groupBy({ by: ['status'], _count: { _all: true } });
    const inDb = Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
    expect(sample('ksefops_invoices', '{status="ACCEPTED"}')).toBe(inDb.ACCEPTED);
    expect(sample('ksefops_invoices', '{status="CANCELLED"}')).toBe(inDb.CANCELLED ?? 0);
    expect(sample('ksefops_backlog_invoices', '{waiting_on="system"}')).toBeGreaterThanOrEqual(0);
    expect(sample('ksefops_backlog_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(text).toContain('# TYPE ksefops_invoices_rejected gauge');
    // Route patterns, not raw ids: label values stay bounded.
    expect(sample('ksefops_http_request_duration_seconds_count', '{method="GET",route="/api/v1/invoices/:id",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(submitted.body.id);
    expect(sample('ksefops_api_process_cpu_seconds_total')).toBeGreaterThan(0);
  });
});
