import express, { Router, type Request } from 'express';
import { SourceSystemSchema, type Invoice } from '../../domain/invoice';
import { normalizeNip } from '../../domain/nip';
import { elementsNotCarried, readFa3Submission } from '../../fa3/intake';
import { principalOf } from '../auth/context';
import { validateInvoiceInput, type ValidationContext, type ValidationIssue } from '../../domain/validation';
import type { PrismaClient } from '../../prisma/client';
import type { InvoiceService } from '../invoice-service';
import { actorOf } from '../actor';
import { ProblemError } from '../problem';
import { requireUtf8Xml } from '../input-guard';
import { warsawDateOf } from '../../domain/business-days';

export interface InvoiceRoutesDeps {
  prisma: PrismaClient;
  validation: Omit<ValidationContext, 'today' | 'xsd'>;
  service: InvoiceService;
  temporalUiUrl: string;
  namespace: string;
}

const XML_TYPES = ['application/xml', 'text/xml', 'application/*+xml'];

export function invoiceRoutes(deps: InvoiceRoutesDeps): Router {
  const router = Router();

  router.post('/', express.text({ type: XML_TYPES, limit: '5mb', verify: requireUtf8Xml }), async (req, res) => {
    let invoice: Invoice;
    let notCarried: string[] = [];
    let dropped: ValidationIssue[] = [];
    if (req.is(XML_TYPES)) {
      const xml = await readXmlSubmission(req, deps.validation);
      invoice = xml.invoice;
      notCarried = xml.notCarried;
    } else if (req.is('application/json')) {
      ({ invoice, dropped } = await validateSubmission(req.body, deps.validation));
    } else {
      throw new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 'Send the invoice as application/json or a ready FA(3) document as application/xml.', {
        errors: [{ path: ['content-type'], field: 'content-type', code: 'UNSUPPORTED_MEDIA_TYPE', message: `"${String(req.headers['content-type'] ?? '(none)').slice(0, 80)}" is not accepted` }],
      });
    }
    const result = await deps.service.submit(invoice, actorOf(req));
    res
      .status(result.created ? 202 : 200)
      .location(`/api/v1/invoices/${result.id}`)
      .json({
        id: result.id,
        workflowId: result.workflowId,
        created: result.created,
        statusUrl: `/api/v1/invoices/${result.id}`,
        ...(notCarried.length + dropped.length > 0 ? { warnings: [...dropped.map(toFieldError), ...notCarried.map(notCarriedWarning)] } : {}),
      });
  });

  return router;
}

/**
 * The same rules the workflow applies, at the door: a source system learns at once which field is
 * wrong. Schema problems are 400, business-rule problems 422; nothing is stored for either.
 * The XSD step runs in the workflow, on the XML it renders and sends (an XML submission is
 * checked against the XSD here too, in readXmlSubmission).
 */
async function validateSubmission(body: unknown, validation: InvoiceRoutesDeps['validation']): Promise<{ invoice: Invoice; dropped: ValidationIssue[] }> {
  // "Today" for date rules is the Polish calendar day.
  const today = warsawDateOf(new Date());
  const checked = await validateInvoiceInput(body, { ...validation, today, xsd: false });
  const errors = checked.issues.filter((i) => i.severity === 'error');
  // Unknown fields a lenient source system may send were dropped; the answer names them.
  const dropped = checked.issues.filter((i) => i.code === 'SCHEMA_UNKNOWN_FIELD' && i.severity === 'warning');
  if (errors.length === 0 && checked.invoice) return { invoice: checked.invoice, dropped };
  // An unknown field is well-formed JSON the model cannot take (a misspelled `splitPaymnet` would
  // silently lose split payment): 422 with its own code, whatever else is wrong.
  const unknownField = errors.some((i) => i.code === 'SCHEMA_UNKNOWN_FIELD');
  const schemaOnly = !unknownField && errors.every((i) => i.code.startsWith('SCHEMA_') || !checked.invoice);
  throw new ProblemError(
    schemaOnly ? 400 : 422,
    unknownField ? 'SCHEMA_UNKNOWN_FIELD' : schemaOnly ? 'VALIDATION_FAILED' : 'BUSINESS_RULES_FAILED',
    unknownField ? 'Unknown field in the invoice' : schemaOnly ? 'Invalid request' : 'Invoice breaks validation rules',
    `The invoice has ${errors.length} problem(s): ${errors.slice(0, 5).map((e) => e.message.en).join('; ')}`,
    { errors: errors.map(toFieldError), warnings: checked.issues.filter((i) => i.severity === 'warning').map(toFieldError) },
  );
}

