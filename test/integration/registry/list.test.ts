import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { INVOICE_STATUSES } from '../../../domain/lifecycle';
import { SEED_BUYERS, seedRegistry, seedRows, type SeedOptions, type SeedRow } from '../../../bench/seed-registry';
import { startStack, testEnv, type TestStack } from '../../support/stack';

let stack: TestStack;
let pool: pg.Pool;
const source = `reg-${randomUUID().slice(0, 8)}`;
const options: SeedOptions = { count: 120, prefix: source.toUpperCase(), sourceSystem: source, start: new Date('2025-03-01T09:00:00Z'), stepMs: 3_600_000 };
const rows: SeedRow[] = seedRows(options);

beforeAll(async () => {
  stack = await startStack();
  pool = new pg.Pool({ connectionString: testEnv().databaseUrl, max: 2 });
  await seedRegistry(pool, options);
});
afterAll(async () => {
  await pool?.end();
  await stack?.stop();
});

const byReceivedDesc = (a: SeedRow, b: SeedRow) => b.receivedAt.getTime() - a.receivedAt.getTime() || (a.id < b.id ? 1 : -1);

async function listAll(query: string, limit = 500): Promise<any[]> {
  const res = await stack.api(`/api/v1/invoices?sourceSystem=${source}&limit=${limit}${query ? `&${query}` : ''}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('registry list: filters', () => {
  const cases: Array<[string, string, (r: SeedRow) => boolean]> = [
    ['status (one)', 'status=REJECTED', (r) => r.status === 'REJECTED'],
    ['status group rejected', 'status=rejected', (r) => r.status === 'REJECTED' || r.status === 'NEEDS_FIX'],
    ['status groups pending+closed', 'status=pending,closed', (r) => ['RECEIVED', 'VALIDATING', 'AWAITING_APPROVAL', 'SENDING', 'SENT', 'MANUAL_EXCEPTION', 'CANCELLED'].includes(r.status)],
    ['seller NIP', `sellerNip=${rows[3].sellerNip}`, (r) => r.sellerNip === rows[3].sellerNip],
    ['buyer NIP', `buyerNip=${SEED_BUYERS[7]}`, (r) => r.buyerIdentifier === SEED_BUYERS[7]],
    ['type', 'type=KOR', (r) => r.invoiceType === 'KOR'],
    ['direction', 'direction=INCOMING', (r) => r.direction === 'INCOMING'],
    ['rejection code', 'rejectionCode=KSEF_450', (r) => r.rejectionCode === 'KSEF_450'],
    ['issue date range', 'issueDateFrom=2025-03-02&issueDateTo=2025-03-03', (r) => r.issueDate >= '2025-03-02' && r.issueDate <= '2025-03-03'],
    ['received range', 'receivedFrom=2025-03-02T00:00:00Z&receivedTo=2025-03-03T12:00:00Z', (r) => r.receivedAt >= new Date('2025-03-02T00:00:00Z') && r.receivedAt < new Date('2025-03-03T12:00:00Z')],
    ['text in invoice number', `q=${encodeURIComponent('/000011')}`, (r) => r.invoiceNumber.includes('/000011')],
    ['text in buyer name (case-insensitive, Polish letters)', `q=${encodeURIComponent('łÓDŹ')}`, (r) => r.buyerName.toLowerCase().includes('łódź')],
    ['combined', `status=accepted&sellerNip=${rows[0].sellerNip}&type=VAT`, (r) => r.status === 'ACCEPTED' && r.sellerNip === rows[0].sellerNip && r.invoiceType === 'VAT'],
  ];

  it.each(cases)('%s', async (_name, query, predicate) => {
    const expected = rows.filter(predicate).sort(byReceivedDesc).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(0);
    const items = await listAll(query);
    expect(items.map((i) => i.id)).toEqual(expected);
  });

  it('finds an invoice by its KSeF number', async () => {
    const accepted = rows.find((r) => r.ksefNumber)!;
    const items = await listAll(`q=${accepted.ksefNumber!.toLowerCase()}`);
    expect(items.map((i) => i.id)).toEqual([accepted.id]);
  });

  it('shows status, group, reason, next action and age on each row', async () => {
    const [item] = await listAll(`status=REJECTED&rejectionCode=KSEF_430`, 1);
    const row = rows.find((r) => r.id === item.id)!;
    expect(item).toMatchObject({
      invoiceNumber: row.invoiceNumber,
      status: 'REJECTED',
      statusGroup: 'rejected',
      rejectionCode: 'KSEF_430',
      rejectionReason: row.rejectionReason,
      nextAction: 'Correct the data or force a retry',
      grossAmount: row.grossAmount,
      issueDate: row.issueDate,
      receivedAt: row.receivedAt.toISOString(),
    });
    expect(item.ageSeconds).toBeGreaterThan(0);
  });
});

describe('registry list: sorting', () => {
  const statusRank = (s: string) => INVOICE_STATUSES.indexOf(s as never);
  const cases: Array<[string, (a: SeedRow, b: SeedRow) => number]> = [
    ['sort=grossAmount&order=asc', (a, b) => Number(a.grossAmount) - Number(b.grossAmount) || (a.id < b.id ? -1 : 1)],
    ['sort=grossAmount&order=desc', (a, b) => Number(b.grossAmount) - Number(a.grossAmount) || (a.id < b.id ? 1 : -1)],
    ['sort=issueDate&order=asc', (a, b) => a.issueDate.localeCompare(b.issueDate) || (a.id < b.id ? -1 : 1)],
    ['sort=status&order=asc', (a, b) => statusRank(a.status) - statusRank(b.status) || (a.id < b.id ? -1 : 1)],
    ['sort=receivedAt&order=asc', (a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.id < b.id ? -1 : 1)],
  ];
  it.each(cases)('%s', async (query, compare) => {
    const items = await listAll(query);
    expect(items.map((i) => i.id)).toEqual([...rows].sort(compare).map((r) => r.id));
  });
});

describe('registry list: cursor pagination', () => {
  it.each(['receivedAt', 'issueDate', 'grossAmount', 'status'])('pages by %s without gaps or repeats, stable under inserts', async (sort) => {
    const full = (await listAll(`sort=${sort}&order=desc`)).map((i) => i.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const res = await stack.api(`/api/v1/invoices?sourceSystem=${source}&sort=${sort}&order=desc&limit=17${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
      if (page++ === 1 && sort === 'receivedAt') {
        // New invoices arrive while finance is paging: newer than everything shown, so not on later pages.
        await seedRegistry(pool, { ...options, count: 3, prefix: `${options.prefix}N`, start: new Date('2025-09-01T00:00:00Z') });
      }
    } while (cursor);
    expect(seen).toEqual(full);
    expect(page).toBe(Math.ceil(full.length / 17));
  });

  it('refuses a cursor from another sort order', async () => {
    const first = await stack.api(`/api/v1/invoices?sourceSystem=${source}&limit=5`);
    const res = await stack.api(`/api/v1/invoices?sourceSystem=${source}&limit=5&sort=grossAmount&cursor=${first.body.nextCursor}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'cursor', code: 'INVALID_CURSOR' });
  });
});

describe('registry list: CSV export', () => {
  it('streams every matching row as UTF-8 with BOM, ";" separated, decimal comma, formulas neutralised', async () => {
    await pool.query(`UPDATE "invoices" SET "buyerName" = '=HYPERLINK("http://x";"y")' WHERE "id" = $1`, [rows[0].id]);
    const response = await fetch(`${stack.apiUrl}/api/v1/invoices?sourceSystem=${source}&format=csv&sort=receivedAt&order=asc`, { headers: await stack.auth.headersFor('monitor') });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="?ksef-registry-\d{4}-\d{2}-\d{2}\.csv"?$/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n').filter(Boolean);
    expect(lines[0].split(';')[0]).toBe('Numer faktury / Invoice number');
    const all = await listAll('');
    expect(lines).toHaveLength(all.length + 1);
    const first = lines[1].split(';');
    expect(first[0]).toBe(rows[0].invoiceNumber);
    expect(first).toContain(rows[0].grossAmount.replace('.', ','));
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://x"";""y"")"`);
  });
});

