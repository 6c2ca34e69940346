import { PrismaPg } from '@prisma/adapter-pg';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * Driver adapter for the Prisma CLI (migrate deploy/status/diff on the wasm schema engine).
 *
 * Why the shim: the wasm schema engine reads catalog columns of PostgreSQL's `name` type (OID 19),
 * (and `name[]`, OID 1003), which adapter-pg 6.19 cannot map ("Column type 'name' could not be deserialized", prisma/orm
 * issue 27403). Reporting those columns as `text` (OID 25) is lossless — `name` is text on the wire.
 * Only the CLI uses this; the application's client does not read catalog tables.
 */
const PG_NAME_OID = 19;
const PG_TEXT_OID = 25;
const PG_NAME_ARRAY_OID = 1003;
const PG_TEXT_ARRAY_OID = 1009;

type QueryResultLike = { fields?: Array<{ dataTypeID: number }> };

function relabelNameColumns<T>(result: T): T {
  const fields = (result as QueryResultLike | undefined)?.fields;
  if (Array.isArray(fields)) {
    for (const field of fields) {
      if (field.dataTypeID === PG_NAME_OID) field.dataTypeID = PG_TEXT_OID;
      else if (field.dataTypeID === PG_NAME_ARRAY_OID) field.dataTypeID = PG_TEXT_ARRAY_OID;
    }
  }
  return result;
}

type AnyQuery = (...args: unknown[]) => unknown;

function wrapQuery(target: { query: AnyQuery }) {
  const original = target.query.bind(target);
  target.query = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (err: unknown, res: unknown) => void;
      return original(...args.slice(0, -1), (err: unknown, res: unknown) => callback(err, relabelNameColumns(res)));
    }
    const out = original(...args);
    return out instanceof Promise ? out.then(relabelNameColumns) : out;
  };
}

export function createCliAdapter() {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) {
    throw new Error('DATABASE_URL is not set (KSEFOPS_DATABASE_URL_MISSING): the Prisma CLI needs a database to talk to.');
  }
  const { factory, pool } = shimmedAdapter(connectionString);
  // `migrate diff --from-migrations` replays migrations into a throwaway database; adapter-pg would
  // open it with a plain pool, so the shims above would not apply there.
  factory.connectToShadowDb = async () => {
    const database = `prisma_migrate_shadow_db_${randomUUID().replace(/-/g, '')}`;
    await pool.query(`CREATE DATABASE "${database}"`);
    const url = new URL(connectionString);
    url.pathname = `/${database}`;
    const shadow = shimmedAdapter(url.toString());
    const adapter = await shadow.factory.connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await shadow.pool.end();
      await pool.query(`DROP DATABASE IF EXISTS "${database}"`);
    };
    return adapter;
  };
  return factory;
}

function shimmedAdapter(connectionString: string) {
  // allowExitOnIdle: the CLI process must exit as soon as the engine is done, not after the idle timeout.
  const pool = new pg.Pool({ connectionString, max: 2, allowExitOnIdle: true, idleTimeoutMillis: 50 });
  wrapQuery(pool as unknown as { query: AnyQuery });
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { connect: AnyQuery }).connect = (...args: unknown[]) => {
    const cb = args[0];
    if (typeof cb === 'function') {
      return connect((err: unknown, client: pg.PoolClient | undefined, done: unknown) => {
        if (client) wrapQuery(client as unknown as { query: AnyQuery });
        (cb as (...a: unknown[]) => void)(err, client, done);
      });
    }
    return (connect() as Promise<pg.PoolClient>).then((client) => {
      wrapQuery(client as unknown as { query: AnyQuery });
      return client;
    });
  };
  return { factory: withWholeScriptExecution(new PrismaPg(pool), pool), pool };
}
/**
 * adapter-pg runs a migration script by splitting it on every ';', which breaks dollar-quoted
 * function bodies (our append-only audit trigger). PostgreSQL's simple-query protocol accepts the
 * whole script at once, so the CLI's connections send it unsplit.
 */
function withWholeScriptExecution(factory: PrismaPg, pool: pg.Pool): PrismaPg {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const withErrors = adapter as unknown as { onError(error: unknown): never };
    adapter.executeScript = async (script: string) => {
      try {
        await pool.query(script);
      } catch (error) {
        withErrors.onError(error);
      }
    };
    return adapter;
  };
  return factory;
}
