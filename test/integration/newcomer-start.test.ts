/**
 * A newcomer's first ten minutes: `npm start` on the embedded default (no DATABASE_URL: embedded
 * PostgreSQL, its own Temporal dev server, the local simulator), then the README's quickstart lines
 * run verbatim (only the port differs) and print an ACCEPTED invoice with its KSeF number; every demo
 * person can sign in. The whole system runs as the child processes `npm start` itself starts.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../../api/auth/demo-seed';
import { freePort, stopChild, waitFor } from '../../infra/processes';

const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

/** The shell block between the quickstart markers of README.md. */
function quickstartLines(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- quickstart:begin -->\s*```sh\n([\s\S]*?)```\s*<!-- quickstart:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no quickstart block between <!-- quickstart:begin/end --> markers');
  return block[1];
}

describe('npm start on a fresh data directory', () => {
  let start: ChildProcess;
  let output = '';
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'ksef-ops-newcomer-'));
    port = await freePort();
    const [temporalPort, uiPort, simPort, pgPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['DATABASE_URL', 'NODE_ENV', 'KSEF_BASE_URL', 'KSEF_START_SIMULATOR', 'KSEFOPS_DEMO_SEED', 'JEST_WORKER_ID']) delete env[name];
    Object.assign(env, {
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_UI_URL: `http://127.0.0.1:${uiPort}`,
      KSEF_SIM_PORT: String(simPort),
      KSEF_BASE_URL: `http://127.0.0.1:${simPort}/v2`,
      LOG_LEVEL: 'warn',
    });
    start = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'scripts', 'start.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    start.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    start.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    await waitFor('ksef-ops is running', async () => {
      if (start.exitCode !== null) throw new Error(`npm start exited with ${start.exitCode}:\n${output.slice(-4000)}`);
      return output.includes('ksef-ops is running');
    }, 240_000, 500);
  }, 300_000);

  afterAll(async () => {
    if (start) await stopChild(start, 30_000);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('prints the demo identities in its banner', () => {
    for (const person of DEMO_PEOPLE) expect(output).toContain(person.email);
    expect(output).toContain(DEMO_PASSWORD);
    expect(output).toMatch(/DEMO API key of source system "erp"/);
  });

  it("runs the README's quickstart lines verbatim to an ACCEPTED invoice with a KSeF number", async () => {
    const script = quickstartLines().replaceAll('localhost:3000', `localhost:${port}`);
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, timeout: 60_000 });
    const invoice = JSON.parse(stdout) as { status: string; ksefNumber: string | null; invoiceNumber: string };
    expect(invoice.status).toBe('ACCEPTED');
    expect(invoice.ksefNumber).toMatch(/^5260001246-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/);
  }, 90_000);

  it('lets every demo person sign in with the printed password', async () => {
    for (const person of DEMO_PEOPLE) {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: person.email, password: DEMO_PASSWORD }),
      });
      expect({ email: person.email, status: res.status }).toEqual({ email: person.email, status: 200 });
    }
  });
});
