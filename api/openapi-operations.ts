import { z } from 'zod';
import { CounterpartyInputSchema } from '../domain/counterparty';
import { LoginSchema } from './auth/routes';
import { PatchBody as AttachmentPatch, SearchQuery as AttachmentSearch, UploadFields } from './attachments/routes';
import { CancelBody } from './corrections/routes';
import { BackfillBody } from './imports/routes';
import { CreateKey } from './routes/api-keys';
import { CreateRule as CreateApprovalRule, UpdateRule as UpdateApprovalRule } from './routes/approval-rules';
import { DeactivateBody as CounterpartyDeactivate, SearchQuery as CounterpartySearch } from './routes/counterparties';
import { CreateRule as CreateResponsibilityRule, ResolveQuery, UpdateRule as UpdateResponsibilityRule } from './routes/responsibility';
import { CreateUser, UpdateUser } from './routes/users';
import { AlertQuery } from './routes/alerts';
import { AuditQuery } from './routes/audit';
import { ApprovalsQuery } from './routes/reports';
import { CreateSubscription, DeliveryQuery, UpdateSubscription } from './routes/webhooks';

/**
 * Operations of the access, operations, document and master-data routers (api/access, documents-mount,
 * counterparties). Request bodies and queries are the zod schemas the routes parse with, so the
 * document follows the code; test/integration/registry/openapi.test.ts walks the mounted routes and
 * fails for any route missing here.
 */
type Json = Record<string, unknown>;

const REF = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** Request schemas by component id; openapi.ts renders them next to its own. */
export const OPERATION_REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  LoginRequest: LoginSchema,
  UserCreate: CreateUser,
  UserUpdate: UpdateUser,
  ApiKeyCreate: CreateKey,
  ResponsibilityRuleCreate: CreateResponsibilityRule,
  ResponsibilityRuleUpdate: UpdateResponsibilityRule,
  ApprovalRuleCreate: CreateApprovalRule,
  ApprovalRuleUpdate: UpdateApprovalRule,
  WebhookCreate: CreateSubscription,
  WebhookUpdate: UpdateSubscription,
  AttachmentUploadFields: UploadFields,
  AttachmentUpdate: AttachmentPatch,
  CancelByCorrection: CancelBody,
  BackfillRequest: BackfillBody,
  CounterpartyInput: CounterpartyInputSchema,
  CounterpartyDeactivate,
};

const AuditMember = z.object({
  id: z.string(),
  identifierKey: z.string().describe('NIP:…, EU_VAT:CC:… or OTHER:CC:…'),
  name: z.string(),
  sourceSystem: z.string(),
  field: z.string().describe('the counterparty field at fault'),
  detail: z.object({ en: z.string(), pl: z.string() }),
});
const AuditGroup = z.object({
  code: z.string().describe('rule code (domain/validation/README.md)'),
  severity: z.enum(['error', 'warning']),
  message: z.object({ en: z.string(), pl: z.string() }),
  count: z.number().int(),
  counterparties: z.array(AuditMember),
});
const AuditRun = z.object({
  id: z.string(),
  trigger: z.string().describe('"schedule" or "api:<actor>"'),
  startedAt: z.string(),
  finishedAt: z.string(),
  checked: z.number().int(),
  failing: z.number().int(),
  groups: z.array(AuditGroup),
});

/** Response schemas by component id. */
export const OPERATION_RESPONSE_SCHEMAS: Record<string, z.ZodType> = {
  CounterpartyAuditReport: z.object({ latest: AuditRun.nullable() }),
};

function queryParameters(schema: z.ZodType): Json[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties).map(([name, prop]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: prop }));
}

const q = (name: string, description: string, required = false): Json => ({ name, in: 'query', required, description, schema: { type: 'string' } });
const id = (description: string): Json => ({ name: 'id', in: 'path', required: true, description, schema: { type: 'string' } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: REF('Problem') } } });
const anyJson = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const jsonBody = (ref: string, required = true) => ({ required, content: { 'application/json': { schema: REF(ref) } } });
const denied = { 401: problem('Not signed in'), 403: problem('KSEFOPS_FORBIDDEN: the role may not do this') };

