/**
 * No activity retries forever on a deterministic error. The classification (activities/errors.ts)
 * is checked against errors PostgreSQL really raises through Prisma's driver adapter, and on the real
 * stack: a registry write that violates a constraint every time sends the invoice to triage with a
 * searchable code, an owner and a mail — instead of retrying the projection forever with the invoice
 * frozen in RECEIVED — and after the cause is removed a forced retry takes it to ACCEPTED.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { classifyError, DETERMINISTIC_ERROR_CODES, toClassifiedFailure } from '../../activities/errors';
import { KsefApiError, KsefRateLimitError, KsefTransportError } from '../../ksef-client';
import { ApplicationFailure } from '@temporalio/common';
import { sampleInvoice } from '../support/invoices';
import { startSmtpSink, type SmtpSink } from '../support/smtp';
import { eventually, startStack, type TestStack } from '../support/stack';

jest.setTimeout(240_000);

let stack: TestStack;
let smtp: SmtpSink;
const tag = randomUUID().slice(0, 8);

beforeAll(async () => {
  smtp = await startSmtpSink();
  stack = await startStack({ alertingOptions: { smtp: { url: smtp.url, from: 'ksef-ops@test.local' } } });
});
afterAll(async () => {
  await stack?.prisma.$executeRawUnsafe(`ALTER TABLE invoices DROP CONSTRAINT IF EXISTS "test_blocked_${tag}"`).catch(() => undefined);
  await stack?.stop();
  await smtp?.close();
});

/** The error PostgreSQL raises for `sql`, as Prisma hands it to an activity. */
async function pgError(sql: string, ...values: unknown[]): Promise<unknown> {
  try {
    await stack.prisma.$executeRawUnsafe(sql, ...values);
  } catch (error) {
    return error;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('error classification on real PostgreSQL errors', () => {
  it('constraint violations and invalid data are non-retryable with a code; serialization failures and deadlocks stay retryable', async () => {
    const table = `errors_probe_${tag}`;
    await stack.prisma.$executeRawUnsafe(`CREATE TABLE "${table}" (id int PRIMARY KEY, t text, u uuid)`);
    try {
      await stack.prisma.$executeRawUnsafe(`INSERT INTO "${table}" (id, t) VALUES (1, 'a')`);
      const unique = classifyError(await pgError(`INSERT INTO "${table}" (id, t) VALUES (1, 'b')`));
      expect(unique).toEqual({ retryable: false, code: DETERMINISTIC_ERROR_CODES.constraint, message: expect.stringContaining('23505') });
      const nul = classifyError(await pgError(`INSERT INTO "${table}" (id, t) VALUES (2, $1)`, 'a\u0000b'));
      expect(nul).toEqual({ retryable: false, code: DETERMINISTIC_ERROR_CODES.invalidData, message: expect.stringContaining('22021') });
      const badUuid = classifyError(await pgError(`INSERT INTO "${table}" (id, u) VALUES (3, $1::uuid)`, 'not-a-uuid'));
      expect(badUuid).toEqual({ retryable: false, code: DETERMINISTIC_ERROR_CODES.invalidData, message: expect.stringContaining('22P02') });
      const notNull = classifyError(await pgError(`INSERT INTO "${table}" (id) VALUES (NULL)`));
      expect(notNull).toMatchObject({ retryable: false, code: DETERMINISTIC_ERROR_CODES.constraint });
      // Unique violation through the typed client (P2002 path), on a real registry table.
      const row = await stack.prisma.apiKey.findFirstOrThrow();
      const { id: _id, ...copy } = row;
      let typed: unknown;
      await stack.prisma.apiKey.create({ data: { ...copy, sellerNips: row.sellerNips } }).catch((e: unknown) => (typed = e));
      expect(classifyError(typed)).toMatchObject({ retryable: false, code: DETERMINISTIC_ERROR_CODES.constraint });
    } finally {
      await stack.prisma.$executeRawUnsafe(`DROP TABLE "${table}"`);
    }
    for (const transient of ['40001', '40P01', '57P01', '08006', '53300']) {
      const error = await pgError(`DO $$ BEGIN RAISE EXCEPTION 'probe' USING ERRCODE = '${transient}'; END $$`);
      expect({ transient, verdict: classifyError(error) }).toEqual({ transient, verdict: { retryable: true } });
    }
  });

  it('zod and KSeF 4xx are non-retryable; KSeF 429/5xx and network trouble stay retryable', () => {
    const zodError = z.object({ a: z.string() }).safeParse({ a: 1 }).error;
    expect(classifyError(zodError)).toMatchObject({ retryable: false, code: DETERMINISTIC_ERROR_CODES.input });
    const api = (status: number) => new KsefApiError({ httpStatus: status, method: 'POST', url: 'https://ksef.test/v2/x' });
    expect(classifyError(api(400))).toMatchObject({ retryable: false });
    expect(classifyError(api(503))).toEqual({ retryable: true });
    expect(classifyError(new KsefRateLimitError({ httpStatus: 429, method: 'POST', url: 'https://ksef.test/v2/x' }, 3))).toEqual({ retryable: true });
    expect(classifyError(new KsefTransportError('ECONNRESET', false, 'POST', 'https://ksef.test/v2/x'))).toEqual({ retryable: true });
    expect(classifyError(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') }))).toEqual({ retryable: true });
    expect(classifyError(new Error('connection terminated unexpectedly'))).toEqual({ retryable: true });
    // The boundary turns the verdict into what Temporal reads.
    let thrown: unknown;
    try {
      toClassifiedFailure(api(400));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect((thrown as ApplicationFailure).nonRetryable).toBe(true);
  });
});

describe('the invoice workflow routes a step that failed for good to triage', () => {
  it('a projection that violates a constraint every time → NEEDS_FIX with the code, owner mailed; force retry after the fix → ACCEPTED', async () => {
    const source = `determ-${tag}`;
    const owner = `db-owner-${tag}@example.test`;
    expect((await stack.api('/api/v1/responsibility-rules', { body: { sourceSystem: source, owner }, as: 'admin' })).status).toBe(201);
    const invoice = sampleInvoice({ sourceSystem: source });
    // Every attempt to record VALIDATING for this invoice fails the same way (SQLSTATE 23514).
    await stack.prisma.$executeRawUnsafe(
      `ALTER TABLE invoices ADD CONSTRAINT "test_blocked_${tag}" CHECK (NOT (status = 'VALIDATING' AND "invoiceNumber" = '${invoice.invoiceNumber}'))`,
    );
    const submit = await stack.api('/api/v1/invoices', { body: invoice });
    expect(submit.status).toBe(202);
    const id = submit.body.id as string;

    const triaged = await eventually(async () => {
      const res = await stack.api(`/api/v1/invoices/${id}`);
      return res.body.status === 'NEEDS_FIX' ? res.body : undefined;
    }, 60_000, 200);
    expect(triaged.rejectionCode).toBe(DETERMINISTIC_ERROR_CODES.constraint);
    expect(triaged.rejectionReason).toContain('23514');
    expect(triaged.nextAction).toBeTruthy();
    const mail = await smtp.waitFor((m) => m.to.includes(owner) && m.subject.includes(invoice.invoiceNumber), 30_000);
    expect(mail.subject).toContain(DETERMINISTIC_ERROR_CODES.constraint);
    const audit = await stack.prisma.auditEvent.findMany({ where: { targetId: id, action: 'invoice.triage' } });
    expect(audit).toHaveLength(1);

    await stack.prisma.$executeRawUnsafe(`ALTER TABLE invoices DROP CONSTRAINT "test_blocked_${tag}"`);
    const retry = await stack.api(`/api/v1/invoices/${id}/actions/force-retry`, { body: { note: 'constraint removed' } });
    expect(retry.status).toBe(200);
    await eventually(async () => (await stack.prisma.invoice.findUnique({ where: { id } }))?.status === 'ACCEPTED', 90_000, 200);
    // The receipt, lost with the failed first projection, is recorded with the next one.
    expect(await stack.prisma.auditEvent.count({ where: { targetId: id, action: 'invoice.received' } })).toBe(1);
  });
});
