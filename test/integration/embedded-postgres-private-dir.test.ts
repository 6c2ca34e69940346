/**
 * `npm start` from a clone under a private directory (root's `/root` is 0700): the embedded
 * PostgreSQL runs as the `postgres` OS user, which cannot pass through such a folder to reach the
 * packaged binaries or the data. The clone here is a 0700 folder holding a copy of the package's
 * binaries and the data directory, exactly the layout `npm start` has under `/root/<clone>`.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { packagedNativeDir, startEmbeddedServer } from '../../infra/embedded-postgres';
import { freePort } from '../../infra/processes';

const isRoot = process.getuid?.() === 0;

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL from a clone under a 0700 directory', () => {
  let privateParent: string;
  let sharedRoot: string;
  let clone: string;

  beforeAll(() => {
    privateParent = mkdtempSync(path.join(os.tmpdir(), 'ksef-ops-private-'));
    sharedRoot = mkdtempSync(path.join(os.tmpdir(), 'ksef-ops-shared-'));
    clone = path.join(privateParent, 'ksef-ops');
    mkdirSync(path.join(clone, 'node_modules', 'pg-binaries'), { recursive: true });
    cpSync(packagedNativeDir(), path.join(clone, 'node_modules', 'pg-binaries', 'native'), { recursive: true, verbatimSymlinks: true });
  }, 120_000);

  afterAll(() => {
    rmSync(privateParent, { recursive: true, force: true });
    rmSync(sharedRoot, { recursive: true, force: true });
  });

  it('starts, keeps its data across restarts, and never opens the private folder', async () => {
    expect(statSync(privateParent).mode & 0o777).toBe(0o700);
    const options = {
      dataDir: path.join(clone, '.data'),
      nativeDir: path.join(clone, 'node_modules', 'pg-binaries', 'native'),
      sharedRoot,
    };

    const first = await startEmbeddedServer({ ...options, port: await freePort() });
    try {
      await query(first.url, 'CREATE TABLE survives_restart (note text)');
      await query(first.url, "INSERT INTO survives_restart VALUES ('kept')");
      const who = await query(first.url, 'SELECT current_user AS name');
      expect(who.rows[0].name).toBe('postgres');
    } finally {
      await first.stop();
    }

    const second = await startEmbeddedServer({ ...options, port: await freePort() });
    try {
      expect(second.databaseDir).toBe(first.databaseDir);
      expect((await query(second.url, 'SELECT note FROM survives_restart')).rows).toEqual([{ note: 'kept' }]);
    } finally {
      await second.stop();
    }

    // The private parent stays private: nothing was opened up to reach into it.
    expect(statSync(privateParent).mode & 0o777).toBe(0o700);
    if (isRoot) {
      // As root the server runs as the postgres user, so binaries and data moved where it can reach them.
      expect(first.databaseDir.startsWith(sharedRoot)).toBe(true);
      expect(existsSync(path.join(sharedRoot, 'embedded-postgres'))).toBe(true);
      expect(statSync(first.databaseDir).uid).not.toBe(0);
    } else {
      expect(first.databaseDir).toBe(path.join(clone, '.data', 'postgres'));
    }
  }, 180_000);
});
