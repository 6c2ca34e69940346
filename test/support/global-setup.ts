/**
 * Starts the real infrastructure once per test run: a Temporal dev server (the official CLI) and
 * PostgreSQL — the server named by DATABASE_URL (a fresh database per run) or an embedded one —
 * with the committed migrations applied. Ports are picked free so runs can share a machine.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { migrateDeploy } from '../../infra/migrate';
import { ensureDatabase, startEmbeddedPostgres } from '../../infra/postgres';
import { freePort } from '../../infra/processes';
import { startTemporalDevServer } from '../../infra/temporal-dev-server';
import { WORKFLOWS_PATH } from '../../worker/create-worker';
import { saveTestInfra } from './infra-state';

const ROOT = path.resolve(__dirname, '..', '..');

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'ksef-ops-test-'));

  const temporalPort = await freePort();
  const temporal = await startTemporalDevServer({ rootDir: ROOT, dataDir: workDir, port: temporalPort, headless: true });

  let databaseUrl: string;
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/ksefops_test_${Date.now()}_${process.pid}`;
    databaseUrl = url.toString();
    await ensureDatabase(databaseUrl);
  } else {
    embedded = await startEmbeddedPostgres(workDir, await freePort(), 'ksefops_test');
    databaseUrl = embedded.url;
  }
  await migrateDeploy(ROOT, databaseUrl);

  // One webpack bundle of the workflows for all test files (each worker would otherwise rebuild it).
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_DATABASE_URL = databaseUrl;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_WORK_DIR = workDir;
  saveTestInfra({ temporal, embedded, databaseUrl, dropDatabase: !embedded, workDir });
  process.stdout.write(`\n[test infra] Temporal ${temporal.address}, PostgreSQL ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}, ready in ${Date.now() - started} ms\n`);
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`${message}\n`),
  error: (message: string) => process.stderr.write(`${message}\n`),
};