function op(operationId: string, tag: string, summary: string, extra: { parameters?: Json[]; requestBody?: Json; responses: Record<string, Json> }): Json {
  return { operationId, tags: [tag], summary, ...(extra.parameters ? { parameters: extra.parameters } : {}), ...(extra.requestBody ? { requestBody: extra.requestBody } : {}), responses: { ...extra.responses, ...denied } };
}

export function operationPaths(): Record<string, Json> {
  return {
    '/metrics': {
      get: { operationId: 'metrics', tags: ['health'], security: [], summary: 'Prometheus metrics (text exposition format)', responses: { 200: { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } } } },
    },
    '/api/v1/auth/login': {
      post: { ...op('login', 'access', 'Sign in with e-mail and password; sets the session cookie', { requestBody: jsonBody('LoginRequest'), responses: { 200: anyJson('Signed in: token, expiresAt, user with roles (session cookie set)'), 400: problem('Invalid body'), 401: problem('KSEFOPS_LOGIN_FAILED'), 429: problem('KSEFOPS_LOGIN_LOCKED: too many failed sign-ins for the account or from the address; Retry-After says when to try again') } }), security: [] },
    },
    '/api/v1/auth/logout': { post: op('logout', 'access', 'End the session', { responses: { 204: { description: 'Signed out' } } }) },
    '/api/v1/auth/me': { get: op('me', 'access', 'The signed-in person or API key and its roles', { responses: { 200: anyJson('The principal') } }) },
    '/api/v1/users': {
      get: op('listUsers', 'access', 'People and their roles. Role: admin.', { responses: { 200: anyJson('Users') } }),
      post: op('createUser', 'access', 'Add a person with roles. Role: admin.', { requestBody: jsonBody('UserCreate'), responses: { 201: anyJson('Created'), 400: problem('Invalid body'), 409: problem('KSEFOPS_USER_EXISTS') } }),
    },
    '/api/v1/users/{id}': {
      patch: op('updateUser', 'access', 'Change name, password, roles or deactivate. Role: admin.', { parameters: [id('User id')], requestBody: jsonBody('UserUpdate'), responses: { 200: anyJson('Updated'), 400: problem('Invalid body or id'), 403: problem('KSEFOPS_SELF_ROLE_CHANGE: nobody changes their own roles'), 404: problem('KSEFOPS_USER_NOT_FOUND'), 409: problem('KSEFOPS_LAST_ADMIN') } }),
    },
    '/api/v1/api-keys': {
      get: op('listApiKeys', 'access', 'Source-system API keys (never the secret). Role: admin.', { parameters: [q('sourceSystem', 'Only keys of this source system')], responses: { 200: anyJson('Keys') } }),
      post: op('createApiKey', 'access', 'Issue a key for a source system and its seller NIPs; the secret is shown once. Role: admin.', { requestBody: jsonBody('ApiKeyCreate'), responses: { 201: anyJson('Created with its secret'), 400: problem('Invalid body') } }),
    },
    '/api/v1/api-keys/{id}/revoke': { post: op('revokeApiKey', 'access', 'Revoke a key. Role: admin.', { parameters: [id('Key id')], responses: { 200: anyJson('Revoked'), 404: problem('Unknown key') } }) },
    '/api/v1/api-keys/{id}': { delete: op('deleteApiKey', 'access', 'Revoke a key (same as POST …/revoke). Role: admin.', { parameters: [id('Key id')], responses: { 200: anyJson('Revoked'), 404: problem('Unknown key') } }) },
    '/api/v1/audit': {
      get: op('auditLog', 'operations', 'The append-only audit log (newest first, cursor paging); writes answer 405. Roles: monitor, admin.', {
        parameters: queryParameters(AuditQuery),
        responses: { 200: anyJson('A page'), 400: problem('INVALID_QUERY') },
      }),
    },
    '/api/v1/audit/export.csv': {
      get: op('auditExport', 'operations', 'The filtered audit log as CSV. Roles: monitor, admin.', {
        parameters: queryParameters(AuditQuery.omit({ limit: true })),
        responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, 400: problem('INVALID_QUERY') },
      }),
    },
    '/api/v1/reports/bus-factor': { get: op('busFactorReport', 'operations', 'Roles held by fewer than two active people. Roles: monitor, approver, admin.', { responses: { 200: anyJson('Report') } }) },
    '/api/v1/reports/approvals': {
      get: op('approvalsReport', 'operations', 'Approvals and refusals in a period. Roles: monitor, approver, admin.', { parameters: queryParameters(ApprovalsQuery), responses: { 200: anyJson('Report'), 400: problem('INVALID_QUERY') } }),
    },
    '/api/v1/reports/counterparties': {
      get: op('counterpartyAuditReport', 'counterparties', 'The latest counterparty audit (scheduled or on demand): every register entry an invoice to it would fail on, grouped by rule code with en/pl text, errors first. Roles: monitor, approver, admin.', {
        responses: { 200: { description: 'Latest run, or latest: null before the first run', content: { 'application/json': { schema: REF('CounterpartyAuditReport') } } } },
      }),
    },
    '/api/v1/reports/counterparties/run': {
      post: op('runCounterpartyAudit', 'counterparties', 'Run the counterparty audit now (the scheduled workflow). Roles: monitor, approver, admin.', {
        responses: { 201: { description: 'The fresh run', content: { 'application/json': { schema: REF('CounterpartyAuditReport') } } }, 202: anyJson('Still running after 60 s: workflowId and reportUrl') },
      }),
    },
    '/api/v1/counterparties': {
      get: op('searchCounterparties', 'counterparties', 'Search the counterparty register. Roles: every role that reads invoices.', { parameters: queryParameters(CounterpartySearch), responses: { 200: anyJson('total, limit, offset, items'), 400: problem('INVALID_QUERY') } }),
      post: op('upsertCounterparty', 'counterparties', 'Create or update one counterparty by identifier (201 created, 200 updated/unchanged). Roles: sender (own source system), corrector.', {
        parameters: [q('sourceSystem', 'Source system for a row without one (also X-Source-System)')],
        requestBody: jsonBody('CounterpartyInput'),
        responses: { 201: anyJson('Created'), 200: anyJson('Updated or unchanged'), 400: problem('Schema errors with field paths'), 422: problem('COUNTERPARTY_INVALID: NIP_* / EU_VAT_* with field paths') },
      }),
    },
    '/api/v1/counterparties/import': {
      post: op('importCounterparties', 'counterparties', 'Bulk upsert: a JSON array or CSV with a header row ("," or ";"); per-row result; good rows stored in one transaction, bad rows never. Roles: sender (own source system), corrector.', {
        parameters: [q('sourceSystem', 'Source system for rows without one (also X-Source-System)')],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'array', items: REF('CounterpartyInput'), maxItems: 10000 } }, 'text/csv': { schema: { type: 'string' } } } },
        responses: { 200: anyJson('complete or partial: counts, rows, errors'), 422: anyJson('rejected: nothing stored'), 400: problem('CSV_INVALID / IMPORT_EMPTY'), 413: problem('IMPORT_TOO_LARGE'), 415: problem('Neither JSON array nor CSV') },
      }),
    },
    '/api/v1/counterparties/{id}/deactivate': {
      post: op('deactivateCounterparty', 'counterparties', 'Mark a counterparty inactive (never deleted); invoices to it then carry COUNTERPARTY_INACTIVE; written to the audit log. Repeating it answers "unchanged". Roles: sender (own source system), corrector.', {
        parameters: [id('Counterparty id')],
        requestBody: jsonBody('CounterpartyDeactivate', false),
        responses: { 200: anyJson('deactivated or unchanged, with the counterparty'), 400: problem('INVALID_ID or an invalid body'), 404: problem('COUNTERPARTY_NOT_FOUND') },
      }),
    },
    '/api/v1/alerts': {
      get: op('listAlerts', 'operations', 'Alerts raised by the lifecycle and the checks. Roles: monitor, admin.', { parameters: queryParameters(AlertQuery), responses: { 200: anyJson('A page'), 400: problem('INVALID_QUERY') } }),
    },
    '/api/v1/responsibility-rules': {
      get: op('listResponsibilityRules', 'operations', 'Who owns which errors (owner and escalation). Roles: monitor, admin.', { responses: { 200: anyJson('Rules') } }),
      post: op('createResponsibilityRule', 'operations', 'Add a rule. Role: admin.', { requestBody: jsonBody('ResponsibilityRuleCreate'), responses: { 201: anyJson('Created'), 400: problem('Invalid body'), 422: problem('KSEFOPS_WEBHOOK_URL_FORBIDDEN: webhookUrl not https: to a public host, or with credentials') } }),
    },
    '/api/v1/responsibility-rules/resolve': {
      get: op('resolveResponsibility', 'operations', 'Which rule (owner, escalation) applies to an error. Roles: monitor, admin.', { parameters: queryParameters(ResolveQuery), responses: { 200: anyJson('The matching rule or the fallback chain'), 400: problem('INVALID_QUERY') } }),
    },
    '/api/v1/responsibility-rules/{id}': {
      patch: op('updateResponsibilityRule', 'operations', 'Change a rule. Role: admin.', { parameters: [id('Rule id')], requestBody: jsonBody('ResponsibilityRuleUpdate'), responses: { 200: anyJson('Updated'), 400: problem('Invalid body'), 404: problem('Unknown rule'), 422: problem('KSEFOPS_WEBHOOK_URL_FORBIDDEN: webhookUrl not https: to a public host, or with credentials') } }),
      delete: op('deleteResponsibilityRule', 'operations', 'Remove a rule. Role: admin.', { parameters: [id('Rule id')], responses: { 204: { description: 'Removed' }, 404: problem('Unknown rule') } }),
    },
    '/api/v1/approval-rules': {
      get: op('listApprovalRules', 'operations', 'Which invoices wait for an approver before sending. Roles: approver, monitor, admin.', { responses: { 200: anyJson('Rules') } }),
      post: op('createApprovalRule', 'operations', 'Add a rule (at least one criterion). Role: admin.', { requestBody: jsonBody('ApprovalRuleCreate'), responses: { 201: anyJson('Created'), 400: problem('Invalid body') } }),
    },
    '/api/v1/approval-rules/{id}': {
      patch: op('updateApprovalRule', 'operations', 'Change a rule. Role: admin.', { parameters: [id('Rule id')], requestBody: jsonBody('ApprovalRuleUpdate'), responses: { 200: anyJson('Updated'), 400: problem('Invalid body'), 404: problem('Unknown rule') } }),
      delete: op('deleteApprovalRule', 'operations', 'Remove a rule. Role: admin.', { parameters: [id('Rule id')], responses: { 204: { description: 'Removed' }, 404: problem('Unknown rule') } }),
    },
    '/api/v1/webhooks': {
      get: op('listWebhooks', 'operations', 'Webhook subscriptions of source systems. Roles: monitor, admin.', { responses: { 200: anyJson('Subscriptions') } }),
      post: op('createWebhook', 'operations', 'Subscribe a source system to invoice events; the signing secret is shown once. Role: admin.', { requestBody: jsonBody('WebhookCreate'), responses: { 201: anyJson('Created with its secret'), 400: problem('Invalid body'), 422: problem('KSEFOPS_WEBHOOK_URL_FORBIDDEN: url not https: to a public host, or with credentials') } }),
    },
    '/api/v1/webhooks/{id}': {
      patch: op('updateWebhook', 'operations', 'Change URL or pause. Role: admin.', { parameters: [id('Subscription id')], requestBody: jsonBody('WebhookUpdate'), responses: { 200: anyJson('Updated'), 400: problem('Invalid body'), 404: problem('Unknown subscription'), 422: problem('KSEFOPS_WEBHOOK_URL_FORBIDDEN: url not https: to a public host, or with credentials') } }),
    },
    '/api/v1/webhooks/{id}/rotate-secret': {
      post: op('rotateWebhookSecret', 'operations', 'New signing secret (shown once). Role: admin.', { parameters: [id('Subscription id')], responses: { 200: anyJson('The new secret'), 404: problem('Unknown subscription') } }),
    },
    '/api/v1/webhooks/deliveries': {
      get: op('webhookDeliveries', 'operations', 'Delivery attempts and their state. Roles: monitor, admin.', { parameters: queryParameters(DeliveryQuery), responses: { 200: anyJson('A page'), 400: problem('INVALID_QUERY') } }),
    },
    '/api/v1/attachments': {
      post: op('uploadAttachment', 'documents', 'Upload one file (multipart/form-data, part "file"; optional fields invoiceId, owner, dueDate); SHA-256 computed while streaming. Roles: sender, corrector.', {
        requestBody: { required: true, content: { 'multipart/form-data': { schema: { allOf: [REF('AttachmentUploadFields'), { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] }] } } } },
        responses: { 201: anyJson('Stored'), 400: problem('Invalid fields'), 413: problem('Too large'), 415: problem('Not multipart or a refused content type') },
      }),
      get: op('searchAttachments', 'documents', 'Search attachments. Roles: sender, corrector.', { parameters: queryParameters(AttachmentSearch), responses: { 200: anyJson('A page'), 400: problem('INVALID_QUERY') } }),
    },
    '/api/v1/attachments/{id}': {
      get: op('getAttachment', 'documents', 'Attachment metadata. Roles: sender, corrector.', { parameters: [id('Attachment id (UUID)')], responses: { 200: anyJson('Metadata'), 400: problem('INVALID_ID'), 404: problem('Unknown attachment') } }),
      patch: op('updateAttachment', 'documents', 'Link to an invoice, set owner or due date. Roles: sender, corrector.', { parameters: [id('Attachment id (UUID)')], requestBody: jsonBody('AttachmentUpdate', false), responses: { 200: anyJson('Updated'), 400: problem('Invalid body'), 404: problem('Unknown attachment') } }),
    },
    '/api/v1/attachments/{id}/content': {
      get: op('getAttachmentContent', 'documents', 'The file itself (its stored content type). Roles: sender, corrector.', { parameters: [id('Attachment id (UUID)')], responses: { 200: { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, 404: problem('Unknown attachment') } }),
    },
    '/api/v1/attachments/{id}/archive': {
      post: op('archiveAttachment', 'documents', 'Archive an attachment. Roles: sender, corrector.', { parameters: [id('Attachment id (UUID)')], responses: { 200: anyJson('Archived'), 404: problem('Unknown attachment') } }),
    },
    '/api/v1/invoices/{id}/attachments': {
      get: op('invoiceAttachments', 'documents', 'Attachments linked to an invoice.', { parameters: [id('Registry id (UUID)')], responses: { 200: anyJson('Attachments'), 404: problem('INVOICE_NOT_FOUND') } }),
    },
    '/api/v1/invoices/{id}/chain': {
      get: op('correctionChain', 'invoices', 'The correction chain of an invoice (original and every correction).', { parameters: [id('Registry id (UUID)')], responses: { 200: anyJson('The chain'), 404: problem('INVOICE_NOT_FOUND') } }),
    },
    '/api/v1/invoices/{id}/actions/cancel-by-correction': {
      post: op('cancelByCorrection', 'actions', 'Cancel an ACCEPTED invoice by a correction to zero (a new KOR). Role: corrector.', { parameters: [id('Registry id (UUID)')], requestBody: jsonBody('CancelByCorrection', false), responses: { 202: anyJson('The cancelling correction was submitted'), 200: anyJson('The same cancelling correction again'), 400: problem('Invalid body'), 404: problem('INVOICE_NOT_FOUND'), 409: problem('KSEFOPS_CANCEL_NOT_POSSIBLE'), 422: problem('CANCEL_CORRECTION_INVALID') } }),
    },
    '/api/v1/invoices/{id}/offline': {
      get: op('offlineDetails', 'invoices', 'Offline-mode details: deadline, QR codes.', { parameters: [id('Registry id (UUID)')], responses: { 200: anyJson('Details'), 404: problem('INVOICE_NOT_FOUND') } }),
    },
    '/api/v1/imports': { get: op('importState', 'documents', 'Purchase-invoice import state per buyer NIP. Roles: monitor, admin.', { responses: { 200: anyJson('State') } }) },
    '/api/v1/imports/backfill': {
      post: op('importBackfill', 'documents', 'Import purchase invoices of a date range now. Roles: monitor, admin.', { requestBody: jsonBody('BackfillRequest'), responses: { 202: anyJson('Started'), 400: problem('Invalid body') } }),
    },
  };
}
