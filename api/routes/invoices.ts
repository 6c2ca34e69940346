import { Router } from 'express';
import type { Invoice } from '../../domain/invoice';
import { validateInvoiceInput, type ValidationContext, type ValidationIssue } from '../../domain/validation';
import type { PrismaClient } from '../../prisma/client';
import { findInvoiceById } from '../../prisma/invoice-registry';
import type { InvoiceService } from '../invoice-service';
import { actorOf } from '../actor';
import { ProblemError } from '../problem';

export interface InvoiceRoutesDeps {
  prisma: PrismaClient;
  validation: Omit<ValidationContext, 'today' | 'xsd'>;
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
    const invoice = await validateSubmission(req.body, deps.validation);
    const result = await deps.service.submit(invoice, actorOf(req));
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

/**
 * The same rules the workflow applies, at the door: a source system learns at once which field is
 * wrong. Schema problems are 400, business-rule problems 422; nothing is stored for either.
 * The XSD step runs in the workflow (it needs the rendered XML and costs ~100 ms).
 */
async function validateSubmission(body: unknown, validation: InvoiceRoutesDeps['validation']): Promise<Invoice> {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' }).format(new Date());
  const checked = await validateInvoiceInput(body, { ...validation, today, xsd: false });
  const errors = checked.issues.filter((i) => i.severity === 'error');
  if (errors.length === 0 && checked.invoice) return checked.invoice;
  const schemaOnly = errors.every((i) => i.code.startsWith('SCHEMA_') || !checked.invoice);
  throw new ProblemError(
    schemaOnly ? 400 : 422,
    schemaOnly ? 'VALIDATION_FAILED' : 'BUSINESS_RULES_FAILED',
    schemaOnly ? 'Invalid request' : 'Invoice breaks validation rules',
    `The invoice has ${errors.length} problem(s): ${errors.slice(0, 5).map((e) => e.message.en).join('; ')}`,
    { errors: errors.map(toFieldError), warnings: checked.issues.filter((i) => i.severity === 'warning').map(toFieldError) },
  );
}

function toFieldError(issue: ValidationIssue) {
  return { path: issue.path, field: issue.field || '(body)', code: issue.code, message: issue.message.en, messagePl: issue.message.pl };
}
