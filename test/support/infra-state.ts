import type { RunningPostgres } from '../../infra/postgres';
import type { RunningDevServer } from '../../infra/temporal-dev-server';

/** Handles from global setup, kept for global teardown (both run in jest's parent process). */
export interface TestInfra {
  temporal: RunningDevServer;
  embedded?: RunningPostgres;
  databaseUrl: string;
  dropDatabase: boolean;
  workDir: string;
}

const KEY = Symbol.for('ksef-ops.test-infra');

export function saveTestInfra(infra: TestInfra): void {
  (globalThis as Record<symbol, unknown>)[KEY] = infra;
}

export function loadTestInfra(): TestInfra | undefined {
  return (globalThis as Record<symbol, unknown>)[KEY] as TestInfra | undefined;
}
