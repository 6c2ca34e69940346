/**
 * Registry list latency at volume — a benchmark, not a test. Seeds N invoices (default 1 000 000)
 * into a scratch database on DATABASE_URL's server, then runs each kind of registry query the API
 * runs (same SQL: prisma/registry-list.ts, prisma/registry-dashboard.ts) and prints p50/p95.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:registry
 *   BENCH_ROWS=200000 BENCH_REPEAT=30 BENCH_KEEP=1 npm run bench:registry
 */
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateDeploy } from '../infra/migrate';
import { dropDatabase, ensureDatabase } from '../infra/postgres';
import { createPrismaClient, type PrismaClient } from '../prisma/client';
import { dashboard } from '../prisma/registry-dashboard';
import { listRegistryPage, sortValueOf, type RegistryPageRequest } from '../prisma/registry-list';
import { SEED_BUYERS, SEED_SELLERS, seedRegistry, seedRow, type SeedOptions } from './seed-registry';

const ROOT = path.resolve(__dirname, '..');
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 30);
const WARMUP = 3;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function measure(run: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number; max: number }> {
  for (let i = 0; i < WARMUP; i++) await run(i);
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const started = process.hrtime.bigint();
    await run(i);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), max: times[times.length - 1] };
}

function page(filter: RegistryPageRequest['filter'], extra: Partial<RegistryPageRequest> = {}): RegistryPageRequest {
  return { filter, sort: 'receivedAt', order: 'desc', limit: 50, ...extra };
}

