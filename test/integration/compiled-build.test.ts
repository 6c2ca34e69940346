/**
 * The production tree (`npm run build` → compiled JavaScript, what the image runs): the simulator,
 * the worker and the API started with plain `node` from it, no tsx and no TypeScript source beside
 * them, carry an invoice to ACCEPTED; migrations run from it with the Prisma CLI.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { dropDatabase, ensureDatabase } from '../../infra/postgres';
import { freePort, stopChild, waitFor } from '../../infra/processes';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { createTestAuth } from '../support/auth';
import { nipWithChecksum } from '../../domain/nip';
import { sampleInvoice } from '../support/invoices';
import { testEnv } from '../support/stack';

const ROOT = path.resolve(__dirname, '..', '..');
/**
 * A seller of its own: the production worker names its dispatcher after the seller NIP alone, and on
 * the run's shared Temporal server a dispatcher left on this file's task queue would take the sample
 * seller's invoices of later files.
 */
const SELLER = (() => {
  for (;;) {
    const nip = nipWithChecksum(`6${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`);
    if (nip) return nip;
  }
})();
const run = promisify(execFile);

describe('the compiled production tree', () => {
  let out: string;
  let databaseUrl: string;
  let prisma: PrismaClient;
  const children: ChildProcess[] = [];
  let logs = '';

  const startNode = (entry: string, env: NodeJS.ProcessEnv) => {
    const child = spawn(process.execPath, [path.join(out, entry)], { cwd: out, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => (logs = (logs + c.toString('utf8')).slice(-20000)));
    child.stderr!.on('data', (c: Buffer) => (logs = (logs + c.toString('utf8')).slice(-20000)));
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    out = path.join(mkdtempSync(path.join(os.tmpdir(), 'ksef-ops-build-')), 'app');
    await run('sh', [path.join(ROOT, 'scripts', 'build.sh')], { cwd: ROOT, env: { ...process.env, OUT: out }, maxBuffer: 64 * 1024 * 1024 });
    // The image installs production dependencies beside the tree; here the clone's own serve.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules'));
    // An empty database: the compiled tree's migrations create everything.
    const url = new URL(testEnv().databaseUrl);
    url.pathname = `${url.pathname}_compiled`;
    databaseUrl = url.toString();
    await ensureDatabase(databaseUrl);
    prisma = createPrismaClient(databaseUrl, 2);
  }, 400_000);

  afterAll(async () => {
    for (const child of children.reverse()) await stopChild(child, 15_000);
    await prisma?.$disconnect();
    if (databaseUrl) await dropDatabase(databaseUrl);
    rmSync(path.dirname(out), { recursive: true, force: true });
  }, 60_000);

  it('holds JavaScript only, the workflow bundle and the files read at run time', () => {
    for (const file of ['api/main.js', 'worker/main.js', 'ksef-simulator/main.js', 'workflow-bundle.js', 'fa3/xsd-thread.mjs', 'web/index.html', 'package.json']) {
      expect({ file, exists: existsSync(path.join(out, file)) }).toEqual({ file, exists: true });
    }
    expect(existsSync(path.join(out, 'api', 'main.ts'))).toBe(false);
  });

  it('applies the migrations and carries an invoice to ACCEPTED with plain node', async () => {
    const migrate = await run(path.join(out, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], {
      cwd: out,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_OPTIONS: `--require ${path.join(out, 'prisma', 'cli-preload.cjs')}`, CHECKPOINT_DISABLE: '1' },
    }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: `${error.stdout}\n${error.stderr}` }));
    expect(migrate.stdout).toMatch(/successfully applied|No pending migrations/);

    const [simPort, apiPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const taskQueue = `compiled-${Date.now()}`;
    const auth = await createTestAuth(prisma, { sellerNips: [SELLER] });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: testEnv().address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      KSEF_BASE_URL: `http://127.0.0.1:${simPort}/v2`,
      KSEF_SIM_PORT: String(simPort),
      KSEF_SIM_STATE_DIR: path.join(path.dirname(out), 'simulator'),
      KSEF_SIM_LOG_LEVEL: 'warn',
      PORT: String(apiPort),
      WORKER_WORKFLOW_BUNDLE: path.join(out, 'workflow-bundle.js'),
      WORKER_METRICS_BIND: `127.0.0.1:${metricsPort}`,
    };
    startNode('ksef-simulator/main.js', env);
    startNode('worker/main.js', env);
    startNode('api/main.js', env);
    await waitFor('the compiled API', async () => (await fetch(`http://127.0.0.1:${apiPort}/readyz`).catch(() => null))?.ok === true, 120_000, 500).catch((error) => {
      throw new Error(`${(error as Error).message}\n${logs}`);
    });

    const headers = { ...(await auth.headersFor('sender-key')), 'content-type': 'application/json' };
    const submitted = await fetch(`http://127.0.0.1:${apiPort}/api/v1/invoices`, { method: 'POST', headers, body: JSON.stringify(sampleInvoice({ seller: { nip: SELLER, name: 'Kompilat Sp. z o.o.', address: { countryCode: 'PL', line1: 'ul. Gotowa 3' } } })) });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    let invoice: { status: string; ksefNumber: string | null } = { status: 'unknown', ksefNumber: null };
    await waitFor('the invoice to be accepted', async () => {
      invoice = (await (await fetch(`http://127.0.0.1:${apiPort}/api/v1/invoices/${id}`, { headers })).json()) as typeof invoice;
      return invoice.status === 'ACCEPTED';
    }, 90_000, 500).catch((error) => {
      throw new Error(`${(error as Error).message}: last status ${invoice.status}\n${logs}`);
    });
    expect(invoice.ksefNumber).toMatch(new RegExp(`^${SELLER}-\\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$`));
    for (const child of children) expect(child.spawnargs.join(' ')).not.toMatch(/tsx/);
  }, 300_000);
});
