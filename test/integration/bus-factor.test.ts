/**
 * No critical role may hang on one person: the report, the alert on a role change (real SMTP), no
 * repeat while nothing changes, and the first admin from ADMIN_EMAIL/ADMIN_PASSWORD on an empty
 * installation. A database of its own: these are facts about all users.
 */
import pino from 'pino';
import { bootstrapAdmin } from '../../api/auth/bootstrap';
import { createPrismaClient } from '../../prisma/client';
import { sweepNow } from '../../worker/operations-sweep';
import { freshDatabase } from '../support/fresh-database';
import { startSmtpSink, type SmtpSink } from '../support/smtp';
import { eventually, startStack, type TestStack } from '../support/stack';

jest.setTimeout(300000);

let db: Awaited<ReturnType<typeof freshDatabase>>;
let stack: TestStack;
let smtp: SmtpSink;
const OWNER = 'process-owner@example.test';

beforeAll(async () => {
  db = await freshDatabase();
  smtp = await startSmtpSink();
});
afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
  await db?.drop();
});

describe('first admin and bus factor', () => {
  it('creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD on an empty installation, once', async () => {
    const prisma = createPrismaClient(db.url, 2);
    const logger = pino({ level: 'silent' });
    try {
      await expect(bootstrapAdmin(prisma, logger, { email: 'Boot@Example.test', password: 'short' })).rejects.toThrow(/KSEFOPS_ADMIN_BOOTSTRAP_INVALID/);
      expect(await bootstrapAdmin(prisma, logger, { email: 'Boot@Example.test', password: 'first admin passphrase' })).toBe('created');
      expect(await bootstrapAdmin(prisma, logger, { email: 'other@example.test', password: 'first admin passphrase' })).toBe('skipped');
      const users = await prisma.user.findMany();
      expect(users.map((u) => [u.email, u.roles])).toEqual([['boot@example.test', ['admin']]]);
    } finally {
      await prisma.$disconnect();
    }
    stack = await startStack({ databaseUrl: db.url, alertingOptions: { smtp: { url: smtp.url, from: 'ksef-ops@test.local' } } });
    const login = await stack.api('/api/v1/auth/login', { body: { email: 'boot@example.test', password: 'first admin passphrase' }, as: 'anonymous' });
    expect(login.status).toBe(200);
    expect(login.body.user.roles).toEqual(['admin']);
  });

  it('reports each critical role with its people and alerts the responsible person when one falls below two', async () => {
    const rule = await stack.api('/api/v1/responsibility-rules', { body: { errorClass: 'bus-factor', role: 'admin', owner: OWNER }, as: 'admin' });
    expect(rule.status).toBe(201);
    // The stack made one person per role plus an operator holding all roles: two of each.
    const before = await stack.api('/api/v1/reports/bus-factor', { as: 'monitor' });
    expect(before.body.ok).toBe(true);
    expect(before.body.roles.map((r: { role: string; count: number }) => [r.role, r.count])).toEqual([
      ['approver', 2],
      ['corrector', 2],
      ['admin', 3],
    ]);

    const off = await stack.api(`/api/v1/users/${stack.auth.users.operator.id}`, { method: 'PATCH', body: { active: false }, as: 'admin' });
    expect(off.status).toBe(200);

    const approver = await smtp.waitFor((m) => m.to.includes(OWNER) && m.subject.includes('BUS_FACTOR_APPROVER'));
    expect(approver.subject).toContain('Critical role held by fewer than two people');
    expect(approver.text).toContain(`Role "approver" has 1 active person (${stack.auth.users.approver.email})`);
    await smtp.waitFor((m) => m.to.includes(OWNER) && m.subject.includes('BUS_FACTOR_CORRECTOR'));
    const after = await stack.api('/api/v1/reports/bus-factor', { as: 'admin' });
    expect(after.body.ok).toBe(false);
    expect(after.body.roles.find((r: { role: string }) => r.role === 'approver')).toMatchObject({ count: 1, ok: false, people: [expect.objectContaining({ email: stack.auth.users.approver.email })] });
    expect(after.body.roles.find((r: { role: string }) => r.role === 'admin')).toMatchObject({ count: 2, ok: true });
    expect(smtp.messages.some((m) => m.subject.includes('BUS_FACTOR_ADMIN'))).toBe(false);

    // The scheduled check finds the same gap: no second mail within the repeat window.
    const sent = smtp.messages.length;
    const sweep = stack.temporal.workflow.getHandle(`operations-sweep/${stack.taskQueue}`);
    const checkRuns = async () => {
      const events = (await sweep.fetchHistory()).events ?? [];
      const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runAlertChecks').length;
      const settled = events.filter((e) => e.activityTaskCompletedEventAttributes || e.activityTaskFailedEventAttributes).length;
      const all = events.filter((e) => e.activityTaskScheduledEventAttributes).length;
      return { scheduled, done: settled === all };
    };
    const runsBefore = (await checkRuns()).scheduled;
    await sweepNow(stack.temporal, stack.taskQueue, { checks: true, digest: true });
    await eventually(async () => {
      const now = await checkRuns();
      return now.scheduled > runsBefore && now.done;
    });
    expect(smtp.messages.filter((m) => m.subject.includes('BUS_FACTOR_APPROVER'))).toHaveLength(1);
    expect(smtp.messages.length).toBe(sent);

    const second = await stack.api('/api/v1/users', { body: { email: 'second.approver@example.test', name: 'Second Approver', roles: ['approver'] }, as: 'admin' });
    expect(second.status).toBe(201);
    const fixed = await stack.api('/api/v1/reports/bus-factor', { as: 'admin' });
    expect(fixed.body.roles.find((r: { role: string }) => r.role === 'approver')).toMatchObject({ count: 2, ok: true });
  });
});
