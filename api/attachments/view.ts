import type { PrismaClient } from '../../prisma/client';

type Row = Awaited<ReturnType<PrismaClient['attachment']['findUniqueOrThrow']>>;

/** An attachment as the API shows it (its own endpoints and the registry's invoice detail). */
export function attachmentView(a: Row, now = new Date()) {
  return {
    id: a.id,
    invoiceId: a.invoiceId,
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
    owner: a.owner,
    dueDate: a.dueDate?.toISOString() ?? null,
    overdue: !a.archivedAt && !!a.dueDate && a.dueDate < now,
    archived: !!a.archivedAt,
    archivedAt: a.archivedAt?.toISOString() ?? null,
    archivedBy: a.archivedBy,
    uploadedBy: a.uploadedBy,
    createdAt: a.createdAt.toISOString(),
    contentUrl: `/api/v1/attachments/${a.id}/content`,
  };
}

