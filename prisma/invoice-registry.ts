import type { Invoice } from '../domain/invoice';
import { invoiceNumberKey } from '../domain/invoice-number';
import type { StatusProjection } from '../domain/lifecycle';
import { fromGrosze, toGrosze } from '../domain/money';
import { grossTotal } from '../domain/totals';
import { Prisma, type PrismaClient } from './client';

/** Maps the invoice model onto the registry table; the only code that writes invoice rows. */

export interface SubmissionRecord {
  id: string;
  workflowId: string;
  invoice: Invoice;
  contentHash: string;
  /** When the control point took the invoice; it becomes the workflow's submission time. */
  receivedAt: Date;
}

function buyerIdentifierOf(invoice: Invoice): string | null {
  const id = invoice.buyer.identifier;
  switch (id.type) {
    case 'NIP':
      return id.nip;
    case 'EU_VAT':
      return `${id.countryCode}${id.vatNumber}`;
    case 'OTHER':
      return id.id;
    case 'NONE':
      return null;
  }
}

/**
 * Insert the registry row for a new submission (INSERT … ON CONFLICT DO NOTHING). Returns whether
 * this call created it, so concurrent repeats of one submission agree on who was first. The insert
 * also meets KSeF's duplicate key (invoices_ksef_duplicate_key): a row of another source system with
 * the same seller, type and number makes it a no-op as well — findKsefDuplicate names that row.
 */
export async function recordSubmission(prisma: PrismaClient, record: SubmissionRecord): Promise<boolean> {
  const { invoice } = record;
  const { count } = await prisma.invoice.createMany({
    skipDuplicates: true,
    data: {
      id: record.id,
      workflowId: record.workflowId,
      sourceSystem: invoice.sourceSystem,
      sellerNip: invoice.seller.nip,
      sellerName: invoice.seller.name,
      buyerIdentifier: buyerIdentifierOf(invoice),
      buyerName: invoice.buyer.name ?? null,
      invoiceNumber: invoice.invoiceNumber,
      invoiceNumberKey: invoiceNumberKey(invoice.invoiceNumber),
      invoiceType: invoice.type,
      issueDate: new Date(`${invoice.issueDate}T00:00:00Z`),
      currency: invoice.currency,
      grossAmount: fromGrosze(invoice.grossAmount ? toGrosze(invoice.grossAmount) : grossTotal(invoice)),
      contentHash: record.contentHash,
      payload: invoice as object,
      receivedAt: record.receivedAt,
    },
  });
  return count === 1;
}

/** The registry row already holding KSeF's duplicate key (seller NIP + type + number as KSeF compares it). */
export function findKsefDuplicate(prisma: PrismaClient, invoice: Pick<Invoice, 'seller' | 'type' | 'invoiceNumber'>) {
  return prisma.invoice.findUnique({
    where: { sellerNip_invoiceType_invoiceNumberKey: { sellerNip: invoice.seller.nip, invoiceType: invoice.type, invoiceNumberKey: invoiceNumberKey(invoice.invoiceNumber) } },
    select: { id: true, sourceSystem: true, status: true, invoiceNumber: true },
  });
}

export type KsefNumberOwner =
  | { own: true }
  | { own: false; holder: { id: string; sourceSystem: string; status: string; ksefNumber: string | null } | null; why: 'held-by-another-row' | 'same-key-another-row' | 'row-changed' };

/**
 * Whether the KSeF number a 440 (duplicate) names is this registry row's own invoice — a lost answer
 * followed by a re-send — or another invoice's. Own only when no other row holds that KSeF number
 * or KSeF's duplicate key (rows set aside by the key's migration included, compared by their raw
 * number), and this row still has the content the workflow sent (same row id and content hash).
 * Adopting another row's number would break the registry's unique KSeF number and leave the
 * activity retrying forever; that case is a duplicate for a person, not a retry.
 */
export async function findKsefNumberOwner(prisma: PrismaClient, q: { registryId: string; contentHash: string; ksefNumber: string }): Promise<KsefNumberOwner> {
  const select = { id: true, sourceSystem: true, status: true, ksefNumber: true } as const;
  const holder = await prisma.invoice.findFirst({ where: { ksefNumber: q.ksefNumber, id: { not: q.registryId } }, select });
  if (holder) return { own: false, holder, why: 'held-by-another-row' };
  const row = await prisma.invoice.findUnique({ where: { id: q.registryId }, select: { sellerNip: true, invoiceType: true, invoiceNumber: true, invoiceNumberKey: true, contentHash: true } });
  if (!row || row.contentHash !== q.contentHash) return { own: false, holder: null, why: 'row-changed' };
  const key = row.invoiceNumberKey ?? invoiceNumberKey(row.invoiceNumber);
  const sameKey = await prisma.invoice.findFirst({
    where: { id: { not: q.registryId }, direction: 'OUTGOING', sellerNip: row.sellerNip, invoiceType: row.invoiceType, OR: [{ invoiceNumberKey: key }, { invoiceNumber: row.invoiceNumber }] },
    orderBy: [{ ksefNumber: { sort: 'asc', nulls: 'last' } }, { receivedAt: 'asc' }],
    select,
  });
  return sameKey ? { own: false, holder: sameKey, why: 'same-key-another-row' } : { own: true };
}

