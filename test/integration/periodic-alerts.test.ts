/**
 * One run of the periodic checks may find several problems — here three critical roles left with one
 * person each — and every one reaches its owner. The checks run as one activity; alerts used to be
 * idempotent per activity execution alone, so the second problem got the first one's alert back and
 * was never sent. A database of its own: bus factor is a fact about all users.
 */
import { sweepNow } from '../../worker/operations-sweep';
import { freshDatabase } from '../support/fresh-database';
import { startSmtpSink, type SmtpSink } from '../support/smtp';
import { startStack, type TestStack } from '../support/stack';

jest.setTimeout(180_000);

let db: Awaited<ReturnType<typeof freshDatabase>>;
let stack: TestStack;
let smtp: SmtpSink;
const OWNER = 'roles-owner@example.test';

beforeAll(async () => {
  db = await freshDatabase();
  smtp = await startSmtpSink();
  stack = await startStack({ databaseUrl: db.url, alertingOptions: { smtp: { url: smtp.url, from: 'ksef-ops@test.local' } } });
});
afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
  await db?.drop();
});

it('three gaps found by one scheduled check run are three alerts, each mailed', async () => {
  expect((await stack.api('/api/v1/responsibility-rules', { body: { errorClass: 'bus-factor', owner: OWNER }, as: 'admin' })).status).toBe(201);
  // Behind the API's back (no role-change alert): only the scheduled check can notice.
  await stack.prisma.user.update({ where: { id: stack.auth.users.operator.id }, data: { active: false } });
  await sweepNow(stack.temporal, stack.taskQueue, { checks: true });

  // The operator held every role; each role's own person is now alone in it.
  for (const code of ['BUS_FACTOR_APPROVER', 'BUS_FACTOR_CORRECTOR', 'BUS_FACTOR_ADMIN']) {
    await smtp.waitFor((m) => m.to.includes(OWNER) && m.subject.includes(code), 60_000);
  }
  // (The stack's first scheduled run may have seen the change too: the codes count, not the runs.)
  const alerts = await stack.prisma.alert.findMany({ where: { kind: 'bus-factor', state: 'SENT' } });
  expect([...new Set(alerts.map((a) => a.errorCode))].sort()).toEqual(['BUS_FACTOR_ADMIN', 'BUS_FACTOR_APPROVER', 'BUS_FACTOR_CORRECTOR']);
});
