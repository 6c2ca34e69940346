/**
 * Issue #15 item 9: passwords are hashed with scrypt at OWASP's current parameters (N=2^17, r=8,
 * p=1); a hash made at the old parameters still signs in and is rewritten at the current ones by
 * that sign-in; a wrong password rewrites nothing; a planted hash with an absurd cost is no way in
 * and no way to exhaust memory.
 */
import { randomUUID } from 'node:crypto';
import { PASSWORD_PARAMS, hashPassword, needsRehash, verifyPassword } from '../../../api/auth/passwords';
import { createUser } from '../../../prisma/access-repository';
import { startStack, type TestStack } from '../../support/stack';

jest.setTimeout(300_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const PASSWORD = 'an old but good passphrase';

async function login(email: string, password: string) {
  const res = await fetch(`${stack.apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  return { status: res.status, body: (await res.json()) as { code?: string; token?: string } };
}

async function storedHash(email: string) {
  return (await stack.prisma.user.findUniqueOrThrow({ where: { email } })).passwordHash!;
}

describe('password hashing (issue #15 item 9)', () => {
  it('hashes new passwords at N=2^17, r=8, p=1 with the parameters inside the hash', async () => {
    expect(PASSWORD_PARAMS).toMatchObject({ logN: 17, r: 8, p: 1 });
    const hash = await hashPassword(PASSWORD);
    expect(hash).toMatch(/^scrypt\$17\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(needsRehash(hash)).toBe(false);
    await expect(verifyPassword(PASSWORD, hash)).resolves.toBe(true);
    await expect(verifyPassword(`${PASSWORD}!`, hash)).resolves.toBe(false);
    // A person an administrator creates through the API gets the same.
    const email = `fresh.${randomUUID().slice(0, 8)}@test.ksef-ops.local`;
    const created = await stack.api('/api/v1/users', { body: { email, name: 'Fresh', password: PASSWORD, roles: ['monitor'] }, as: 'admin' });
    expect(created.status).toBe(201);
    expect(await storedHash(email)).toMatch(/^scrypt\$17\$8\$1\$/);
  });

  it('signs in with a hash made at the old parameters and rewrites it at the current ones; a wrong password changes nothing', async () => {
    const email = `legacy.${randomUUID().slice(0, 8)}@test.ksef-ops.local`;
    const old = await hashPassword(PASSWORD, { logN: 15, r: 8, p: 1 });
    expect(old).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(needsRehash(old)).toBe(true);
    await createUser(stack.prisma, { email, name: 'Legacy', passwordHash: old, roles: ['monitor'] });

    expect((await login(email, 'not the passphrase at all')).status).toBe(401);
    expect(await storedHash(email)).toBe(old);

    const first = await login(email, PASSWORD);
    expect(first.status).toBe(200);
    const upgraded = await storedHash(email);
    expect(upgraded).toMatch(/^scrypt\$17\$8\$1\$/);
    expect(upgraded).not.toBe(old);
    await expect(verifyPassword(PASSWORD, upgraded)).resolves.toBe(true);

    // The rewritten hash signs in, and is not rewritten again.
    expect((await login(email, PASSWORD)).status).toBe(200);
    expect(await storedHash(email)).toBe(upgraded);
  });

  it('refuses a stored hash with an absurd cost without computing it', async () => {
    const email = `planted.${randomUUID().slice(0, 8)}@test.ksef-ops.local`;
    const planted = `scrypt$30$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;
    await createUser(stack.prisma, { email, name: 'Planted', passwordHash: planted, roles: ['monitor'] });
    const res = await login(email, PASSWORD);
    expect([res.status, res.body.code]).toEqual([401, 'KSEFOPS_LOGIN_FAILED']);
    expect(needsRehash(planted)).toBe(false);
    await expect(verifyPassword(PASSWORD, planted)).resolves.toBe(false);
  });
});
