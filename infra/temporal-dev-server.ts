import { execFileSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from './search-attributes';
import { spawnLogged, stopChild, waitFor } from './processes';

export interface DevServerOptions {
  rootDir: string;
  dataDir: string;
  port: number;
  uiPort?: number;
  /** Tests run without the Web UI. */
  headless?: boolean;
  namespace?: string;
  /** Persistent SQLite file; when absent the server keeps state in memory. */
  dbFile?: string;
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function temporalCliPath(rootDir: string): string {
  return execFileSync('sh', [path.join(rootDir, 'scripts', 'ensure-temporal.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** Start `temporal server start-dev` with the product's search attributes and wait until it serves. */
export async function startTemporalDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const cli = temporalCliPath(options.rootDir);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  args.push('--namespace', options.namespace ?? 'default');
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.headless || !options.uiPort) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);

  const child = spawnLogged(cli, args, path.join(options.dataDir, 'logs', `temporal-${options.port}.log`));
  const address = `127.0.0.1:${options.port}`;
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(
    `Temporal dev server on ${address} (log: ${path.join(options.dataDir, 'logs')})`,
    async () => {
      if (exited) throw new Error('temporal server exited during start-up');
      return temporalFrontendAnswers(address);
    },
    60000,
    300,
  );
  return {
    address,
    uiUrl: options.headless || !options.uiPort ? undefined : `http://127.0.0.1:${options.uiPort}`,
    process: child,
    stop: () => stopChild(child),
  };
}

/** The frontend at `address` answers a system-info call: the dev server's and the real server's "up". */
export async function temporalFrontendAnswers(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.getSystemInfo({});
    return true;
  } finally {
    await connection.close();
  }
}
