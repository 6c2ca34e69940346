import type { CounterpartyRecordData } from '../domain/counterparty';
import { normalizeNip } from '../domain/nip';
import type { CounterpartyLookup, CounterpartyRecord } from '../domain/validation';
import type { Prisma, PrismaClient } from './client';

/** Validation's view of the register: a NIP → known?, active?, VAT status (UNKNOWN says nothing). */
export class PrismaCounterpartyLookup implements CounterpartyLookup {
  constructor(private readonly prisma: PrismaClient) {}

  async findByNip(nip: string): Promise<CounterpartyRecord | null> {
    const row = await this.prisma.counterparty.findUnique({ where: { identifierKey: `NIP:${normalizeNip(nip)}` } });
    if (!row || row.nip === null) return null;
    return { nip: row.nip, name: row.name, active: row.active, ...(row.vatStatus === 'UNKNOWN' ? {} : { vatStatus: row.vatStatus }) };
  }
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

const FIELDS = ['idType', 'nip', 'euVatNumber', 'otherId', 'countryCode', 'name', 'addressLine1', 'addressLine2', 'active', 'vatStatus', 'sourceSystem'] as const;

/**
 * Upsert by identifier in one transaction: a re-sent import changes nothing (and says "unchanged"),
 * and either every good row of an import is stored or none is.
 */
export async function upsertCounterparties(prisma: PrismaClient, records: CounterpartyRecordData[]): Promise<UpsertOutcome[]> {
  if (records.length === 0) return [];
  return prisma.$transaction(
    async (tx) => {
      const existing = new Map(
        (await tx.counterparty.findMany({ where: { identifierKey: { in: records.map((r) => r.identifierKey) } } })).map((r) => [r.identifierKey, r]),
      );
      const out: UpsertOutcome[] = [];
      for (const record of records) {
        const before = existing.get(record.identifierKey);
        if (!before) {
          await tx.counterparty.create({ data: record });
          out.push('created');
        } else if (FIELDS.some((f) => before[f] !== record[f])) {
          await tx.counterparty.update({ where: { identifierKey: record.identifierKey }, data: record });
          out.push('updated');
        } else {
          out.push('unchanged');
        }
      }
      return out;
    },
    // Large imports hold the transaction longer than Prisma's 5 s default.
    { maxWait: 15_000, timeout: 60_000 + records.length * 20 },
  );
}

export interface CounterpartySearch {
  q?: string;
  nip?: string;
  active?: boolean;
  vatStatus?: CounterpartyRecordData['vatStatus'];
  limit: number;
  offset: number;
}

export async function searchCounterparties(prisma: PrismaClient, s: CounterpartySearch) {
  const where: Prisma.CounterpartyWhereInput = {
    ...(s.nip ? { nip: normalizeNip(s.nip) } : {}),
    ...(s.active !== undefined ? { active: s.active } : {}),
    ...(s.vatStatus ? { vatStatus: s.vatStatus } : {}),
    ...(s.q
      ? {
          OR: [
            { name: { contains: s.q, mode: 'insensitive' as const } },
            { nip: { startsWith: s.q.replace(/[\s-]/g, '') } },
            { euVatNumber: { contains: s.q.toUpperCase() } },
            { otherId: { contains: s.q } },
          ],
        }
      : {}),
  };
  const [total, rows] = await Promise.all([
    prisma.counterparty.count({ where }),
    prisma.counterparty.findMany({ where, orderBy: [{ name: 'asc' }, { id: 'asc' }], take: s.limit, skip: s.offset }),
  ]);
  return { total, rows };
}

/** Every counterparty, page by page, so the audit never loads the whole register at once. */
export async function* allCounterparties(prisma: PrismaClient, pageSize = 1000) {
  let cursor: string | undefined;
  for (;;) {
    const page = await prisma.counterparty.findMany({ orderBy: { id: 'asc' }, take: pageSize, ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}) });
    if (page.length === 0) return;
    yield* page;
    cursor = page[page.length - 1].id;
  }
}

export function counterpartyView(row: Awaited<ReturnType<PrismaClient['counterparty']['findUniqueOrThrow']>>) {
  return {
    id: row.id,
    identifierKey: row.identifierKey,
    idType: row.idType,
    nip: row.nip,
    euVatNumber: row.euVatNumber,
    otherId: row.otherId,
    countryCode: row.countryCode,
    name: row.name,
    addressLine1: row.addressLine1,
    addressLine2: row.addressLine2,
    active: row.active,
    vatStatus: row.vatStatus,
    sourceSystem: row.sourceSystem,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
