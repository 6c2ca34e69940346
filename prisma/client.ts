import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

/** The application's database client: Prisma's TypeScript query engine over node-postgres. */
export function createPrismaClient(databaseUrl: string, poolSize = 10): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize });
  return new PrismaClient({ adapter });
}

export type { PrismaClient };
export { Prisma } from './generated/client';
export type { InvoiceStatus } from './generated/enums';
