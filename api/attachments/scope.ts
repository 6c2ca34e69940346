import type { Request } from 'express';
import type { Prisma, PrismaClient } from '../../prisma/client';
import { actorOf } from '../actor';
import { principalOf } from '../auth/context';
import { keySeesInvoice, type KeyPrincipal } from '../auth/key-scope';
import { ProblemError } from '../problem';

type Row = Awaited<ReturnType<PrismaClient['attachment']['findUniqueOrThrow']>>;

/**
 * Attachments follow their invoice's scope (api/auth/key-scope.ts): a source system's key works
 * only on documents of invoices it may read, and on unlinked documents its own source system
 * uploaded. People see every invoice, so every document. Out of scope answers exactly like missing.
 */
function callerKey(req: Request): KeyPrincipal | null {
  const p = principalOf(req);
  return p?.kind === 'api-key' ? p : null;
}

export function unknownInvoice(id: string): ProblemError {
  return new ProblemError(422, 'INVOICE_NOT_FOUND', 'Unknown invoice', `No invoice with id ${id}.`, { errors: [{ path: ['invoiceId'], field: 'invoiceId', code: 'INVOICE_NOT_FOUND', message: 'no such invoice' }] });
}

export function unknownAttachment(id: string): ProblemError {
  return new ProblemError(404, 'ATTACHMENT_NOT_FOUND', 'Not found', `No attachment with id ${id}.`);
}

/** An invoice to link a document to: it exists and the caller may read it, or it is "unknown". */
export async function requireVisibleInvoice(prisma: PrismaClient, req: Request, id: string): Promise<void> {
  const row = await prisma.invoice.findUnique({ where: { id }, select: { sourceSystem: true, sellerNip: true } });
  const key = callerKey(req);
  if (!row || (key && !keySeesInvoice(key, row))) throw unknownInvoice(id);
}

/** Actor ids of every key of the caller's source system (keys are rotated; the documents stay theirs). */
async function sourceSystemActors(prisma: PrismaClient, key: KeyPrincipal): Promise<string[]> {
  const keys = await prisma.apiKey.findMany({ where: { sourceSystem: key.sourceSystem }, select: { prefix: true } });
  return keys.map((k) => `api-key:${k.prefix}`);
}

export async function attachmentVisible(prisma: PrismaClient, req: Request, row: Row): Promise<boolean> {
  const key = callerKey(req);
  if (!key) return true;
  if (row.invoiceId) {
    const invoice = await prisma.invoice.findUnique({ where: { id: row.invoiceId }, select: { sourceSystem: true, sellerNip: true } });
    return !!invoice && keySeesInvoice(key, invoice);
  }
  return (await sourceSystemActors(prisma, key)).includes(row.uploadedBy);
}

/**
 * A search as a key: documents its source system uploaded, then only those whose invoice it may
 * read (a person may have linked one elsewhere). Keys have no read role on /attachments today
 * (matrix: registry.read); this keeps the list honest should that change.
 */
export async function scopeSearch(prisma: PrismaClient, req: Request, where: Prisma.AttachmentWhereInput): Promise<{ where: Prisma.AttachmentWhereInput; keep: (rows: Row[]) => Promise<Row[]> }> {
  const key = callerKey(req);
  if (!key) return { where, keep: async (rows) => rows };
  const scoped: Prisma.AttachmentWhereInput = { AND: [where, { uploadedBy: { in: await sourceSystemActors(prisma, key) } }] };
  return {
    where: scoped,
    keep: async (rows) => {
      const ids = [...new Set(rows.flatMap((r) => (r.invoiceId ? [r.invoiceId] : [])))];
      const invoices = await prisma.invoice.findMany({ where: { id: { in: ids } }, select: { id: true, sourceSystem: true, sellerNip: true } });
      const visible = new Set(invoices.filter((i) => keySeesInvoice(key, i)).map((i) => i.id));
      return rows.filter((r) => !r.invoiceId || visible.has(r.invoiceId));
    },
  };
}

/** The audit row of an attachment change, written in the change's own transaction. */
export function auditAttachment(tx: Prisma.TransactionClient, req: Request, action: 'attachment.create' | 'attachment.update' | 'attachment.archive', id: string, result: string, details: Record<string, unknown>) {
  return tx.auditEvent.create({ data: { actor: actorOf(req), action, targetType: 'attachment', targetId: id, result, details: { ...details, ...(req.ip ? { ip: req.ip } : {}) } as Prisma.InputJsonValue } });
}
