import type { Invoice } from '../domain/invoice';
import type { StatusProjection } from '../domain/lifecycle';
import { fromGrosze, toGrosze } from '../domain/money';
import { grossTotal } from '../domain/totals';
import type { PrismaClient } from './client';

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
 * this call created it, so concurrent repeats of one submission agree on who was first.
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

/** Replace the invoice data after an accepted correction (the workflow re-validated it). */
export async function recordCorrectedData(prisma: PrismaClient, id: string, invoice: Invoice, contentHash: string): Promise<void> {
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

/**
 * The registry row update for a status projection, not yet run: callers put it in a batch
 * transaction with what must commit together (webhook outbox). Nothing is read back — returning
 * the row would parse its JSON payload for nothing on the hottest path.
 */
export function statusProjectionUpdate(prisma: Pick<PrismaClient, 'invoice'>, id: string, p: StatusProjection) {
  return prisma.invoice.updateMany({
    where: { id },
    data: {
      status: p.status,
      step: p.step,
      nextAction: p.nextAction,
      attempts: p.attempts,
      rejectionCode: p.rejectionCode,
      rejectionReason: p.rejectionReason,
      ksefNumber: p.ksefNumber,
      ksefSessionRef: p.ksefSessionRef,
      ksefInvoiceRef: p.ksefInvoiceRef,
      invoiceHash: p.invoiceHash,
      sentAt: p.sentAt === undefined ? undefined : p.sentAt === null ? null : new Date(p.sentAt),
      acceptedAt: p.acceptedAt === undefined ? undefined : p.acceptedAt === null ? null : new Date(p.acceptedAt),
    },
  });
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

/** The insert alone (nothing read back), for batching with the status change it records. */
export function auditInsert(prisma: Pick<PrismaClient, 'auditEvent'>, entry: AuditEntry) {
  return prisma.auditEvent.createMany({ data: { ...entry, details: (entry.details ?? undefined) as object | undefined } });
}

export async function appendAudit(prisma: PrismaClient, entry: AuditEntry): Promise<void> {
  await auditInsert(prisma, entry);
}