async function main() {
  const base = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  base.pathname = '/ksefops_bench_registry';
  const url = base.toString();
  const options: SeedOptions = { count: ROWS, prefix: 'BENCH', start: new Date('2025-01-01T06:00:00Z'), stepMs: 30_000 };

  await dropDatabase(url);
  await ensureDatabase(url);
  await migrateDeploy(ROOT, url);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  // Bulk-load practice: secondary indexes are dropped for the load and rebuilt once afterwards
  // (the same definitions the migrations created), instead of being updated row by row.
  const secondary = (
    await pool.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'invoices' AND indexdef NOT LIKE 'CREATE UNIQUE%'`)
  ).rows as Array<{ indexname: string; indexdef: string }>;
  for (const ix of secondary) await pool.query(`DROP INDEX "${ix.indexname}"`);
  let started = Date.now();
  await seedRegistry(pool, options, (done) => process.stderr.write(`\rseeding ${done}/${ROWS}`));
  const seedSeconds = (Date.now() - started) / 1000;
  started = Date.now();
  for (const ix of secondary) await pool.query(ix.indexdef);
  const indexSeconds = (Date.now() - started) / 1000;
  started = Date.now();
  await pool.query('VACUUM ANALYZE "invoices"');
  const analyzeSeconds = (Date.now() - started) / 1000;
  const size = (await pool.query(`SELECT pg_size_pretty(pg_total_relation_size('invoices')) AS s`)).rows[0].s as string;
  await pool.end();
  process.stderr.write(`\nseeded ${ROWS} rows in ${seedSeconds.toFixed(1)} s (${Math.round(ROWS / seedSeconds)} rows/s), ${secondary.length} indexes rebuilt in ${indexSeconds.toFixed(1)} s, VACUUM ANALYZE ${analyzeSeconds.toFixed(1)} s, table+indexes ${size}\n`);

  const prisma: PrismaClient = createPrismaClient(url, 2);
  const last = seedRow(ROWS - 1, options).receivedAt;
  const day = (n: number) => new Date(last.getTime() - n * 86_400_000).toISOString();
  const ksefNumbers = Array.from({ length: 50 }, (_, k) => seedRow(k * 997, options).ksefNumber).filter((n): n is string => !!n);
  // A cursor deep in the list (page 200) — keyset paging costs the same at any depth.
  const deep = await (async () => {
    let after: RegistryPageRequest['after'];
    for (let p = 0; p < 200; p++) {
      const r = await listRegistryPage(prisma, page({}, { after, limit: 50 }));
      const row = r.rows.at(-1)!;
      after = { value: sortValueOf(row, 'receivedAt'), id: row.id };
    }
    return after;
  })();

  const cases: Array<[string, (i: number) => Promise<unknown>]> = [
    ['newest first, no filter', () => listRegistryPage(prisma, page({}))],
    ['page 201 via cursor', () => listRegistryPage(prisma, page({}, { after: deep }))],
    ['status group rejected', () => listRegistryPage(prisma, page({ statuses: ['REJECTED', 'NEEDS_FIX'] }))],
    ['status SENDING (rare)', () => listRegistryPage(prisma, page({ statuses: ['SENDING'] }))],
    ['source system', (i) => listRegistryPage(prisma, page({ sourceSystem: ['erp', 'shop', 'crm'][i % 3] }))],
    ['seller NIP', (i) => listRegistryPage(prisma, page({ sellerNip: SEED_SELLERS[i % SEED_SELLERS.length] }))],
    ['buyer NIP', (i) => listRegistryPage(prisma, page({ buyerNip: SEED_BUYERS[i % SEED_BUYERS.length] }))],
    ['type KOR', () => listRegistryPage(prisma, page({ type: 'KOR' }))],
    ['direction INCOMING', () => listRegistryPage(prisma, page({ direction: 'INCOMING' }))],
    ['rejection code', (i) => listRegistryPage(prisma, page({ rejectionCode: ['KSEF_450', 'KSEF_430', 'KSEF_440'][i % 3] }))],
    ['issue date range (7 days)', (i) => listRegistryPage(prisma, page({ issueDateFrom: day(30 + i).slice(0, 10), issueDateTo: day(23 + i).slice(0, 10) }))],
    ['received range (1 day)', (i) => listRegistryPage(prisma, page({ receivedFrom: day(100 + i), receivedTo: day(99 + i) }))],
    ['text: KSeF number', (i) => listRegistryPage(prisma, page({ q: ksefNumbers[i % ksefNumbers.length] }))],
    ['text: number fragment (infix)', (i) => listRegistryPage(prisma, page({ q: `/${String(123456 + i * 7919).padStart(7, '0').slice(0, 6)}` }))],
    ['text: buyer name, 0 hits (full scan)', () => listRegistryPage(prisma, page({ q: 'Nonexistent Name' }))],
    ['sort amount desc', () => listRegistryPage(prisma, page({}, { sort: 'grossAmount' }))],
    ['sort issue date asc', () => listRegistryPage(prisma, page({}, { sort: 'issueDate', order: 'asc' }))],
    ['sort status', () => listRegistryPage(prisma, page({}, { sort: 'status' }))],
    ['combined: rejected + seller + 30 days', (i) => listRegistryPage(prisma, page({ statuses: ['REJECTED', 'NEEDS_FIX'], sellerNip: SEED_SELLERS[i % 5], receivedFrom: day(30) }))],
    ['dashboard, 30 days (backlog over all rows)', () => dashboard(prisma, { from: new Date(day(30)), to: last })],
  ];

  const results: Array<[string, { p50: number; p95: number; max: number }]> = [];
  for (const [name, run] of cases) {
    const r = await measure(run);
    results.push([name, r]);
    process.stderr.write(`${name}: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms\n`);
  }
  await prisma.$disconnect();
  if (!process.env.BENCH_KEEP) await dropDatabase(url);

  const pgVersion = await (async () => {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' });
    await c.connect();
    const v = (await c.query('SHOW server_version')).rows[0].server_version as string;
    await c.end();
    return v;
  })();
  console.log(`\n### Registry list latency, ${ROWS.toLocaleString('en')} invoices (${new Date().toISOString().slice(0, 10)})\n`);
  console.log(`PostgreSQL ${pgVersion}, ${os.cpus().length} CPU (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}; page size 50, ${REPEAT} runs after ${WARMUP} warm-up, through Prisma (driver adapter) as the API runs it.`);
  console.log(`Seed: ${seedSeconds.toFixed(0)} s (${Math.round(ROWS / seedSeconds).toLocaleString('en')} rows/s, unnest batches of 5 000, secondary indexes rebuilt after: ${indexSeconds.toFixed(0)} s), table + indexes ${size}.\n`);
  console.log('| query | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|');
  for (const [name, r] of results) console.log(`| ${name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} |`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
