/**
 * The product's API in the bench process (as api/main.ts wires it), plus an operator identity, and
 * the helpers every measurement needs: submit many invoices, wait for the registry to show them done.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../../api/app';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { DEFAULT_LIFECYCLE_SETTINGS } from '../../workflows/contracts';
import { createTestAuth } from '../../test/support/auth';
import type { InvoiceStatusName } from '../../domain/lifecycle';

export interface BenchApi {
  url: string;
  headers: Record<string, string>;
  prisma: PrismaClient;
  temporal: Client;
  submit(body: unknown): Promise<{ status: number; id?: string; ms: number }>;
  stop(): Promise<void>;
}

export async function startBenchApi(o: { address: string; databaseUrl: string; taskQueue: string; ksefBaseUrl: string }): Promise<BenchApi> {
  const prisma = createPrismaClient(o.databaseUrl, 20);
  const connection = await Connection.connect({ address: o.address });
  const temporal = new Client({ connection });
  const app = createApp({
    prisma,
    temporal,
    logger: pino({ level: 'silent' }),
    taskQueue: o.taskQueue,
    namespace: 'default',
    temporalUiUrl: 'http://127.0.0.1:8233',
    ksefBaseUrl: o.ksefBaseUrl,
    lifecycle: DEFAULT_LIFECYCLE_SETTINGS,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const headers = { ...(await (await createTestAuth(prisma)).headersFor('operator')), 'content-type': 'application/json' };
  return {
    url,
    headers,
    prisma,
    temporal,
    async submit(body) {
      const started = performance.now();
      const response = await fetch(`${url}/api/v1/invoices`, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
      const answer = (await response.json().catch(() => ({}))) as { id?: string };
      return { status: response.status, id: answer.id, ms: performance.now() - started };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
      await prisma.$disconnect();
    },
  };
}

/** Run `task` for 0..count-1 with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(lanes);
}

/** Submit invoices through the API; a non-202 answer stops the bench (a figure over failures means nothing). */
export async function submitAll(api: BenchApi, bodies: (i: number) => unknown, count: number, concurrency: number, onDone?: (done: number) => void) {
  let done = 0;
  const latencies: number[] = [];
  await pool(count, concurrency, async (i) => {
    const r = await api.submit(bodies(i));
    if (r.status !== 202) throw new Error(`submit ${i} answered ${r.status}`);
    latencies.push(r.ms);
    onDone?.(++done);
  });
  return latencies;
}

/** Poll the registry until every invoice numbered `<prefix>…` has reached `status`. */
export async function waitForStatus(prisma: PrismaClient, prefix: string, count: number, status: InvoiceStatusName, timeoutMs: number, onProgress?: (done: number) => void) {
  const deadline = Date.now() + timeoutMs;
  // No invoice moving for this long means something is stuck: report it instead of waiting out the timeout.
  const stallMs = Math.min(timeoutMs, 5 * 60_000);
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const done = await prisma.invoice.count({ where: { invoiceNumber: { startsWith: prefix }, status } });
    onProgress?.(done);
    if (done >= count) return;
    if (done !== last) {
      last = done;
      lastChange = Date.now();
    }
    if (Date.now() > deadline || Date.now() - lastChange > stallMs) {
      const byStatus = await prisma.invoice.groupBy({ by: ['status'], where: { invoiceNumber: { startsWith: prefix } }, _count: { _all: true } });
      throw new Error(`${prefix}: ${done}/${count} ${status}, none more for ${Math.round((Date.now() - lastChange) / 1000)} s (${JSON.stringify(byStatus.map((s) => [s.status, s._count._all]))})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Submit→KSeF-number latency per invoice, from the registry's own timestamps. */
export async function acceptLatencies(prisma: PrismaClient, prefix: string) {
  const rows = await prisma.invoice.findMany({ where: { invoiceNumber: { startsWith: prefix }, status: 'ACCEPTED' }, select: { receivedAt: true, acceptedAt: true } });
  const ms = rows.map((r) => (r.acceptedAt ? r.acceptedAt.getTime() - r.receivedAt.getTime() : NaN)).filter(Number.isFinite);
  const first = Math.min(...rows.map((r) => r.receivedAt.getTime()));
  const last = Math.max(...rows.map((r) => r.acceptedAt?.getTime() ?? 0));
  return { ms, first, last };
}