/**
 * Replace the invoice data after an accepted correction (the workflow re-validated it). A changed
 * invoice type can meet another invoice's KSeF duplicate key (the only unique key these columns
 * touch): answered 'duplicate-key' with the row holding it, nothing changed — a retry cannot help.
 */
export async function recordCorrectedData(prisma: PrismaClient, id: string, invoice: Invoice, contentHash: string): Promise<'stored' | { duplicateOf: { id: string; sourceSystem: string; status: string } | null }> {
  try {
    await updateCorrectedData(prisma, id, invoice, contentHash);
    return 'stored';
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') throw error;
    const other = await findKsefDuplicate(prisma, invoice);
    return { duplicateOf: other && other.id !== id ? { id: other.id, sourceSystem: other.sourceSystem, status: other.status } : null };
  }
}

async function updateCorrectedData(prisma: PrismaClient, id: string, invoice: Invoice, contentHash: string): Promise<void> {
  await prisma.invoice.update({
    where: { id },
    data: {
      buyerIdentifier: buyerIdentifierOf(invoice),
      buyerName: invoice.buyer.name ?? null,
      invoiceType: invoice.type,
      issueDate: new Date(`${invoice.issueDate}T00:00:00Z`),
      currency: invoice.currency,
      grossAmount: fromGrosze(invoice.grossAmount ? toGrosze(invoice.grossAmount) : grossTotal(invoice)),
      contentHash,
      payload: invoice as object,
    },
  });
}

/** Columns of the updated registry row that the statements riding with a projection may read. */
export const PROJECTED_ROW = 'projected';

/** What every projecting statement returns in `projected`: the columns its alongside parts (webhooks) read. */
const PROJECTED_COLUMNS = (alias: '' | 'i.') =>
  Prisma.raw(['id', '"invoiceNumber"', '"sourceSystem"', '"sellerNip"', 'status', 'step', '"ksefNumber"', '"rejectionReason"', '"rejectionCode"', '"nextAction"'].map((c) => alias + c).join(', '));

/**
 * A status projection as one statement: the registry row takes the workflow's status, and every
 * `alongside` part (data-modifying CTE bodies reading the updated row from `projected`: webhook
 * outbox, the step's audit row) is written by the same statement — atomic without a transaction's
 * BEGIN/COMMIT round trips, and nothing read back but a count. Fields left undefined keep their value.
 * Returns how many registry rows were updated (0: no such row).
 */
export async function projectStatusWith(prisma: Pick<PrismaClient, '$queryRaw'>, id: string, p: StatusProjection, alongside: Prisma.Sql[]): Promise<number> {
  // Registry timestamps are UTC wall-clock (Prisma's DateTime over timestamp(3)), whatever the session's zone.
  const utc = (iso: string | null) => (iso === null ? Prisma.sql`NULL` : Prisma.sql`(${iso}::timestamptz AT TIME ZONE 'UTC')`);
  const sets: Prisma.Sql[] = [Prisma.sql`status = ${p.status}::"InvoiceStatus"`, Prisma.sql`step = ${p.step}`, Prisma.sql`"updatedAt" = (now() AT TIME ZONE 'UTC')`];
  const optional: Array<[string, string | number | null | undefined]> = [
    ['nextAction', p.nextAction],
    ['attempts', p.attempts],
    ['rejectionCode', p.rejectionCode],
    ['rejectionReason', p.rejectionReason],
    ['ksefNumber', p.ksefNumber],
    ['ksefSessionRef', p.ksefSessionRef],
    ['ksefInvoiceRef', p.ksefInvoiceRef],
    ['invoiceHash', p.invoiceHash],
  ];
  for (const [column, value] of optional) if (value !== undefined) sets.push(Prisma.sql`${Prisma.raw(`"${column}"`)} = ${value}`);
  if (p.sentAt !== undefined) sets.push(Prisma.sql`"sentAt" = ${utc(p.sentAt)}`);
  if (p.acceptedAt !== undefined) sets.push(Prisma.sql`"acceptedAt" = ${utc(p.acceptedAt)}`);
  const parts = alongside.map((body, i) => Prisma.sql`, ${Prisma.raw(`alongside_${i}`)} AS (${body})`);
  const [{ updated }] = await prisma.$queryRaw<Array<{ updated: number }>>`
    WITH ${Prisma.raw(PROJECTED_ROW)} AS (
      UPDATE invoices SET ${Prisma.join(sets, ', ')} WHERE id = ${id}::uuid
      RETURNING ${PROJECTED_COLUMNS('')}
    )${Prisma.join(parts, '')}
    SELECT count(*)::int AS updated FROM ${Prisma.raw(PROJECTED_ROW)}`;
  return updated;
}