describe('registry list: bad query parameters', () => {
  const cases: Array<[string, string, string]> = [
    ['status=DONE', 'status.0', 'SCHEMA_INVALID_VALUE'],
    ['limit=0', 'limit', 'SCHEMA_TOO_SMALL'],
    ['limit=abc', 'limit', 'SCHEMA_INVALID_TYPE'],
    ['stauts=REJECTED', 'stauts', 'UNKNOWN_PARAMETER'],
    ['sellerNip=123', 'sellerNip', 'SCHEMA_INVALID_FORMAT'],
    ['issueDateFrom=2026-13-01', 'issueDateFrom', 'SCHEMA_CUSTOM'],
    ['sort=amount', 'sort', 'SCHEMA_INVALID_VALUE'],
    ['issueDateFrom=2026-02-01&issueDateTo=2026-01-01', 'issueDateTo', 'SCHEMA_CUSTOM'],
    ['cursor=not-a-cursor', 'cursor', 'INVALID_CURSOR'],
    ['status=REJECTED&status=ACCEPTED', 'status', 'SCHEMA_INVALID_TYPE'],
  ];
  it.each(cases)('%s → 400 naming the parameter', async (query, field, code) => {
    const res = await stack.api(`/api/v1/invoices?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('INVALID_QUERY');
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
    expect(res.body.detail).toContain(field.split('.')[0]);
  });
});
