import { z } from 'zod';
import { INVOICE_STATUSES } from '../../domain/lifecycle';
import { ACTION_NAMES } from './actions';
import { AGE_BUCKETS, FIX_BUCKETS } from '../../prisma/registry-dashboard';

/**
 * What the registry endpoints answer, as zod: the OpenAPI document is generated from these, and the
 * OpenAPI test validates real answers against the generated schemas, so the document cannot lie.
 * (Component names are given in api/openapi.ts, in a registry of its own — not zod's global one.)
 */
const status = z.enum(INVOICE_STATUSES);
const group = z.enum(['pending', 'accepted', 'rejected', 'closed']);
const isoTime = z.string().describe('ISO 8601 date-time (UTC)');
const amount = z.string().regex(/^-?\d+\.\d{2}$/).describe('Decimal with 2 places');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe('Stable code, e.g. INVALID_QUERY, KSEFOPS_ACTION_NOT_ALLOWED, KSEFOPS_CORRECTION_INVALID'),
    detail: z.string(),
    errors: z
      .array(
        z.object({
          path: z.array(z.union([z.string(), z.number()])),
          field: z.string(),
          code: z.string(),
          message: z.string(),
          messagePl: z.string().optional(),
          in: z.enum(['body', 'query', 'path', 'header']).optional().describe('Where the field is, when not in the JSON body'),
          line: z.number().int().optional().describe('Line of an XML or CSV body'),
        }),
      )
      .optional(),
  })
  .loose();

export const RegistryItemSchema = z
  .object({
    id: z.uuid(),
    invoiceNumber: z.string(),
    status,
    statusGroup: group,
    step: z.string(),
    direction: z.enum(['OUTGOING', 'INCOMING']),
    sourceSystem: z.string(),
    type: z.string(),
    sellerNip: z.string(),
    sellerName: z.string(),
    buyerIdentifier: z.string().nullable(),
    buyerName: z.string().nullable(),
    issueDate: z.string(),
    grossAmount: amount,
    currency: z.string(),
    ksefNumber: z.string().nullable(),
    rejectionCode: z.string().nullable(),
    rejectionReason: z.string().nullable(),
    nextAction: z.string().nullable(),
    owner: z.string().nullable(),
    attempts: z.number().int(),
    receivedAt: isoTime,
    updatedAt: isoTime,
    sentAt: isoTime.nullable(),
    acceptedAt: isoTime.nullable(),
    ageSeconds: z.number().int(),
  });

export const RegistryPageSchema = z
  .object({ items: z.array(RegistryItemSchema), nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page') });

export const TimelineEntrySchema = z
  .object({
    at: isoTime,
    source: z.enum(['audit', 'workflow']),
    action: z.string(),
    actor: z.string(),
    actorName: z.string().nullable(),
    result: z.string().nullable(),
    details: z.unknown(),
  });

export const InvoiceDetailAttachmentSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  owner: z.string().nullable(),
  dueDate: isoTime.nullable().describe('SLA: when the document must be dealt with'),
  overdue: z.boolean(),
  archived: z.boolean(),
  createdAt: isoTime,
  contentUrl: z.string().describe('Download link'),
});

export const InvoiceDetailSchema = z
  .object({
    id: z.uuid(),
    workflowId: z.string(),
    direction: z.enum(['OUTGOING', 'INCOMING']),
    sourceSystem: z.string(),
    sellerNip: z.string(),
    sellerName: z.string(),
    buyerIdentifier: z.string().nullable(),
    buyerName: z.string().nullable(),
    invoiceNumber: z.string(),
    invoiceType: z.string(),
    issueDate: z.string(),
    grossAmount: amount,
    currency: z.string(),
    status,
    statusGroup: group,
    step: z.string(),
    nextAction: z.string().nullable(),
    owner: z.string().nullable(),
    deadline: isoTime.nullable(),
    attempts: z.number().int(),
    rejectionCode: z.string().nullable(),
    rejectionReason: z.string().nullable(),
    rejectionDetails: z.array(z.string()),
    ksefNumber: z.string().nullable(),
    ksefSessionRef: z.string().nullable(),
    ksefInvoiceRef: z.string().nullable(),
    receivedAt: isoTime,
    updatedAt: isoTime,
    sentAt: isoTime.nullable(),
    acceptedAt: isoTime.nullable(),
    upoUrl: z.string().nullable(),
    temporalUiUrl: z.string(),
    availableActions: z.array(z.enum(ACTION_NAMES as [string, ...string[]])).describe('Hint for UIs; the workflow decides (409 when stale)'),
    pendingManualException: z.object({ requestedBy: z.string(), reason: z.string() }).nullable(),
    workflowAvailable: z.boolean().describe('False when the workflow could not be queried (owner, deadline and actions then unknown)'),
    invoice: z.unknown().describe('The invoice data as last accepted (see the Invoice schema)'),
    timeline: z.array(TimelineEntrySchema),
    attachments: z.array(InvoiceDetailAttachmentSchema).describe('Documents linked to the invoice, archived ones included and flagged'),
  });

export const ActionResultSchema = z
  .object({ accepted: z.literal(true), status, nextAction: z.string().nullable() });

const durations = { count: z.number().int(), p50Seconds: z.number().nullable(), p90Seconds: z.number().nullable(), avgSeconds: z.number().nullable() };
export const DashboardSchema = z
  .object({
    from: isoTime,
    to: isoTime,
    sourceSystem: z.string().nullable(),
    totals: z.object({
      submitted: z.number().int(),
      sent: z.number().int(),
      rejected: z.number().int(),
      accepted: z.number().int(),
      manualExceptions: z.number().int(),
      cancelled: z.number().int(),
      rejectionRate: z.number().nullable().describe('rejected ÷ (rejected + accepted); null without outcomes'),
    }),
    daily: z.array(z.object({ day: z.string(), submitted: z.number().int(), accepted: z.number().int(), rejected: z.number().int(), rejectionRate: z.number().nullable() })),
    backlog: z.object({
      total: z.number().int(),
      byStatus: z.array(z.object({ status: z.string(), total: z.number().int(), buckets: z.object(Object.fromEntries(AGE_BUCKETS.map((b) => [b, z.number().int()]))) })),
    }),
    timeToFix: z.object({ ...durations, unfixed: z.number().int(), histogram: z.array(z.object({ bucket: z.enum(FIX_BUCKETS), count: z.number().int() })) }),
    timeToRetry: z.object(durations),
    stuck: z
      .object({ total: z.number().int(), byStatus: z.array(z.object({ status: z.string(), count: z.number().int() })) })
      .describe('Invoices past their status\'s SLA, now (stuck-invoice sweep); list them with GET /api/v1/invoices?stuck=true'),
    topRejectionReasons: z.array(z.object({ code: z.string(), count: z.number().int(), example: z.string().nullable() })),
  });

export const SubmitResultSchema = z
  .object({ id: z.uuid(), workflowId: z.string(), created: z.boolean(), statusUrl: z.string() });

export const HealthSchema = z.object({ status: z.literal('ok'), uptimeSeconds: z.number() }).meta({ id: 'Health' });
export const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'not-ready']),
    checks: z.array(z.object({ name: z.string(), ok: z.boolean(), ms: z.number(), error: z.string().optional() })),
  });
