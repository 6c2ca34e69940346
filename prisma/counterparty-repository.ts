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

/** 'out-of-scope': the identifier is another source system's entry and the caller may write its own only. */
export type UpsertOutcome = 'created' | 'updated' | 'unchanged' | 'out-of-scope';

const FIELDS = ['idType', 'nip', 'euVatNumber', 'otherId', 'countryCode', 'name', 'addressLine1', 'addressLine2', 'active', 'vatStatus', 'sourceSystem'] as const;

/** Who changes the register, for the audit log: the API's actor id, how (one row or an import) and from where. */
export interface CounterpartyChangeActor {
  actor: string;
  via: 'api' | 'import';
  ip?: string;
  /** An API key writes its own source system's entries only: another system's entry is left as it is. */
  onlySourceSystem?: string;
}

type FieldChanges = Partial<Record<(typeof FIELDS)[number], { from: unknown; to: unknown }>>;

function changesBetween(before: Record<(typeof FIELDS)[number], unknown>, after: CounterpartyRecordData): FieldChanges {
  const out: FieldChanges = {};
  for (const f of FIELDS) if (before[f] !== after[f]) out[f] = { from: before[f], to: after[f] };
  return out;
}

/**
 * Upsert by identifier in one transaction: a re-sent import changes nothing (and says "unchanged"),
 * and either every good row of an import is stored or none is. Every create and every update is
 * written to the audit log in the same transaction (master data decides what invoices may say, so
 * who changed a buyer's status matters as much as who approved an invoice); "unchanged" writes nothing.
 */
export async function upsertCounterparties(prisma: PrismaClient, records: CounterpartyRecordData[], by?: CounterpartyChangeActor): Promise<UpsertOutcome[]> {
  if (records.length === 0) return [];
  return prisma.$transaction(
    async (tx) => {
      const existing = new Map(
        (await tx.counterparty.findMany({ where: { identifierKey: { in: records.map((r) => r.identifierKey) } } })).map((r) => [r.identifierKey, r]),
      );
      const out: UpsertOutcome[] = [];
      const audit: Prisma.AuditEventCreateManyInput[] = [];
      const entry = (action: string, targetId: string, result: string, details: Record<string, unknown>): Prisma.AuditEventCreateManyInput => ({
        actor: by?.actor ?? 'system',
        action,
        targetType: 'counterparty',
        targetId,
        result,
        details: { ...details, via: by?.via ?? 'api', ...(by?.ip ? { ip: by.ip } : {}) } as Prisma.InputJsonValue,
      });
      for (const record of records) {
        const before = existing.get(record.identifierKey);
        if (before && by?.onlySourceSystem !== undefined && before.sourceSystem !== by.onlySourceSystem) {
          out.push('out-of-scope');
        } else if (!before) {
          const created = await tx.counterparty.create({ data: record, select: { id: true } });
          audit.push(entry('counterparty.create', created.id, 'created', { identifierKey: record.identifierKey, record }));
          out.push('created');
        } else if (FIELDS.some((f) => before[f] !== record[f])) {
          await tx.counterparty.update({ where: { identifierKey: record.identifierKey }, data: record });
          audit.push(entry('counterparty.update', before.id, 'updated', { identifierKey: record.identifierKey, changes: changesBetween(before, record) }));
          out.push('updated');
        } else {
          out.push('unchanged');
        }
      }
      if (audit.length > 0) await tx.auditEvent.createMany({ data: audit });
      return out;
    },
    // Large imports hold the transaction longer than Prisma's 5 s default.
    { maxWait: 15_000, timeout: 60_000 + records.length * 20 },
  );
}

export type DeactivateOutcome = { result: 'deactivated' | 'unchanged'; row: CounterpartyRow } | { result: 'not-found' } | { result: 'out-of-scope'; sourceSystem: string };
type CounterpartyRow = Awaited<ReturnType<PrismaClient['counterparty']['findUniqueOrThrow']>>;

/**
 * Mark a counterparty inactive (never deleted: invoices and audit runs refer to it). Invoices to it
 * then carry COUNTERPARTY_INACTIVE. `onlySourceSystem` keeps an API key inside its own master data.
 */
export async function deactivateCounterparty(prisma: PrismaClient, id: string, by: CounterpartyChangeActor & { reason?: string; onlySourceSystem?: string }): Promise<DeactivateOutcome> {
  return prisma.$transaction(async (tx) => {
    const before = await tx.counterparty.findUnique({ where: { id } });
    if (!before) return { result: 'not-found' as const };
    if (by.onlySourceSystem !== undefined && before.sourceSystem !== by.onlySourceSystem) return { result: 'out-of-scope' as const, sourceSystem: before.sourceSystem };
    if (!before.active) return { result: 'unchanged' as const, row: before };
    const row = await tx.counterparty.update({ where: { id }, data: { active: false } });
    await tx.auditEvent.createMany({
      data: {
        actor: by.actor,
        action: 'counterparty.deactivate',
        targetType: 'counterparty',
        targetId: id,
        result: 'deactivated',
        details: { identifierKey: before.identifierKey, changes: { active: { from: true, to: false } }, ...(by.reason ? { reason: by.reason } : {}), via: by.via, ...(by.ip ? { ip: by.ip } : {}) },
      },
    });
    return { result: 'deactivated' as const, row };
  });
}

export interface CounterpartySearch {
  q?: string;
  nip?: string;
  active?: boolean;
  vatStatus?: CounterpartyRecordData['vatStatus'];
  /** Only entries of this source system (an API key's own master data). */
  sourceSystem?: string;
  limit: number;
  offset: number;
}

export async function searchCounterparties(prisma: PrismaClient, s: CounterpartySearch) {
  const where: Prisma.CounterpartyWhereInput = {
    ...(s.nip ? { nip: normalizeNip(s.nip) } : {}),
    ...(s.active !== undefined ? { active: s.active } : {}),
    ...(s.vatStatus ? { vatStatus: s.vatStatus } : {}),
    ...(s.sourceSystem !== undefined ? { sourceSystem: s.sourceSystem } : {}),
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

export function counterpartyView(row: CounterpartyRow) {
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
