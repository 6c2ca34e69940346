import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Apply committed migrations with `prisma migrate deploy` (wasm schema engine, see prisma.config.ts). */
export async function migrateDeploy(rootDir: string, databaseUrl: string): Promise<string> {
  const prisma = path.join(rootDir, 'node_modules', '.bin', 'prisma');
  const { stdout } = await run(prisma, ['migrate', 'deploy'], {
    cwd: rootDir,
    env: { ...process.env, DATABASE_URL: databaseUrl, ...prismaCliEnv(rootDir) },
    maxBuffer: 10 * 1024 * 1024,
  });
  return stdout;
}

/** Environment for Prisma CLI runs: no update checks, and the preload that lets the CLI exit promptly. */
export function prismaCliEnv(rootDir: string): NodeJS.ProcessEnv {
  const preload = `--require ${path.join(rootDir, 'prisma', 'cli-preload.cjs')}`;
  return {
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' '),
  };
}
