import { Router, type Request } from 'express';
import { unlink } from 'node:fs/promises';
import { z } from 'zod';
import { checkedText } from '../../domain/text';
import type { PrismaClient, Prisma } from '../../prisma/client';
import type { BlobStorage } from '../../storage';
import { actorOf } from '../actor';
import { downloadContentType } from '../security-headers';
import { ProblemError } from '../problem';
import { parseQueryOrProblem } from '../registry/query';
import { loadInvoice } from '../routes/registry';
import { parseOrProblem } from '../validation';
import { attachmentVisible, auditAttachment, requireVisibleInvoice, scopeSearch, unknownAttachment } from './scope';
import { receiveUpload, type UploadLimits } from './upload';
import { attachmentView } from './view';

export { attachmentView };

export interface AttachmentDeps {
  prisma: PrismaClient;
  storage: BlobStorage;
  limits: UploadLimits;
}

const UUID = z.uuid();
const Due = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((s) => new Date(s.length === 10 ? `${s}T23:59:59Z` : s));
const Owner = checkedText(z.string().min(1).max(256));

export const UploadFields = z.object({ invoiceId: UUID.optional(), owner: Owner.optional(), dueDate: Due.optional() }).strict();
export const PatchBody = z.object({ invoiceId: UUID.nullable().optional(), owner: Owner.nullable().optional(), dueDate: Due.nullable().optional() }).strict();
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
export const SearchQuery = z
  .object({ invoiceId: UUID.optional(), owner: Owner.optional(), name: checkedText(z.string().min(1).max(256)).optional(), archived: bool.optional(), overdue: bool.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();

type Row = Awaited<ReturnType<PrismaClient['attachment']['findUniqueOrThrow']>>;

/** The attachment, if it exists and the caller may see it (api/attachments/scope.ts); otherwise "not found". */
async function load(prisma: PrismaClient, req: Request, id: string): Promise<Row> {
  if (!UUID.safeParse(id).success) throw new ProblemError(400, 'INVALID_ID', 'Invalid id', `"${id}" is not an attachment id.`);
  const row = await prisma.attachment.findUnique({ where: { id } });
  if (!row || !(await attachmentVisible(prisma, req, row))) throw unknownAttachment(id);
  return row;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : (d ?? null));

/** Attachments: upload (multipart, streamed, SHA-256), search, link to an invoice, owner/SLA, archive. */
export function attachmentRoutes(deps: AttachmentDeps): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const upload = await receiveUpload(req, deps.limits);
    try {
      const fields = parseOrProblem(UploadFields, upload.fields, 'attachment upload');
      if (fields.invoiceId) await requireVisibleInvoice(deps.prisma, req, fields.invoiceId);
      const id = crypto.randomUUID();
      const key = `attachments/${new Date().toISOString().slice(0, 7)}/${id}`;
      await deps.storage.putFile(key, upload.file.tmpPath, upload.file);
      const row = await deps.prisma.$transaction(async (tx) => {
        const created = await tx.attachment.create({
          data: {
            id,
            invoiceId: fields.invoiceId ?? null,
            name: upload.file.name,
            contentType: upload.file.contentType,
            size: upload.file.size,
            sha256: upload.file.sha256,
            storageKey: key,
            owner: fields.owner ?? null,
            dueDate: fields.dueDate ?? null,
            uploadedBy: actorOf(req),
          },
        });
        await auditAttachment(tx, req, 'attachment.create', id, 'created', { invoiceId: created.invoiceId, name: created.name, contentType: created.contentType, size: created.size, sha256: created.sha256, owner: created.owner, dueDate: iso(created.dueDate) });
        return created;
      });
      res.status(201).location(`/api/v1/attachments/${id}`).json(attachmentView(row));
    } finally {
      await unlink(upload.file.tmpPath).catch(() => undefined);
    }
  });

  router.get('/', async (req, res) => {
    const q = parseQueryOrProblem(SearchQuery, req.query);
    const now = new Date();
    const where: Prisma.AttachmentWhereInput = {
      ...(q.invoiceId ? { invoiceId: q.invoiceId } : {}),
      ...(q.owner ? { owner: q.owner } : {}),
      ...(q.name ? { name: { contains: q.name, mode: 'insensitive' } } : {}),
      ...(q.archived === undefined ? {} : q.archived ? { archivedAt: { not: null } } : { archivedAt: null }),
      ...(q.overdue === undefined ? {} : q.overdue ? { archivedAt: null, dueDate: { lt: now } } : { OR: [{ dueDate: null }, { dueDate: { gte: now } }, { archivedAt: { not: null } }] }),
    };
    const scoped = await scopeSearch(deps.prisma, req, where);
    const rows = await scoped.keep(await deps.prisma.attachment.findMany({ where: scoped.where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take: q.limit }));
    res.json({ items: rows.map((r) => attachmentView(r, now)) });
  });

  router.get('/:id', async (req, res) => {
    res.json(attachmentView(await load(deps.prisma, req, req.params.id)));
  });

  router.get('/:id/content', async (req, res) => {
    const row = await load(deps.prisma, req, req.params.id);
    const stream = await deps.storage.get(row.storageKey);
    // attachment() sets a type from the file name's extension (x.html → text/html): the safe type goes last.
    res.status(200).attachment(row.name).type(downloadContentType(row.contentType)).set('x-content-sha256', row.sha256);
    stream.pipe(res);
  });

  router.patch('/:id', async (req, res) => {
    const row = await load(deps.prisma, req, req.params.id);
    const body = parseOrProblem(PatchBody, req.body ?? {}, 'attachment change');
    if (body.invoiceId) await requireVisibleInvoice(deps.prisma, req, body.invoiceId);
    const changes = Object.fromEntries(
      (Object.keys(body) as Array<keyof typeof body>)
        .map((k) => [k, { from: k === 'dueDate' ? iso(row.dueDate) : row[k], to: k === 'dueDate' ? iso(body.dueDate) : body[k] }] as const)
        .filter(([, c]) => c.from !== c.to),
    );
    const updated = await deps.prisma.$transaction(async (tx) => {
      const after = await tx.attachment.update({ where: { id: row.id }, data: body });
      await auditAttachment(tx, req, 'attachment.update', row.id, Object.keys(changes).length > 0 ? 'updated' : 'unchanged', { changes });
      return after;
    });
    res.json(attachmentView(updated));
  });

  router.post('/:id/archive', async (req, res) => {
    const row = await load(deps.prisma, req, req.params.id);
    const updated = row.archivedAt
      ? row
      : await deps.prisma.$transaction(async (tx) => {
          const after = await tx.attachment.update({ where: { id: row.id }, data: { archivedAt: new Date(), archivedBy: actorOf(req) } });
          await auditAttachment(tx, req, 'attachment.archive', row.id, 'archived', { invoiceId: row.invoiceId, name: row.name });
          return after;
        });
    res.json(attachmentView(updated));
  });

  return router;
}

/** GET /api/v1/invoices/:id/attachments — the invoice's documents (archived ones included, flagged). */
export function invoiceAttachmentRoutes(deps: { prisma: PrismaClient }): Router {
  const router = Router();
  router.get('/:id/attachments', async (req, res) => {
    // A missing invoice is 404 like one outside an API key's scope (api/auth/middleware), never an empty list.
    const { id } = await loadInvoice(deps.prisma, req.params.id);
    const rows = await deps.prisma.attachment.findMany({ where: { invoiceId: id }, orderBy: { createdAt: 'asc' } });
    res.json({ items: rows.map((r) => attachmentView(r)) });
  });
  return router;
}
