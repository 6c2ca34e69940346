import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InvoiceSchema } from '../domain/invoice';
import { ACTION_BODIES } from './registry/action-bodies';
import { ACTION_NAMES, type ActionName } from './registry/actions';
import { DashboardQuerySchema } from './registry/dashboard-query';
import { RegistryListQuerySchema } from './registry/list-query';
import * as R from './registry/response-schemas';
import { OPERATION_REQUEST_SCHEMAS, OPERATION_RESPONSE_SCHEMAS, operationPaths } from './openapi-operations';

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests and
 * describe answers (JSON Schema 2020-12 via z.toJSONSchema), so it changes when the code does.
 */
type Json = Record<string, unknown>;

const REF = (id: string) => ({ $ref: `#/components/schemas/${id}` });

function components(): Record<string, Json> {
  const responses = z.registry<{ id: string }>();
  const entries: Array<[string, z.ZodType]> = [
    ['Problem', R.ProblemSchema],
    ['RegistryItem', R.RegistryItemSchema],
    ['RegistryPage', R.RegistryPageSchema],
    ['TimelineEntry', R.TimelineEntrySchema],
    ['InvoiceDetail', R.InvoiceDetailSchema],
    ['ActionResult', R.ActionResultSchema],
    ['Dashboard', R.DashboardSchema],
    ['SubmitResult', R.SubmitResultSchema],
    ['Health', R.HealthSchema],
    ['Readiness', R.ReadinessSchema],
  ];
  for (const [id, schema] of [...entries, ...Object.entries(OPERATION_RESPONSE_SCHEMAS)]) responses.add(schema, { id });
  const requests = z.registry<{ id: string }>();
  requests.add(InvoiceSchema, { id: 'Invoice' });
  for (const [id, schema] of Object.entries(OPERATION_REQUEST_SCHEMAS)) requests.add(schema, { id });
  for (const action of ACTION_NAMES) if (action !== 'correct') requests.add(ACTION_BODIES[action], { id: actionBodyId(action) });
  const uri = (id: string) => `#/components/schemas/${id}`;
  const out = z.toJSONSchema(responses, { io: 'output', uri, unrepresentable: 'any' }).schemas as Record<string, Json>;
  const inp = z.toJSONSchema(requests, { io: 'input', uri, unrepresentable: 'any' }).schemas as Record<string, Json>;
  return Object.fromEntries(Object.entries({ ...out, ...inp }).map(([id, s]) => [id, strip(s)]));
}

function actionBodyId(action: ActionName): string {
  return action === 'request-manual-exception' ? 'ManualExceptionRequest' : 'ActionNote';
}

function strip(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

function queryParameters(schema: z.ZodType): Json[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return { name, in: 'query', required: json.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest };
  });
}

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: REF('Problem') } } });
const json = (description: string, id: string) => ({ description, content: { 'application/json': { schema: REF(id) } } });
const idParam = { name: 'id', in: 'path', required: true, description: 'Registry id (UUID) from POST /api/v1/invoices', schema: { type: 'string', format: 'uuid' } };

const ACTION_TEXT: Record<ActionName, string> = {
  approve: 'Approve sending (invoice AWAITING_APPROVAL). Role: approver.',
  'reject-approval': 'Refuse sending; the invoice is cancelled (AWAITING_APPROVAL). Role: approver.',
  correct: 'Replace the invoice data (NEEDS_FIX / REJECTED). Body: the full corrected invoice. 400 = schema, 422 = the workflow refused it (issues in `errors` and `details`). Role: corrector.',
  'force-retry': 'Send the same data again (NEEDS_FIX / REJECTED). Role: corrector.',
  'request-manual-exception': 'Ask to close the invoice outside KSeF; `reason` required. Role: corrector.',
  'approve-manual-exception': 'Approve a requested manual exception — by someone other than the requester. Role: approver.',
  cancel: 'Cancel the invoice (NEEDS_FIX / REJECTED / AWAITING_APPROVAL). Roles: corrector, approver.',
};

function actionPaths(): Record<string, Json> {
  return Object.fromEntries(
    ACTION_NAMES.map((action) => [
      `/api/v1/invoices/{id}/actions/${action}`,
      {
        post: {
          operationId: `invoiceAction_${action.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())}`,
          tags: ['actions'],
          summary: ACTION_TEXT[action],
          parameters: [idParam],
          requestBody: { required: action === 'correct' || action === 'request-manual-exception', content: { 'application/json': { schema: REF(action === 'correct' ? 'Invoice' : actionBodyId(action)) } } },
          responses: {
            200: json('The workflow accepted the action (its validated result)', 'ActionResult'),
            400: problem('Invalid body (field paths in `errors`) or id'),
            404: problem('Unknown invoice or action'),
            409: problem('KSEFOPS_ACTION_NOT_ALLOWED: the workflow refused the action in the invoice\'s current state, or the invoice is closed'),
            ...(action === 'correct' ? { 422: problem('KSEFOPS_CORRECTION_INVALID: the workflow\'s validation refused the correction') } : {}),
            ...(action === 'approve' || action === 'approve-manual-exception' ? { 403: problem('KSEFOPS_FORBIDDEN (role), or KSEFOPS_SELF_APPROVAL: the caller submitted or corrected this invoice (separation of duties; audited)') } : {}),
          },
        },
      },
    ]),
  );
}

let cached: Json | null = null;