export interface SentToKsef {
  mode: 'ONLINE' | 'BATCH';
  sessionRef: string;
  /** One per document; KSeF numbers invoices of a batch session only once it has unpacked them. */
  documents: Array<{ registryId: string; invoiceRef: string | null }>;
}

/**
 * KSeF took these documents: each leaves the queue with its session, and where the invoice workflow
 * left it to the dispatcher (`reportSent` false) the registry row says SENT, with the step's audit row
 * and every `alongside` part (reading `projected`, which also carries "dispatchId"), in one statement.
 * A row that is no longer SENDING is left as it is. Returns which documents want a ksefSent signal.
 */
export async function recordSentToKsef(prisma: Pick<PrismaClient, '$queryRaw'>, sent: SentToKsef, alongside: Prisma.Sql[]): Promise<{ signalSent: string[]; projected: number }> {
  const ids = sent.documents.map((d) => d.registryId);
  const refs = sent.documents.map((d) => d.invoiceRef);
  const parts = [sentAuditAlongside(), ...alongside].map((body, i) => Prisma.sql`, ${Prisma.raw(`alongside_${i}`)} AS (${body})`);
  const [row] = await prisma.$queryRaw<Array<{ signalSent: string[] | null; projected: number }>>`
    WITH sent AS (
      UPDATE ksef_documents AS d
      SET "queuedAt" = NULL, "sendMode" = ${sent.mode}, "sessionRef" = ${sent.sessionRef}, "invoiceRef" = o.ref,
          "sentAt" = (now() AT TIME ZONE 'UTC'), "updatedAt" = (now() AT TIME ZONE 'UTC')
      FROM unnest(${ids}::uuid[], ${refs}::text[]) AS o(id, ref)
      WHERE d."registryId" = o.id
      RETURNING d."registryId", d."dispatchId", d."sendMode", d."sessionRef", d."invoiceRef", d."sentAt", d."reportSent"
    ), ${Prisma.raw(PROJECTED_ROW)} AS (
      UPDATE invoices AS i
      SET status = 'SENT'::"InvoiceStatus", step = 'confirm', "ksefSessionRef" = s."sessionRef", "ksefInvoiceRef" = s."invoiceRef",
          "sentAt" = s."sentAt", "updatedAt" = (now() AT TIME ZONE 'UTC')
      FROM sent AS s
      WHERE i.id = s."registryId" AND NOT s."reportSent" AND i.status = 'SENDING'
      RETURNING ${PROJECTED_COLUMNS('i.')}, i.attempts, i."ksefSessionRef", i."ksefInvoiceRef", s."dispatchId", s."sendMode"
    )${Prisma.join(parts, '')}
    SELECT (SELECT array_agg("registryId"::text) FROM sent WHERE "reportSent") AS "signalSent", (SELECT count(*) FROM ${Prisma.raw(PROJECTED_ROW)})::int AS projected`;
  return { signalSent: row?.signalSent ?? [], projected: row?.projected ?? 0 };
}

/** The audit row of each invoice recordSentToKsef moved to SENT (what the workflow wrote itself before). */
function sentAuditAlongside(): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO audit_events (actor, action, "targetType", "targetId", result, details)
    SELECT 'system', 'invoice.send', 'invoice', i.id::text, 'sent',
      jsonb_build_object('sessionRef', i."ksefSessionRef", 'invoiceRef', i."ksefInvoiceRef", 'mode', i."sendMode", 'attempt', i.attempts)
    FROM ${Prisma.raw(PROJECTED_ROW)} AS i`;
}

/** The step's audit row, written by the projection statement only when the registry row was updated. */
export function auditAlongside(entry: AuditEntry): Prisma.Sql {
  const details = entry.details === undefined ? null : JSON.stringify(entry.details);
  return Prisma.sql`
    INSERT INTO audit_events (actor, action, "targetType", "targetId", result, details)
    SELECT ${entry.actor}, ${entry.action}, ${entry.targetType}, ${entry.targetId}, ${entry.result}, ${details}::jsonb FROM ${Prisma.raw(PROJECTED_ROW)}`;
}

export function findInvoiceById(prisma: PrismaClient, id: string) {
  return prisma.invoice.findUnique({ where: { id } });
}

export interface AuditEntry {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  result: string;
  details?: Record<string, unknown>;
}

export async function appendAudit(prisma: PrismaClient, entry: AuditEntry): Promise<void> {
  // createMany: the insert alone, no row read back.
  await prisma.auditEvent.createMany({ data: { ...entry, details: (entry.details ?? undefined) as object | undefined } });
}
