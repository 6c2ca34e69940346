/**
 * Worker processes for the bench, started like a container would start them (env only). Unlike the
 * tests' spawnWorker, output is not kept in memory (it would grow with every invoice) and the process
 * is node itself — not the tsx launcher — so its pid is the one whose RSS and CPU are read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { stopChild } from '../../infra/processes';
import { ROOT } from './infra';

export interface BenchProcess {
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

/** An interrupted bench must not leave workers polling a Temporal server that is gone. */
export function killChildren(): void {
  for (const child of live) child.kill('SIGKILL');
}

/**
 * Output of every bench child goes to a log file under BENCH_LOG_DIR (the run's work directory). The
 * child is ready when it prints that it polls (workers), or when `isReady` says so (servers).
 */
export async function spawnNodeProcess(entry: string, env: NodeJS.ProcessEnv, label: string, isReady?: () => Promise<boolean>): Promise<BenchProcess> {
  const logDir = process.env.BENCH_LOG_DIR ?? path.join(ROOT, '.data', 'bench-logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${label.replace(/[^\w.-]+/g, '_')}-${Date.now()}.log`);
  const log = createWriteStream(logFile);
  // BENCH_PROFILE_DIR=dir writes a V8 CPU profile of every child process (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE_DIR)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let tail = '';
  let ready = false;
  const keepTail = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (!isReady && text.includes('worker polling')) ready = true;
    tail = (tail + text).slice(-4000);
    log.write(chunk);
  };
  child.stdout!.on('data', keepTail);
  child.stderr!.on('data', keepTail);
  let stopping = false;
  child.once('exit', (code, signal) => {
    log.end();
    // A worker that dies mid-measurement would otherwise show up only as a stalled progress bar.
    if (!stopping) process.stderr.write(`\n${label} exited unexpectedly (code ${code}, signal ${signal}); log: ${logFile}\n${tail.slice(-1500)}\n`);
  });
  const deadline = Date.now() + 120_000;
  while (!ready) {
    if (child.exitCode !== null) throw new Error(`${label} exited during start-up:\n${tail}`);
    if (isReady && (await isReady().catch(() => false))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label} did not start polling within 120 s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    child,
    stop: () => {
      stopping = true;
      return stopChild(child, 15_000);
    },
  };
}

/** The product's worker (worker/main.ts) — LOG_LEVEL info because it announces readiness at info. */
export function spawnProductWorker(o: { address: string; databaseUrl: string; taskQueue: string; bundle: string; ksefBaseUrl: string; env?: NodeJS.ProcessEnv; identity: string }) {
  return spawnNodeProcess(
    'worker/main.ts',
    {
      LOG_LEVEL: 'info',
      DATABASE_URL: o.databaseUrl,
      TEMPORAL_ADDRESS: o.address,
      TEMPORAL_TASK_QUEUE: o.taskQueue,
      WORKER_IDENTITY: o.identity,
      WORKER_WORKFLOW_BUNDLE: o.bundle,
      KSEF_BASE_URL: o.ksefBaseUrl,
      ...o.env,
    },
    o.identity,
  );
}

export function spawnBareWorker(o: { address: string; taskQueue: string; bundle: string; env?: NodeJS.ProcessEnv }) {
  return spawnNodeProcess('bench/bare/worker.ts', { TEMPORAL_ADDRESS: o.address, TEMPORAL_TASK_QUEUE: o.taskQueue, WORKER_WORKFLOW_BUNDLE: o.bundle, ...o.env }, 'bare worker');
}

/**
 * The KSeF simulator in a process of its own, as KSeF is not inside the product: its CPU is KSeF's
 * work, measured apart from the API's. Faults are set through its admin API once it listens.
 */
export async function spawnSimulator(o: { port: number; rateLimits: 'published' | 'off' }) {
  const rootUrl = `http://127.0.0.1:${o.port}`;
  const proc = await spawnNodeProcess(
    'ksef-simulator/main.ts',
    { KSEF_SIM_PORT: String(o.port), KSEF_SIM_HOST: '127.0.0.1', KSEF_SIM_RATE_LIMITS: o.rateLimits, KSEF_SIM_LOG_LEVEL: 'warn' },
    `simulator-${o.port}`,
    async () => (await fetch(`${rootUrl}/_sim/requests`)).ok,
  );
  return { ...proc, rootUrl, url: `${rootUrl}/v2` };
}

/** Resident set size (VmRSS) of a process, in MiB. */
export function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.replace(/\D+/g, ' ').trim().split(' ')[0]) / 1024 : NaN;
}

/** User + system CPU seconds a process has used so far (/proc/<pid>/stat, clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds of every PostgreSQL process on the machine (the bench's server, embedded or not): live
 * processes' own time plus what the postmaster has reaped from backends that already exited.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended between the listing and the read; its time is now its parent's
    }
  }
  return total / 100;
}

export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
