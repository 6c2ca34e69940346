/**
 * Registry list/filter latency at volume: the colleague's benchmark (bench/registry-latency.ts) as a
 * child process on this run's PostgreSQL server; its markdown table is taken over as it prints it.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support/infra';
import { loadAverage } from '../support/processes';

const run = promisify(execFile);

export async function registryLatency(serverUrl: string, rows: number): Promise<{ rows: number; markdown: string; seconds: number; load: string }> {
  const started = Date.now();
  const child = run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'registry-latency.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: serverUrl, BENCH_ROWS: String(rows) },
    maxBuffer: 16 * 1024 * 1024,
  });
  // Its progress goes to stderr: pass it through so the run shows it is alive.
  child.child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const { stdout } = await child;
  return { rows, markdown: stdout.trim(), seconds: (Date.now() - started) / 1000, load: loadAverage() };
}
