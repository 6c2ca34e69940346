import { Router } from 'express';
import { InvoiceSchema } from '../../domain/invoice';
import type { PrismaClient } from '../../prisma/client';
import { findInvoiceById } from '../../prisma/invoice-registry';
import type { InvoiceService } from '../invoice-service';
import { ProblemError } from '../problem';
import { parseOrProblem } from '../validation';

export interface InvoiceRoutesDeps {
  prisma: PrismaClient;
  service: InvoiceService;
  temporalUiUrl: string;
  namespace: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function invoiceRoutes(deps: InvoiceRoutesDeps): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    if (!req.is('application/json')) {
      throw new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 'Send the invoice as application/json.');
    }
    const invoice = parseOrProblem(InvoiceSchema, req.body, 'invoice');
    const result = await deps.service.submit(invoice, 'api');
    res
      .status(result.created ? 202 : 200)
      .location(`/api/v1/invoices/${result.id}`)
      .json({ id: result.id, workflowId: result.workflowId, created: result.created, statusUrl: `/api/v1/invoices/${result.id}` });
  });

  router.get('/:id', async (req, res) => {
    const id = req.params.id;
    if (!UUID.test(id)) throw new ProblemError(400, 'INVALID_ID', 'Invalid id', `"${id}" is not an invoice id (a UUID returned by POST /api/v1/invoices).`);
    const row = await findInvoiceById(deps.prisma, id);
    if (!row) throw new ProblemError(404, 'INVOICE_NOT_FOUND', 'Not found', `No invoice with id ${id}.`);
    res.json({
      id: row.id,
      workflowId: row.workflowId,
      direction: row.direction,
      sourceSystem: row.sourceSystem,
      sellerNip: row.sellerNip,
      invoiceNumber: row.invoiceNumber,
      invoiceType: row.invoiceType,
      issueDate: row.issueDate.toISOString().slice(0, 10),
      grossAmount: row.grossAmount.toFixed(2),
      currency: row.currency,
      status: row.status,
      step: row.step,
      nextAction: row.nextAction,
      attempts: row.attempts,
      rejectionCode: row.rejectionCode,
      rejectionReason: row.rejectionReason,
      ksefNumber: row.ksefNumber,
      receivedAt: row.receivedAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      sentAt: row.sentAt?.toISOString() ?? null,
      acceptedAt: row.acceptedAt?.toISOString() ?? null,
      temporalUiUrl: `${deps.temporalUiUrl}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(row.workflowId)}`,
    });
  });

  return router;
}