function toFieldError(issue: ValidationIssue) {
  return { path: issue.path, field: issue.field || '(body)', code: issue.code, message: issue.message.en, messagePl: issue.message.pl };
}

/**
 * A ready FA(3) document: well-formed + official XSD first (400 with line numbers), then the same
 * model and business rules as JSON (400 / 422). The auth guard cannot see inside XML, so an API
 * key's scope (source system, seller NIPs) is enforced here once the document is read.
 */
async function readXmlSubmission(req: Request, validation: InvoiceRoutesDeps['validation']): Promise<{ invoice: Invoice; notCarried: string[] }> {
  const xml = typeof req.body === 'string' ? req.body : '';
  const principal = principalOf(req);
  const sourceSystem = sourceSystemOf(req) ?? (principal?.kind === 'api-key' ? principal.sourceSystem : undefined);
  if (sourceSystem === undefined) {
    throw new ProblemError(400, 'SOURCE_SYSTEM_REQUIRED', 'Invalid request', 'Name the source system of an XML invoice with ?sourceSystem=… or the X-Source-System header.', {
      errors: [{ path: ['sourceSystem'], field: 'sourceSystem', code: 'SOURCE_SYSTEM_REQUIRED', message: 'is required for XML submissions (query parameter or X-Source-System header)' }],
    });
  }
  const read = await readFa3Submission(xml, sourceSystem);
  if (!read.ok) {
    const syntax = read.errors.some((e) => e.code !== 'XSD_INVALID');
    throw new ProblemError(400, syntax ? 'XML_NOT_WELL_FORMED' : 'XSD_INVALID', 'Invalid FA(3) document', `The document has ${read.errors.length} problem(s): ${read.errors.slice(0, 3).map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.message}`).join('; ')}`, {
      errors: read.errors.map((e) => ({ path: e.line ? ['xml', `line ${e.line}`] : ['xml'], field: 'xml', line: e.line, code: e.code, message: e.message })),
    });
  }
  if (principal?.kind === 'api-key') {
    const nip = typeof read.input.seller?.nip === 'string' ? normalizeNip(read.input.seller.nip) : undefined;
    if (sourceSystem !== principal.sourceSystem || (nip !== undefined && !principal.sellerNips.includes(nip))) {
      throw new ProblemError(403, 'KSEFOPS_SCOPE_VIOLATION', "Outside this API key's scope", `This key may submit invoices of source system "${principal.sourceSystem}" for seller NIP ${principal.sellerNips.join(', ') || '(none)'} only.`);
    }
  }
  const { invoice } = await validateSubmission(read.input, validation);
  let notCarried: string[] = [];
  try {
    notCarried = elementsNotCarried(xml, invoice);
  } catch {
    // Advisory only: a comparison that cannot be made must not refuse a valid invoice.
  }
  return { invoice, notCarried };
}

function sourceSystemOf(req: Request): string | undefined {
  const raw = typeof req.query.sourceSystem === 'string' ? req.query.sourceSystem : req.get('x-source-system');
  if (raw === undefined) return undefined;
  const parsed = SourceSystemSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ProblemError(400, 'VALIDATION_FAILED', 'Invalid request', `sourceSystem: ${parsed.error.issues[0]?.message}`, {
      errors: [{ path: ['sourceSystem'], field: 'sourceSystem', code: 'SCHEMA_FORMAT', message: parsed.error.issues[0]?.message ?? 'invalid' }],
    });
  }
  return parsed.data;
}

function notCarriedWarning(element: string) {
  const path = element.split('/').slice(1);
  return {
    path: ['xml', ...path],
    field: `xml.${path.join('.')}`,
    code: 'XML_ELEMENT_NOT_CARRIED',
    message: `${element} is not part of the invoice model, so the FA(3) sent to KSeF will not contain it.`,
    messagePl: `${element} nie należy do modelu faktury, więc FA(3) wysłana do KSeF nie będzie go zawierać.`,
  };
}
