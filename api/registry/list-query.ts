import { z } from 'zod';
import { checkedText } from '../../domain/text';
import { INVOICE_STATUSES, type InvoiceStatusName } from '../../domain/lifecycle';
import { InvoiceTypeSchema, IsoDateSchema } from '../../domain/invoice';
import { inRange, ISO_INSTANT } from './query';

/** How finance reads the workflow's statuses (see domain/lifecycle.ts). */
export const STATUS_GROUPS = {
  pending: ['RECEIVED', 'VALIDATING', 'AWAITING_APPROVAL', 'SENDING', 'SENT'],
  accepted: ['ACCEPTED'],
  rejected: ['REJECTED', 'NEEDS_FIX'],
  closed: ['MANUAL_EXCEPTION', 'CANCELLED'],
} as const satisfies Record<string, readonly InvoiceStatusName[]>;
export type StatusGroup = keyof typeof STATUS_GROUPS;

export function statusGroupOf(status: InvoiceStatusName): StatusGroup {
  for (const [group, members] of Object.entries(STATUS_GROUPS)) {
    if ((members as readonly string[]).includes(status)) return group as StatusGroup;
  }
  return 'pending';
}

const STATUS_TOKENS = [...INVOICE_STATUSES, ...(Object.keys(STATUS_GROUPS) as StatusGroup[])] as const;

export const SORT_KEYS = ['receivedAt', 'issueDate', 'grossAmount', 'status'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const dateTime = z
  .string()
  .refine((s) => ISO_INSTANT.test(s) && inRange(Date.parse(s)), 'must be an ISO date or date-time, e.g. 2026-11-20 or 2026-11-20T10:00:00Z');
// PostgreSQL's date has no year 0, which IsoDateSchema (a calendar check) lets through.
const day = IsoDateSchema.refine((s) => s >= '0001-01-01', 'must be a date from year 1 on');

/**
 * Query string of GET /api/v1/invoices. Strict: an unknown or misspelt parameter is a 400 naming
 * it, because a silently ignored filter makes finance trust a list that is not what they asked for.
 */
export const RegistryListQuerySchema = z
  .strictObject({
    status: z
      .string()
      .describe(`Comma-separated statuses and/or finance groups: ${STATUS_TOKENS.join(', ')}`)
      .transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean))
      .pipe(z.array(z.enum(STATUS_TOKENS, { error: `each value must be one of ${STATUS_TOKENS.join(', ')}` })).min(1, 'name at least one status'))
      .optional(),
    sourceSystem: checkedText(z.string().min(1).max(40)).optional(),
    sellerNip: z.string().regex(/^\d{10}$/, 'must be 10 digits').optional(),
    buyerNip: checkedText(z.string().min(1).max(50)).describe('Buyer NIP, EU VAT id or other identifier, exact').optional(),
    type: InvoiceTypeSchema.optional(),
    direction: z.enum(['OUTGOING', 'INCOMING']).optional(),
    rejectionCode: checkedText(z.string().min(1).max(64)).optional(),
    stuck: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .describe("true: only invoices the stuck-invoice sweep marked (status unchanged past its SLA); false: only the others")
      .transform((v) => v === 'true')
      .optional(),
    issueDateFrom: day.optional(),
    issueDateTo: day.optional(),
    receivedFrom: dateTime.describe('Inclusive').optional(),
    receivedTo: dateTime.describe('Exclusive').optional(),
    q: checkedText(z.string().min(2, 'type at least 2 characters').max(100)).describe('Text in the invoice number, seller or buyer name, or a KSeF number').optional(),
    sort: z.enum(SORT_KEYS).default('receivedAt'),
    order: z.enum(['asc', 'desc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(500).describe('Opaque: nextCursor of the previous page').optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => !q.issueDateFrom || !q.issueDateTo || q.issueDateFrom <= q.issueDateTo, { path: ['issueDateTo'], message: 'must not be before issueDateFrom' })
  .refine((q) => !q.receivedFrom || !q.receivedTo || Date.parse(q.receivedFrom) < Date.parse(q.receivedTo), { path: ['receivedTo'], message: 'must be after receivedFrom' });

export type RegistryListQuery = z.infer<typeof RegistryListQuerySchema>;

export function expandStatuses(tokens: readonly string[] | undefined): InvoiceStatusName[] | undefined {
  if (!tokens) return undefined;
  const out = new Set<InvoiceStatusName>();
  for (const t of tokens) {
    if (t in STATUS_GROUPS) STATUS_GROUPS[t as StatusGroup].forEach((s) => out.add(s));
    else out.add(t as InvoiceStatusName);
  }
  return [...out];
}
