/**
 * Identities for tests: one person per role, an "operator" holding every role (the default caller of
 * stack.api, so tests about other things need not care about auth), a sender API key for the example
 * invoices' source system and seller, and named people made on demand (four-eyes tests).
 * Sessions are issued directly in the database — the login endpoint has its own tests.
 */
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../api/auth/passwords';
import { newApiKey, newSessionToken, sha256Hex } from '../../api/auth/tokens';
import type { PrismaClient } from '../../prisma/client';
import { ROLES, createSession, createUser, type RoleName } from '../../prisma/access-repository';
import { SELLER_NIP } from './invoices';

export const TEST_PASSWORD = 'correct horse battery staple';

/** Who a test call is made as. */
export type CallAs = RoleName | 'operator' | 'sender-key' | 'anonymous' | { user: string; roles: RoleName[] } | { token: string };

export interface TestIdentity {
  id: string;
  email: string;
  token: string;
}

export interface TestAuth {
  users: Record<RoleName | 'operator', TestIdentity>;
  senderKey: string;
  /** A named person with the given roles (created once per name). */
  person(name: string, roles: RoleName[]): Promise<TestIdentity>;
  headersFor(as?: CallAs): Promise<Record<string, string>>;
  tag: string;
}

let passwordHash: Promise<string> | null = null;

export async function createTestAuth(prisma: PrismaClient, options: { sourceSystem?: string; sellerNips?: string[] } = {}): Promise<TestAuth> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const hash = await passwordHash;
  const tag = randomUUID().slice(0, 8);
  const issue = async (name: string, roles: RoleName[]): Promise<TestIdentity> => {
    const user = await createUser(prisma, { email: `${name}.${tag}@test.ksef-ops.local`, name, passwordHash: hash, roles });
    const token = newSessionToken();
    await createSession(prisma, user.id, sha256Hex(token), new Date(Date.now() + 24 * 60 * 60 * 1000));
    return { id: user.id, email: user.email, token };
  };
  const users = {} as Record<RoleName | 'operator', TestIdentity>;
  for (const role of ROLES) users[role] = await issue(role, [role]);
  users.operator = await issue('operator', [...ROLES]);
  const { key, prefix } = newApiKey();
  await prisma.apiKey.create({
    data: { name: `test sender ${tag}`, sourceSystem: options.sourceSystem ?? 'erp', sellerNips: options.sellerNips ?? [SELLER_NIP], prefix, keyHash: sha256Hex(key), createdBy: 'test' },
  });
  const people = new Map<string, Promise<TestIdentity>>();
  const person = (name: string, roles: RoleName[]) => {
    const k = `${name}|${[...roles].sort().join(',')}`;
    if (!people.has(k)) people.set(k, issue(name, roles));
    return people.get(k)!;
  };
  return {
    users,
    senderKey: key,
    person,
    tag,
    async headersFor(as: CallAs = 'operator'): Promise<Record<string, string>> {
      if (as === 'anonymous') return {};
      if (as === 'sender-key') return { authorization: `Bearer ${key}` };
      if (typeof as === 'object') return { authorization: `Bearer ${'token' in as ? as.token : (await person(as.user, as.roles)).token}` };
      return { authorization: `Bearer ${users[as].token}` };
    },
  };
}
