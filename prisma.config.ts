import { defineConfig } from 'prisma/config';
import { createCliAdapter } from './prisma/cli-adapter';

/**
 * Prisma 6.19 with a driver adapter runs the CLI (generate, migrate) on its WebAssembly engines,
 * so nothing native has to be downloaded (see docs/PRISMA.md).
 */
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
  adapter: async () => createCliAdapter(),
});
