/**
 * Migrations can never silently drift from the Prisma schema (prisma/schema/): the database built by the committed
 * migrations must have exactly the tables, columns, indexes, constraints and enums that Prisma
 * derives from the schema. (`migrate diff --from-migrations` needs a shadow database that the wasm
 * engine cannot use here, so this compares catalogs of two real databases instead.)
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { prismaCliEnv } from '../../infra/migrate';
import { dropDatabase, ensureDatabase } from '../../infra/postgres';
import { testEnv } from '../support/stack';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

async function catalog(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async (sql: string) => (await client.query(sql)).rows.map((r) => JSON.stringify(r)).sort();
    return {
      columns: await q(`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length, numeric_precision, numeric_scale
                        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`),
      indexes: await q(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`),
      constraints: await q(`SELECT conrelid::regclass::text AS tbl, conname, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint
                            WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'`),
      enums: await q(`SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`),
    };
  } finally {
    await client.end();
  }
}

describe('migrations match the Prisma schema', () => {
  const { databaseUrl } = testEnv();
  const fromSchemaUrl = (() => {
    const u = new URL(databaseUrl);
    u.pathname = `${u.pathname}_from_schema`;
    return u.toString();
  })();

  afterAll(async () => {
    await dropDatabase(fromSchemaUrl);
  });

  it('builds the same database from the migrations as Prisma derives from the schema', async () => {
    const { stdout: script } = await run(
      path.join(ROOT, 'node_modules', '.bin', 'prisma'),
      ['migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema', '--script'],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, ...prismaCliEnv(ROOT) }, maxBuffer: 10 * 1024 * 1024 },
    );
    expect(script).toContain('CREATE TABLE "invoices"');
    await ensureDatabase(fromSchemaUrl);
    const client = new pg.Client({ connectionString: fromSchemaUrl });
    await client.connect();
    await client.query(script);
    await client.end();

    const migrated = await catalog(databaseUrl);
    const derived = await catalog(fromSchemaUrl);
    expect(migrated.columns.length).toBeGreaterThan(10);
    expect(migrated).toEqual(derived);
  });

  it('keeps what the schema cannot express: the audit log refuses updates and deletes', async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const inserted = await client.query(
        `INSERT INTO audit_events (actor, action, "targetType", "targetId", result) VALUES ('test', 'migration.check', 'test', 'x', 'ok') RETURNING id`,
      );
      const id = inserted.rows[0].id;
      await expect(client.query(`UPDATE audit_events SET result = 'changed' WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM audit_events WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
      const still = await client.query(`SELECT result FROM audit_events WHERE id = $1`, [id]);
      expect(still.rows[0].result).toBe('ok');
    } finally {
      await client.end();
    }
  });
});
