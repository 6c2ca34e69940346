/** A database of its own for a test file that asserts global facts (how many admins exist, …). */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { migrateDeploy } from '../../infra/migrate';
import { dropDatabase, ensureDatabase } from '../../infra/postgres';
import { testEnv } from './stack';

const ROOT = path.resolve(__dirname, '..', '..');

export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const url = new URL(testEnv().databaseUrl);
  url.pathname = `${url.pathname}_own_${randomUUID().slice(0, 8)}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  await migrateDeploy(ROOT, databaseUrl);
  return { url: databaseUrl, drop: () => dropDatabase(databaseUrl) };
}
