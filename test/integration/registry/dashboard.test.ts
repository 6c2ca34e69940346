import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { seedRegistry, seedRows, type SeedOptions } from '../../../bench/seed-registry';
import { startStack, testEnv, type TestStack } from '../../support/stack';

let stack: TestStack;
let pool: pg.Pool;
const source = `dash-${randomUUID().slice(0, 8)}`;
const options: SeedOptions = { count: 5, prefix: source.toUpperCase(), sourceSystem: source, start: new Date('2001-03-01T08:00:00Z') };
const [A, B, C, D, E] = seedRows(options).map((r) => r.id);

// A known history (UTC times; Warsaw is UTC+1 in March, so every event stays on its calendar day).
const HISTORY: Array<[string, string, string, string, Record<string, string>?]> = [
  [A, '2001-03-01 10:00', 'invoice.received', 'started'],
  [A, '2001-03-01 10:01', 'invoice.send', 'sent'],
  [A, '2001-03-01 10:02', 'invoice.close', 'ACCEPTED'],
  [B, '2001-03-01 10:00', 'invoice.received', 'started'],
  [B, '2001-03-01 10:01', 'invoice.send', 'sent'],
  [B, '2001-03-01 10:02', 'invoice.triage', 'REJECTED', { code: 'KSEF_450', reason: 'Błąd semantyki' }],
  [B, '2001-03-01 10:32', 'invoice.send', 'sent'],
  [B, '2001-03-01 11:02', 'invoice.close', 'ACCEPTED'],
  [C, '2001-03-01 11:00', 'invoice.received', 'started'],
  [C, '2001-03-01 11:01', 'invoice.triage', 'NEEDS_FIX', { code: 'SCHEMA_REQUIRED', reason: 'buyer.name: is required' }],
  [D, '2001-03-02 09:00', 'invoice.received', 'started'],
  [D, '2001-03-02 09:01', 'invoice.send', 'sent'],
  [D, '2001-03-02 09:02', 'invoice.triage', 'REJECTED', { code: 'KSEF_450', reason: 'Błąd semantyki' }],
  [D, '2001-03-02 09:07', 'invoice.send', 'sent'],
  [D, '2001-03-02 09:08', 'invoice.triage', 'REJECTED', { code: 'KSEF_450', reason: 'Błąd semantyki' }],
  [D, '2001-03-02 09:10', 'invoice.send', 'sent'],
  [D, '2001-03-02 09:12', 'invoice.close', 'ACCEPTED'],
  [E, '2001-03-02 09:00', 'invoice.received', 'started'],
  [E, '2001-03-02 09:30', 'invoice.triage', 'REJECTED', { code: 'KSEF_430', reason: 'Błąd weryfikacji pliku' }],
  [E, '2001-03-02 12:00', 'invoice.close', 'MANUAL_EXCEPTION'],
  // Outside the period: must not count.
  [A, '2001-03-05 10:00', 'invoice.triage', 'REJECTED', { code: 'KSEF_999', reason: 'later' }],
];

beforeAll(async () => {
  stack = await startStack();
  pool = new pg.Pool({ connectionString: testEnv().databaseUrl, max: 2 });
  await seedRegistry(pool, options);
  await pool.query(`UPDATE "invoices" SET "status" = 'REJECTED' WHERE "id" = $1`, [C]);
  await pool.query(`UPDATE "invoices" SET "status" = 'SENDING' WHERE "id" = $1`, [D]);
  for (const [id, at, action, result, details] of HISTORY) {
    await pool.query(
      `INSERT INTO "audit_events" ("at", "actor", "action", "targetType", "targetId", "result", "details") VALUES ($1::timestamp, 'system', $2, 'invoice', $3, $4, $5)`,
      [at, action, id, result, details ? JSON.stringify(details) : null],
    );
  }
});
afterAll(async () => {
  await pool?.end();
  await stack?.stop();
});

describe('dashboard KPIs', () => {
  it('computes totals, daily trend, reasons, time to fix / retry and backlog from a known history', async () => {
    const res = await stack.api(`/api/v1/dashboard?from=2001-03-01&to=2001-03-03&sourceSystem=${source}`);
    expect(res.status).toBe(200);
    const d = res.body;
    expect(d.from).toBe('2001-02-28T23:00:00.000Z');
    expect(d.totals).toEqual({ submitted: 5, sent: 6, rejected: 5, accepted: 3, manualExceptions: 1, cancelled: 0, rejectionRate: 0.625 });
    expect(d.daily).toEqual([
      { day: '2001-03-01', submitted: 3, accepted: 2, rejected: 2, rejectionRate: 0.5 },
      { day: '2001-03-02', submitted: 2, accepted: 1, rejected: 3, rejectionRate: 0.75 },
    ]);
    expect(d.topRejectionReasons).toEqual([
      { code: 'KSEF_450', count: 3, example: 'Błąd semantyki' },
      { code: 'KSEF_430', count: 1, example: 'Błąd weryfikacji pliku' },
      { code: 'SCHEMA_REQUIRED', count: 1, example: 'buyer.name: is required' },
    ]);
    expect(d.timeToFix).toEqual({
      count: 2,
      unfixed: 2,
      p50Seconds: 2100,
      p90Seconds: 3300,
      avgSeconds: 2100,
      histogram: [
        { bucket: '<5m', count: 0 },
        { bucket: '5-60m', count: 1 },
        { bucket: '1-4h', count: 1 },
        { bucket: '4-24h', count: 0 },
        { bucket: '1-3d', count: 0 },
        { bucket: '>3d', count: 0 },
      ],
    });
    expect(d.timeToRetry).toEqual({ count: 3, p50Seconds: 300, p90Seconds: 1500, avgSeconds: 740 });
    expect(d.backlog).toEqual({
      total: 2,
      byStatus: [
        { status: 'REJECTED', buckets: { '<1h': 0, '1-24h': 0, '1-7d': 0, '>7d': 1 }, total: 1 },
        { status: 'SENDING', buckets: { '<1h': 0, '1-24h': 0, '1-7d': 0, '>7d': 1 }, total: 1 },
      ],
    });
  });

  it('fills days without events with zeros and counts nothing outside the period', async () => {
    const res = await stack.api(`/api/v1/dashboard?from=2001-03-03&to=2001-03-05&sourceSystem=${source}`);
    expect(res.status).toBe(200);
    expect(res.body.daily).toEqual([
      { day: '2001-03-03', submitted: 0, accepted: 0, rejected: 0, rejectionRate: null },
      { day: '2001-03-04', submitted: 0, accepted: 0, rejected: 0, rejectionRate: null },
    ]);
    expect(res.body.totals.rejectionRate).toBeNull();
    expect(res.body.timeToFix.count).toBe(0);
  });

  it.each([
    ['from=2001-03-05&to=2001-03-01', 'to'],
    ['from=2000-01-01&to=2002-01-01', 'from'],
    ['from=yesterday', 'from'],
    ['period=30d', 'period'],
  ])('%s → 400 naming %s', async (query, field) => {
    const res = await stack.api(`/api/v1/dashboard?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_QUERY');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});
