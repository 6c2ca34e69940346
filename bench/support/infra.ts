/**
 * The bench's own infrastructure, started the way the tests start theirs (test/support/global-setup.ts):
 * a Temporal dev server on a free port, PostgreSQL (a scratch database on DATABASE_URL's server, else
 * embedded), the committed migrations, and the workflow bundles built once for every worker process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { migrateDeploy } from '../../infra/migrate';
import { dropDatabase, ensureDatabase, startEmbeddedPostgres, type RunningPostgres } from '../../infra/postgres';
import { freePort } from '../../infra/processes';
import { startTemporalDevServer, type RunningDevServer } from '../../infra/temporal-dev-server';
import { WORKFLOWS_PATH } from '../../worker/create-worker';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BARE_WORKFLOWS_PATH = path.resolve(__dirname, '..', 'bare', 'workflow.ts');

export interface BenchInfra {
  temporalAddress: string;
  temporalPid: number;
  databaseUrl: string;
  /** Base URL of the PostgreSQL server (for the registry benchmark's own scratch database). */
  serverUrl: string;
  embedded: boolean;
  productBundle: string;
  bareBundle: string;
  workDir: string;
  stop(): Promise<void>;
}

export async function startBenchInfra(say: (line: string) => void): Promise<BenchInfra> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'ksef-ops-bench-'));
  process.env.BENCH_LOG_DIR = path.join(workDir, 'logs');
  const temporal: RunningDevServer = await startTemporalDevServer({ rootDir: ROOT, dataDir: workDir, port: await freePort(), headless: true });
  say(`Temporal dev server ${temporal.address}`);

  let embedded: RunningPostgres | undefined;
  let databaseUrl = '';
  let serverUrl: string;
  // A failure past this point must not leave the dev server (or embedded PostgreSQL) running on its own.
  const abandon = async (error: unknown): Promise<never> => {
    await temporal.stop().catch(() => undefined);
    if (embedded) await embedded.stop().catch(() => undefined);
    else if (databaseUrl) await dropDatabase(databaseUrl).catch(() => undefined);
    throw error;
  };
  try {
    if (process.env.DATABASE_URL) {
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = `/ksefops_bench_${Date.now()}_${process.pid}`;
      databaseUrl = url.toString();
      serverUrl = process.env.DATABASE_URL;
      await ensureDatabase(databaseUrl);
    } else {
      embedded = await startEmbeddedPostgres(workDir, await freePort(), 'ksefops_bench');
      databaseUrl = embedded.url;
      serverUrl = embedded.url.replace(/\/[^/]*$/, '/postgres');
    }
    await migrateDeploy(ROOT, databaseUrl);
  } catch (error) {
    return abandon(error);
  }
  say(`PostgreSQL ${embedded ? 'embedded' : 'DATABASE_URL server'}, migrated`);

  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => process.stderr.write(`${m}\n`) };
  const productBundle = path.join(workDir, 'product-bundle.js');
  writeFileSync(productBundle, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet })).code);
  const bareBundle = path.join(workDir, 'bare-bundle.js');
  writeFileSync(bareBundle, (await bundleWorkflowCode({ workflowsPath: BARE_WORKFLOWS_PATH, logger: quiet })).code);
  say('workflow bundles built');

  return {
    temporalAddress: temporal.address,
    temporalPid: temporal.process.pid ?? 0,
    databaseUrl,
    serverUrl,
    embedded: !!embedded,
    productBundle,
    bareBundle,
    workDir,
    async stop() {
      await temporal.stop().catch(() => undefined);
      if (embedded) await embedded.stop().catch(() => undefined);
      else await dropDatabase(databaseUrl).catch(() => undefined);
      if (!process.env.BENCH_KEEP_LOGS) rmSync(workDir, { recursive: true, force: true });
    },
  };
}
