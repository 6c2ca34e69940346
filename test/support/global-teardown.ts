import { rmSync } from 'node:fs';
import { dropDatabase } from '../../infra/postgres';
import { loadTestInfra } from './infra-state';

export default async function globalTeardown(): Promise<void> {
  const infra = loadTestInfra();
  if (!infra) return;
  await infra.temporal.stop();
  if (infra.dropDatabase) await dropDatabase(infra.databaseUrl).catch(() => undefined);
  if (infra.embedded) await infra.embedded.stop();
  rmSync(infra.workDir, { recursive: true, force: true });
}
