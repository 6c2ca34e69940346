/**
 * Sign-in lockout under concurrency (issue #15, item 2): the limit is decided by one atomic
 * statement per attempt before any password is checked, per account and per client address.
 * A database of its own: the per-address counter is a fact about every sign-in from 127.0.0.1.
 */
import { chargeLoginAttempt } from '../../../prisma/login-throttle';
import { TEST_PASSWORD } from '../../support/auth';
import { freshDatabase } from '../../support/fresh-database';
import { eventually, startStack, type TestStack } from '../../support/stack';

jest.setTimeout(300000);

const PER_ACCOUNT = 5;
const PER_IP = 12;

let db: Awaited<ReturnType<typeof freshDatabase>>;
let stack: TestStack;

beforeAll(async () => {
  db = await freshDatabase();
  stack = await startStack({ databaseUrl: db.url, auth: { maxFailedLogins: PER_ACCOUNT, maxFailedLoginsPerIp: PER_IP, failedLoginWindowMs: 15 * 60 * 1000 } });
});
afterAll(async () => {
  await stack?.stop();
  await db?.drop();
});

async function login(email: string, password: string) {
  const res = await fetch(`${stack.apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { code?: string; detail?: string; retryAfterSeconds?: number; token?: string } };
}

describe('sign-in lockout', () => {
  it('40 parallel sign-ins (39 wrong, the right one last): at most the threshold get a password check, all others 429 with Retry-After', async () => {
    const victim = await stack.auth.person('burst', ['monitor']);
    const attempts = [...Array.from({ length: 39 }, (_, i) => `wrong password number ${i}`), TEST_PASSWORD];
    const results = await Promise.all(attempts.map((password) => login(victim.email, password)));

    const counts = { 200: 0, 401: 0, 429: 0, other: 0 };
    for (const r of results) counts[r.status === 200 || r.status === 401 || r.status === 429 ? r.status : 'other'] += 1;
    expect(counts.other).toBe(0);
    // Every attempt that reached a password check was charged first: no more than the threshold, whatever the timing.
    expect(counts[401] + counts[200]).toBeLessThanOrEqual(PER_ACCOUNT);
    expect(counts[429]).toBeGreaterThanOrEqual(attempts.length - PER_ACCOUNT);
    for (const r of results.filter((x) => x.status === 429)) {
      expect(r.body.code).toBe('KSEFOPS_LOGIN_LOCKED');
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(15 * 60);
      expect(r.body.retryAfterSeconds).toBe(Number(r.retryAfter));
    }
    // The right password is refused while the account is locked.
    const right = await login(victim.email, TEST_PASSWORD);
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('KSEFOPS_LOGIN_LOCKED');
    expect(right.body.detail).toContain('for this account');
    expect(Number(right.retryAfter)).toBeGreaterThan(0);

    // The audit log tells the same story: one "failed" row per 401, one "locked" row per 429.
    const rows = await stack.prisma.auditEvent.findMany({ where: { action: 'auth.login', targetType: 'login', targetId: victim.email } });
    expect(rows.filter((r) => r.result === 'failed')).toHaveLength(counts[401]);
    expect(rows.filter((r) => r.result === 'locked')).toHaveLength(counts[429] + 1);
    expect(rows.filter((r) => r.result === 'ok')).toHaveLength(counts[200]);
  });

  it('one address spraying many accounts is stopped by the per-address limit, which then refuses a right password too', async () => {
    const before = await stack.prisma.auditEvent.count({ where: { action: 'auth.login', result: 'failed' } });
    const emails = Array.from({ length: 30 }, (_, i) => `nobody.${i}.${stack.auth.tag}@test.ksef-ops.local`);
    const results = await Promise.all(emails.map((email) => login(email, 'Summer2026!Summer2026!')));
    const failed = results.filter((r) => r.status === 401).length;
    // Unknown accounts fail like known ones; the address had `before` failures already.
    expect(before + failed).toBeLessThanOrEqual(PER_IP);
    expect(results.filter((r) => r.status === 429).length).toBe(emails.length - failed);
    expect(results.every((r) => r.status === 401 || r.status === 429)).toBe(true);

    const monitor = stack.auth.users.monitor;
    const refused = await login(monitor.email, TEST_PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toContain('from this address');
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // Refused before any check: the monitor's own counter got its attempt back.
    const own = await stack.prisma.loginThrottle.findUnique({ where: { key: `account:${monitor.email}` } });
    expect(own?.failures ?? 0).toBe(0);
  });

  it('a window ends: the next attempt after it starts a new count (the counter statement on the real database)', async () => {
    const key = `account:window.${stack.auth.tag}@test.ksef-ops.local`;
    const charge = () => chargeLoginAttempt(stack.prisma, [{ key, max: 2 }], 400);
    expect((await charge())[0].failures).toBe(1);
    expect((await charge())[0].failures).toBe(2);
    const third = (await charge())[0];
    expect(third.failures).toBe(3);
    expect(third.retryAfterSeconds).toBe(1);
    await eventually(async () => (await charge())[0].failures === 1, 5000, 100);
  });
});
