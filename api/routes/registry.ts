import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { InvoiceStatusName } from '../../domain/lifecycle';
import type { PrismaClient } from '../../prisma/client';
import { listRegistryPage, sortValueOf, type RegistryFilter } from '../../prisma/registry-list';
import { attachmentView } from '../attachments/view';
import { ProblemError } from '../problem';
import { availableActions } from '../registry/actions';
import { csvHeader, csvLine, writeChunk } from '../registry/csv';
import { decodeCursor, encodeCursor } from '../registry/cursor';
import { registryItem } from '../registry/item';
import { expandStatuses, RegistryListQuerySchema, statusGroupOf, type RegistryListQuery } from '../registry/list-query';
import { parseQueryOrProblem } from '../registry/query';
import { invoiceTimeline, workflowState } from '../registry/timeline';
import type { UpoService } from '../registry/upo';

export interface RegistryRoutesDeps {
  prisma: PrismaClient;
  temporal: Client;
  upo: UpoService;
  temporalUiUrl: string;
  namespace: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CSV_PAGE = 1000;

export function requireInvoiceId(id: string): string {
  if (!UUID.test(id)) throw new ProblemError(400, 'INVALID_ID', 'Invalid id', `"${id}" is not an invoice id (a UUID returned by POST /api/v1/invoices).`);
  return id;
}

export async function loadInvoice(prisma: PrismaClient, id: string) {
  const row = await prisma.invoice.findUnique({ where: { id: requireInvoiceId(id) } });
  if (!row) throw new ProblemError(404, 'INVOICE_NOT_FOUND', 'Not found', `No invoice with id ${id}.`);
  return row;
}

function filterOf(q: RegistryListQuery): RegistryFilter {
  return {
    statuses: expandStatuses(q.status),
    sourceSystem: q.sourceSystem,
    sellerNip: q.sellerNip,
    buyerNip: q.buyerNip,
    type: q.type,
    direction: q.direction,
    rejectionCode: q.rejectionCode,
    stuck: q.stuck,
    issueDateFrom: q.issueDateFrom,
    issueDateTo: q.issueDateTo,
    receivedFrom: q.receivedFrom,
    receivedTo: q.receivedTo,
    q: q.q,
  };
}

/** Read side of the registry: list (JSON or CSV), detail with timeline, UPO. Mounted at /api/v1/invoices. */
export function registryRoutes(deps: RegistryRoutesDeps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const q = parseQueryOrProblem(RegistryListQuerySchema, req.query);
    const filter = filterOf(q);
    let after = q.cursor ? decodeCursor(q.cursor, q.sort, q.order) : undefined;

    if (q.format === 'csv') {
      res.status(200).type('text/csv; charset=utf-8').attachment(`ksef-registry-${new Date().toISOString().slice(0, 10)}.csv`);
      await writeChunk(res, csvHeader());
      // Page through with the same keyset as the JSON list: memory stays flat for any export size.
      for (;;) {
        const page = await listRegistryPage(deps.prisma, { filter, sort: q.sort, order: q.order, limit: CSV_PAGE, after });
        for (const row of page.rows) await writeChunk(res, csvLine(registryItem(row)));
        const last = page.rows.at(-1);
        if (!page.hasMore || !last) break;
        after = { sort: q.sort, order: q.order, value: sortValueOf(last, q.sort), id: last.id };
      }
      res.end();
      return;
    }

    const page = await listRegistryPage(deps.prisma, { filter, sort: q.sort, order: q.order, limit: q.limit, after });
    const last = page.rows.at(-1);
    res.json({
      items: page.rows.map((r) => registryItem(r)),
      nextCursor: page.hasMore && last ? encodeCursor({ sort: q.sort, order: q.order, value: sortValueOf(last, q.sort), id: last.id }) : null,
    });
  });

  router.get('/:id', async (req, res) => {
    const row = await loadInvoice(deps.prisma, req.params.id);
    const state = await workflowState(deps.temporal, row.workflowId);
    const timeline = await invoiceTimeline(deps.prisma, row.id, state?.decisions ?? []);
    const attachments = await deps.prisma.attachment.findMany({ where: { invoiceId: row.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    const now = new Date();
    const status = row.status as InvoiceStatusName;
    res.json({
      id: row.id,
      workflowId: row.workflowId,
      direction: row.direction,
      sourceSystem: row.sourceSystem,
      sellerNip: row.sellerNip,
      sellerName: row.sellerName,
      buyerIdentifier: row.buyerIdentifier,
      buyerName: row.buyerName,
      invoiceNumber: row.invoiceNumber,
      invoiceType: row.invoiceType,
      issueDate: row.issueDate.toISOString().slice(0, 10),
      grossAmount: row.grossAmount.toFixed(2),
      currency: row.currency,
      status,
      statusGroup: statusGroupOf(status),
      step: row.step,
      nextAction: row.nextAction,
      owner: state?.owner ?? null,
      deadline: state?.deadline ?? null,
      attempts: row.attempts,
      rejectionCode: row.rejectionCode,
      rejectionReason: row.rejectionReason,
      rejectionDetails: state?.lastError?.details ?? [],
      ksefNumber: row.ksefNumber,
      ksefSessionRef: row.ksefSessionRef,
      ksefInvoiceRef: row.ksefInvoiceRef,
      receivedAt: row.receivedAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      sentAt: row.sentAt?.toISOString() ?? null,
      acceptedAt: row.acceptedAt?.toISOString() ?? null,
      upoUrl: row.ksefNumber ? `/api/v1/invoices/${row.id}/upo` : null,
      temporalUiUrl: `${deps.temporalUiUrl}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(row.workflowId)}`,
      availableActions: availableActions(status, state),
      pendingManualException: state?.pendingManualException ?? null,
      workflowAvailable: state !== null,
      invoice: row.payload,
      timeline,
      attachments: attachments.map((a) => {
        const v = attachmentView(a, now);
        return { id: v.id, name: v.name, contentType: v.contentType, size: v.size, owner: v.owner, dueDate: v.dueDate, overdue: v.overdue, archived: v.archived, createdAt: v.createdAt, contentUrl: v.contentUrl };
      }),
    });
  });

  router.get('/:id/upo', async (req, res) => {
    const row = await loadInvoice(deps.prisma, req.params.id);
    const upo = await deps.upo.download(row);
    // KSeF's own hash when it sent one, else ours of the stored bytes: both are SHA-256 of what is served.
    res.set('x-upo-hash', upo.ksefHash ?? upo.sha256);
    res.type('application/xml').attachment(`UPO-${row.ksefNumber}.xml`).send(upo.content);
  });

  return router;
}