export function openApiDocument(): Json {
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string; description: string };
  cached = {
    openapi: '3.1.0',
    info: { title: 'ksef-ops API', version: pkg.version, description: pkg.description },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { bearer: [] }],
    tags: [{ name: 'invoices' }, { name: 'actions' }, { name: 'dashboard' }, { name: 'counterparties' }, { name: 'documents' }, { name: 'operations' }, { name: 'access' }, { name: 'health' }],
    paths: {
      '/healthz': { get: { operationId: 'health', tags: ['health'], security: [], summary: 'The process is up', responses: { 200: json('Up', 'Health') } } },
      '/readyz': {
        get: {
          operationId: 'readiness',
          tags: ['health'],
          security: [],
          summary: 'Database, Temporal, a worker and KSeF are reachable',
          responses: { 200: json('Ready', 'Readiness'), 503: json('Not ready (failing checks listed)', 'Readiness') },
        },
      },
      '/api/openapi.json': { get: { operationId: 'openApi', tags: ['health'], summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': {} } } } } },
      '/api/v1/invoices': {
        post: {
          operationId: 'submitInvoice',
          tags: ['invoices'],
          summary:
            'Submit an invoice (idempotent per seller NIP + source system + number). Role: sender (API key). The body is the JSON model or a ready ' +
            'FA(3) document (application/xml, also text/xml): DOCTYPE refused, official XSD, parsed into the model and validated by the same rules; ' +
            'elements the model does not carry are listed in `warnings` (XML_ELEMENT_NOT_CARRIED).',
          parameters: [
            { name: 'sourceSystem', in: 'query', required: false, description: 'XML only: the source system (also X-Source-System; an API key\'s own by default)', schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: REF('Invoice') },
              'application/xml': { schema: { type: 'string', description: 'FA(3) document (schema FA (3) 1-0E, namespace http://crd.gov.pl/wzor/2025/06/25/13775/)' } },
            },
          },
          responses: {
            202: json('Accepted; its workflow started', 'SubmitResult'),
            200: json('The same submission again; nothing new started', 'SubmitResult'),
            400: problem('Schema errors with field paths; XML: XML_NOT_WELL_FORMED / XSD_INVALID with errors[].line'),
            409: problem('INVOICE_CONFLICT: the number was used with different content by this source system; INVOICE_DUPLICATE: KSeF\'s duplicate key (seller NIP + invoice type + number, spaces compared as KSeF does) is held by another invoice, named in existingId / existingSourceSystem / existingStatus, whichever source system sent it; nothing stored'),
            415: problem('Neither JSON nor FA(3) XML'),
            422: problem('BUSINESS_RULES_FAILED: validation rules (e.g. INVOICE_NUMBER_CONFUSABLE); SCHEMA_UNKNOWN_FIELD: a field the model does not have, named by its path (refused unless the source system is in UNKNOWN_FIELDS_LENIENT_SOURCE_SYSTEMS)'),
            503: problem('The workflow engine is unavailable; nothing stored'),
          },
        },
        get: {
          operationId: 'listInvoices',
          tags: ['invoices'],
          summary:
            'The registry: filters, sorting and cursor paging (keyset: stable while invoices arrive). format=csv streams every matching row: ' +
            'UTF-8 with BOM, ";" separator, "," decimal mark, CRLF (Excel in Polish locale).',
          parameters: queryParameters(RegistryListQuerySchema),
          responses: {
            200: { description: 'A page (JSON) or the whole export (CSV)', content: { 'application/json': { schema: REF('RegistryPage') }, 'text/csv': { schema: { type: 'string' } } } },
            400: problem('INVALID_QUERY: each bad or unknown parameter named in `errors`'),
          },
        },
      },
      '/api/v1/invoices/{id}': {
        get: {
          operationId: 'getInvoice',
          tags: ['invoices'],
          summary: 'Invoice detail: data, status, KSeF number, reason, next action, owner, available actions, timeline, Temporal UI link',
          parameters: [idParam],
          responses: { 200: json('The invoice', 'InvoiceDetail'), 400: problem('INVALID_ID'), 404: problem('INVOICE_NOT_FOUND') },
        },
      },
      '/api/v1/invoices/{id}/upo': {
        get: {
          operationId: 'getInvoiceUpo',
          tags: ['invoices'],
          summary: 'The UPO (official receipt) from KSeF, fetched on demand',
          parameters: [idParam],
          responses: {
            200: { description: 'UPO XML (header x-upo-hash: SHA-256 from KSeF when given)', content: { 'application/xml': { schema: { type: 'string' } } } },
            404: problem('INVOICE_NOT_FOUND'),
            409: problem('UPO_NOT_AVAILABLE: not accepted by KSeF yet'),
            502: problem('KSEF_UPO_UNAVAILABLE: KSeF did not answer'),
          },
        },
      },
      ...actionPaths(),
      ...operationPaths(),
      '/api/v1/dashboard': {
        get: {
          operationId: 'dashboard',
          tags: ['dashboard'],
          summary:
            'Process KPIs for a period (default last 30 days): rejection rate = rejected ÷ (rejected + accepted); time to fix = first rejection → acceptance; ' +
            'time to retry = rejection → next send; backlog = open invoices now by status and age; days in Europe/Warsaw.',
          parameters: queryParameters(DashboardQuerySchema),
          responses: { 200: json('KPIs', 'Dashboard'), 400: problem('INVALID_QUERY') },
        },
      },
    },
    components: {
      schemas: components(),
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'ksefops_session', description: 'Set by POST /api/v1/auth/login' },
        bearer: { type: 'http', scheme: 'bearer', description: 'Session token or source-system API key' },
      },
    },
  };
  return cached;
}
