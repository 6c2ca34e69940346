import type { InvoiceStatusName } from '../domain/lifecycle';
import { Prisma, type PrismaClient } from './client';

/** Reads of the registry for finance: filtered, keyset-paged lists (every filter has an index). */

export interface RegistryFilter {
  statuses?: InvoiceStatusName[];
  sourceSystem?: string;
  sellerNip?: string;
  buyerNip?: string;
  type?: string;
  direction?: 'OUTGOING' | 'INCOMING';
  rejectionCode?: string;
  /** Marked stuck by the stuck-invoice sweep (true) or not (false). */
  stuck?: boolean;
  issueDateFrom?: string;
  issueDateTo?: string;
  receivedFrom?: string;
  receivedTo?: string;
  q?: string;
}

export type RegistrySort = 'receivedAt' | 'issueDate' | 'grossAmount' | 'status';

export interface RegistryPageRequest {
  filter: RegistryFilter;
  sort: RegistrySort;
  order: 'asc' | 'desc';
  limit: number;
  after?: { value: string; id: string };
}

export interface RegistryRow {
  id: string;
  workflowId: string;
  direction: string;
  sourceSystem: string;
  sellerNip: string;
  sellerName: string;
  buyerIdentifier: string | null;
  buyerName: string | null;
  invoiceNumber: string;
  invoiceType: string;
  issueDate: Date;
  currency: string;
  grossAmount: Prisma.Decimal;
  status: InvoiceStatusName;
  step: string;
  nextAction: string | null;
  attempts: number;
  rejectionCode: string | null;
  rejectionReason: string | null;
  ksefNumber: string | null;
  receivedAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  acceptedAt: Date | null;
  owner: string | null;
}

// Sort column and the cast its cursor value (a string) needs to compare in the column's own type.
const SORT_SQL: Record<RegistrySort, { column: Prisma.Sql; cast: Prisma.Sql }> = {
  receivedAt: { column: Prisma.sql`i."receivedAt"`, cast: Prisma.sql`timestamp(3)` },
  issueDate: { column: Prisma.sql`i."issueDate"`, cast: Prisma.sql`date` },
  grossAmount: { column: Prisma.sql`i."grossAmount"`, cast: Prisma.sql`numeric` },
  status: { column: Prisma.sql`i."status"`, cast: Prisma.sql`"InvoiceStatus"` },
};

/** The value of a row's sort key as the cursor carries it. */
export function sortValueOf(row: RegistryRow, sort: RegistrySort): string {
  switch (sort) {
    case 'receivedAt':
      return row.receivedAt.toISOString();
    case 'issueDate':
      return row.issueDate.toISOString().slice(0, 10);
    case 'grossAmount':
      return row.grossAmount.toString();
    case 'status':
      return row.status;
  }
}

const KSEF_NUMBER = /^\d{10}-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/i;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function registryWhere(f: RegistryFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (f.statuses?.length) parts.push(Prisma.sql`i."status"::text IN (${Prisma.join(f.statuses)})`);
  if (f.sourceSystem) parts.push(Prisma.sql`i."sourceSystem" = ${f.sourceSystem}`);
  if (f.sellerNip) parts.push(Prisma.sql`i."sellerNip" = ${f.sellerNip}`);
  if (f.buyerNip) parts.push(Prisma.sql`i."buyerIdentifier" = ${f.buyerNip}`);
  if (f.type) parts.push(Prisma.sql`i."invoiceType" = ${f.type}`);
  if (f.direction) parts.push(Prisma.sql`i."direction" = ${f.direction}::"InvoiceDirection"`);
  if (f.rejectionCode) parts.push(Prisma.sql`i."rejectionCode" = ${f.rejectionCode}`);
  if (f.stuck !== undefined) parts.push(f.stuck ? Prisma.sql`i."stuckSince" IS NOT NULL` : Prisma.sql`i."stuckSince" IS NULL`);
  if (f.issueDateFrom) parts.push(Prisma.sql`i."issueDate" >= ${f.issueDateFrom}::date`);
  if (f.issueDateTo) parts.push(Prisma.sql`i."issueDate" <= ${f.issueDateTo}::date`);
  // receivedAt is stored as UTC without a zone: normalise the bound to UTC text first.
  if (f.receivedFrom) parts.push(Prisma.sql`i."receivedAt" >= ${new Date(f.receivedFrom).toISOString()}::timestamp(3)`);
  if (f.receivedTo) parts.push(Prisma.sql`i."receivedAt" < ${new Date(f.receivedTo).toISOString()}::timestamp(3)`);
  if (f.q && KSEF_NUMBER.test(f.q.trim())) {
    // A KSeF number is unique: one index probe instead of scanning the text columns.
    parts.push(Prisma.sql`i."ksefNumber" = ${f.q.trim().toUpperCase()}`);
  } else if (f.q) {
    const like = `%${escapeLike(f.q)}%`;
    parts.push(Prisma.sql`(i."invoiceNumber" ILIKE ${like} OR i."sellerName" ILIKE ${like} OR i."buyerName" ILIKE ${like})`);
  }
  return parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, ' AND ')}` : Prisma.empty;
}

export async function listRegistryPage(prisma: PrismaClient, req: RegistryPageRequest): Promise<{ rows: RegistryRow[]; hasMore: boolean }> {
  const { column, cast } = SORT_SQL[req.sort];
  const desc = req.order === 'desc';
  const where = registryWhere(req.filter);
  const keyset = req.after
    ? desc
      ? Prisma.sql`(${column}, i."id") < (${req.after.value}::${cast}, ${req.after.id}::uuid)`
      : Prisma.sql`(${column}, i."id") > (${req.after.value}::${cast}, ${req.after.id}::uuid)`
    : null;
  const whereWithKeyset = keyset ? (where === Prisma.empty ? Prisma.sql`WHERE ${keyset}` : Prisma.sql`${where} AND ${keyset}`) : where;
  const direction = desc ? Prisma.raw('DESC') : Prisma.raw('ASC');
  const rows = await prisma.$queryRaw<RegistryRow[]>`
    SELECT i."id"::text AS "id", i."workflowId", i."direction"::text AS "direction", i."sourceSystem", i."sellerNip", i."sellerName",
           i."buyerIdentifier", i."buyerName", i."invoiceNumber", i."invoiceType", i."issueDate", i."currency", i."grossAmount",
           i."status"::text AS "status", i."step", i."nextAction", i."attempts", i."rejectionCode", i."rejectionReason", i."ksefNumber",
           i."receivedAt", i."updatedAt", i."sentAt", i."acceptedAt", o."owner"
    FROM "invoices" i
    LEFT JOIN LATERAL (
      -- The person alerted last owns the invoice while it waits for a human (the alerts table names them).
      SELECT al."owner" FROM "alerts" al
      WHERE al."registryId" = i."id"::text AND i."status" IN ('NEEDS_FIX', 'REJECTED', 'AWAITING_APPROVAL')
      ORDER BY al."createdAt" DESC LIMIT 1
    ) o ON TRUE
    ${whereWithKeyset}
    ORDER BY ${column} ${direction}, i."id" ${direction}
    LIMIT ${req.limit + 1}`;
  return { rows: rows.slice(0, req.limit), hasMore: rows.length > req.limit };
}
