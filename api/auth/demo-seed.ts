import type { Logger } from '../../config/logger';
import type { PrismaClient } from '../../prisma/client';
import { normaliseEmail, type RoleName } from '../../prisma/access-repository';
import { hashPassword } from './passwords';
import { API_KEY_PREFIX, sha256Hex } from './tokens';

/**
 * The demo identities `npm start` creates on the embedded default, so the first command leads to
 * the main job (sign in, submit, watch it reach KSeF) instead of "nobody can sign in". They are
 * printed in the start banner and written in the README, so they are public by design: they exist
 * only on a database `npm start` itself created, next to the local simulator, never in production.
 */
export const DEMO_PASSWORD = 'demo-ksef-ops-2026';
export const DEMO_SELLER_NIP = '5260001246';
const DEMO_KEY_ID = 'demo0000erp0';
export const DEMO_API_KEY = `${API_KEY_PREFIX}${DEMO_KEY_ID}_DEMO-ONLY-public-key-of-the-local-demo`;

export const DEMO_PEOPLE: ReadonlyArray<{ email: string; name: string; roles: RoleName[] }> = [
  { email: 'admin@demo.ksef-ops.test', name: 'DEMO Administrator', roles: ['admin'] },
  { email: 'sender@demo.ksef-ops.test', name: 'DEMO Sender', roles: ['sender'] },
  { email: 'corrector@demo.ksef-ops.test', name: 'DEMO Corrector (finance)', roles: ['corrector'] },
  { email: 'approver@demo.ksef-ops.test', name: 'DEMO Approver', roles: ['approver'] },
  { email: 'monitor@demo.ksef-ops.test', name: 'DEMO Monitor (process owner)', roles: ['monitor'] },
];

export interface DemoSeedContext {
  nodeEnv: string;
  /** DATABASE_URL as configured: set means a database somebody else runs, never seeded. */
  configuredDatabaseUrl: string | undefined;
  startSimulator: boolean;
  ksefBaseUrl: string;
  /** KSEFOPS_DEMO_SEED=false turns it off even on the embedded default. */
  enabled: boolean;
}

/** Why the demo is not seeded, or null when it may be. Pure: tested without a database. */
export function demoSeedRefusal(c: DemoSeedContext): string | null {
  if (!c.enabled) return 'KSEFOPS_DEMO_SEED=false';
  if (c.nodeEnv === 'production') return 'NODE_ENV=production';
  if (c.configuredDatabaseUrl) return 'DATABASE_URL is set (not the embedded database)';
  if (!c.startSimulator) return 'KSEF_START_SIMULATOR=false (a real KSeF may be configured)';
  if (!isLoopbackUrl(c.ksefBaseUrl)) return `KSEF_BASE_URL ${new URL(c.ksefBaseUrl).host} is not the local simulator`;
  return null;
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Creates the demo people and the `erp` demo key once, on a database with no user at all (a
 * database that already has people is somebody's installation, not a fresh demo).
 */
export async function seedDemo(prisma: PrismaClient, logger: Logger, context: DemoSeedContext): Promise<'created' | 'exists' | 'refused'> {
  const refusal = demoSeedRefusal(context);
  if (refusal) {
    logger.info({ reason: refusal }, 'demo identities not created (KSEFOPS_DEMO_SEED_SKIPPED)');
    return 'refused';
  }
  if ((await prisma.apiKey.count({ where: { prefix: DEMO_KEY_ID } })) > 0) return 'exists';
  if ((await prisma.user.count()) > 0) return 'refused';
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  // One transaction: a start interrupted half-way leaves no people without the key (or the reverse).
  await prisma.$transaction(async (tx) => {
    const audit: Array<{ actor: string; action: string; targetType: string; targetId: string; result: string; details: object }> = [];
    for (const person of DEMO_PEOPLE) {
      const user = await tx.user.create({ data: { email: normaliseEmail(person.email), name: person.name, roles: person.roles, passwordHash }, select: { id: true } });
      audit.push({ actor: 'system', action: 'user.create', targetType: 'user', targetId: user.id, result: 'demo-seed', details: { email: person.email, roles: person.roles } });
    }
    const key = await tx.apiKey.create({
      data: { name: 'DEMO erp key (local demo only)', sourceSystem: 'erp', sellerNips: [DEMO_SELLER_NIP], prefix: DEMO_KEY_ID, keyHash: sha256Hex(DEMO_API_KEY), createdBy: 'system' },
      select: { id: true },
    });
    audit.push({ actor: 'system', action: 'api-key.create', targetType: 'api-key', targetId: key.id, result: 'demo-seed', details: { prefix: DEMO_KEY_ID, sourceSystem: 'erp' } });
    await tx.auditEvent.createMany({ data: audit });
  });
  logger.warn('demo identities created: local demo only (KSEFOPS_DEMO_SEEDED)');
  return 'created';
}

/** The banner lines `npm start` prints while the demo identities exist. */
export function demoBanner(uiUrl: string): string[] {
  return [
    '  DEMO sign-in (local demo only, never in production):',
    ...DEMO_PEOPLE.map((p) => `    ${p.email.padEnd(30)} ${DEMO_PASSWORD}   ${p.roles.join(', ')}`),
    `    Web UI: ${uiUrl}`,
    `  DEMO API key of source system "erp" (seller ${DEMO_SELLER_NIP}): ${DEMO_API_KEY}`,
  ];
}
