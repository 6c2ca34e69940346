import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, spawnLogged, stopChild, waitFor } from './processes';
import { SEARCH_ATTRIBUTES } from './search-attributes';
import { temporalCliPath, temporalFrontendAnswers } from './temporal-dev-server';

const run = promisify(execFile);

/**
 * The production Temporal server (not the dev server) on PostgreSQL, run as a process with the very
 * files docker-compose.yml uses: the schema job, the config template and the namespace job. A test
 * (test/unit/deployment-compose.test.ts) keeps compose, this launcher and docs/OPERATIONS.md on them.
 */
export const TEMPORAL_SERVER_FILES = {
  schemaScript: 'infra/temporal-server/setup-schema.sh',
  namespaceScript: 'infra/temporal-server/setup-namespace.sh',
  configDir: 'infra/temporal-server/config',
  dynamicConfig: 'infra/temporal-server/config/dynamicconfig.yaml',
  env: 'production',
} as const;

export interface TemporalServerOptions {
  rootDir: string;
  logDir: string;
  /** Any database URL on the PostgreSQL server to use: host, port, user and password are taken. */
  postgresUrl: string;
  /** Names of Temporal's two databases (created when missing). */
  databases: { temporal: string; visibility: string };
  historyShards?: number;
  namespace?: string;
}

export interface RunningTemporalServer {
  address: string;
  process(): ChildProcess;
  /** Stops the server process and starts it again on the same ports and databases. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Paths of the server binary, temporal-sql-tool and the release's PostgreSQL schema folder. */
export function temporalServerBinaries(rootDir: string): { server: string; sqlTool: string; schemaDir: string } {
  const [server, sqlTool, schemaDir] = execFileSync('sh', [path.join(rootDir, 'scripts', 'ensure-temporal-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n');
  return { server, sqlTool, schemaDir };
}

export async function startTemporalServer(options: TemporalServerOptions): Promise<RunningTemporalServer> {
  const bin = temporalServerBinaries(options.rootDir);
  const pgUrl = new URL(options.postgresUrl);
  const ports = { frontend: await freePort(), http: await freePort(), metrics: await freePort() };
  const servicePorts = {
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT: await freeMembershipPort(),
    TEMPORAL_MATCHING_PORT: await freePort(),
    TEMPORAL_MATCHING_MEMBERSHIP_PORT: await freeMembershipPort(),
    TEMPORAL_HISTORY_PORT: await freePort(),
    TEMPORAL_HISTORY_MEMBERSHIP_PORT: await freeMembershipPort(),
    TEMPORAL_WORKER_PORT: await freePort(),
    TEMPORAL_WORKER_MEMBERSHIP_PORT: await freeMembershipPort(),
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    SQL_HOST: pgUrl.hostname,
    SQL_PORT: pgUrl.port || '5432',
    SQL_USER: decodeURIComponent(pgUrl.username),
    SQL_PASSWORD: decodeURIComponent(pgUrl.password),
    TEMPORAL_DB: options.databases.temporal,
    TEMPORAL_VISIBILITY_DB: options.databases.visibility,
    TEMPORAL_HISTORY_SHARDS: String(options.historyShards ?? 4),
    TEMPORAL_FRONTEND_PORT: String(ports.frontend),
    TEMPORAL_FRONTEND_HTTP_PORT: String(ports.http),
    TEMPORAL_METRICS_PORT: String(ports.metrics),
    TEMPORAL_DYNAMIC_CONFIG: path.join(options.rootDir, TEMPORAL_SERVER_FILES.dynamicConfig),
    ...Object.fromEntries(Object.entries(servicePorts).map(([k, v]) => [k, String(v)])),
  };
  await run('sh', [path.join(options.rootDir, TEMPORAL_SERVER_FILES.schemaScript)], {
    env: { ...env, SQL_TOOL: bin.sqlTool, SCHEMA_DIR: bin.schemaDir },
    maxBuffer: 16 * 1024 * 1024,
  });

  const address = `127.0.0.1:${ports.frontend}`;
  const args = ['--root', options.rootDir, '--config', TEMPORAL_SERVER_FILES.configDir, '--env', TEMPORAL_SERVER_FILES.env, '--allow-no-auth', 'start'];
  let starts = 0;
  const launch = async (): Promise<ChildProcess> => {
    const child = spawnLogged(bin.server, args, path.join(options.logDir, `temporal-server-${ports.frontend}-${++starts}.log`), env);
    await waitFor(
      `Temporal server on ${address} (log: ${options.logDir})`,
      async () => {
        if (child.exitCode !== null) throw new Error(`temporal-server exited with ${child.exitCode} during start-up`);
        return temporalFrontendAnswers(address);
      },
      120_000,
      500,
    );
    return child;
  };
  let child = await launch();

  const cliDir = path.dirname(temporalCliPath(options.rootDir));
  await run('sh', [path.join(options.rootDir, TEMPORAL_SERVER_FILES.namespaceScript)], {
    env: {
      PATH: `${cliDir}:${process.env.PATH}`,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: options.namespace ?? 'default',
      SEARCH_ATTRIBUTES: Object.entries(SEARCH_ATTRIBUTES)
        .map(([name, type]) => `${name}=${type}`)
        .join(' '),
    },
    timeout: 180_000,
  }).catch(async (error) => {
    await stopChild(child, 30_000);
    throw error;
  });

  return {
    address,
    process: () => child,
    async restart() {
      await stopChild(child, 30_000);
      child = await launch();
    },
    stop: () => stopChild(child, 30_000),
  };
}

/**
 * The server stores membership ports in a smallint column (cluster_membership.rpc_port), so they
 * must stay below 32768 — under the OS's ephemeral range, where freePort() answers from.
 */
async function freeMembershipPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await canListen(port)) return port;
  }
  throw new Error('KSEFOPS_NO_FREE_PORT: no free port below 32768 for Temporal membership');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
