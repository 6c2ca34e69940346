import { z } from 'zod';

/**
 * The states an invoice moves through (the registry shows them; the workflow decides them).
 * Finance reads them as: pending (RECEIVED…SENT), accepted, rejected (REJECTED, NEEDS_FIX),
 * closed by hand (MANUAL_EXCEPTION, CANCELLED).
 */
export const INVOICE_STATUSES = [
  'RECEIVED',
  'VALIDATING',
  'AWAITING_APPROVAL',
  'SENDING',
  'SENT',
  'ACCEPTED',
  'REJECTED',
  'NEEDS_FIX',
  'MANUAL_EXCEPTION',
  'CANCELLED',
] as const;
export const InvoiceStatusSchema = z.enum(INVOICE_STATUSES);
export type InvoiceStatusName = z.infer<typeof InvoiceStatusSchema>;

export const FINAL_STATUSES: ReadonlySet<InvoiceStatusName> = new Set(['ACCEPTED', 'MANUAL_EXCEPTION', 'CANCELLED']);

/** What the registry stores about the invoice's progress; written only by workflow activities. */
export const StatusProjectionSchema = z.object({
  status: InvoiceStatusSchema,
  step: z.string(),
  nextAction: z.string().nullable().optional(),
  attempts: z.number().int().min(0).optional(),
  rejectionCode: z.string().nullable().optional(),
  rejectionReason: z.string().nullable().optional(),
  ksefNumber: z.string().nullable().optional(),
  ksefSessionRef: z.string().nullable().optional(),
  ksefInvoiceRef: z.string().nullable().optional(),
  invoiceHash: z.string().nullable().optional(),
  sentAt: z.string().datetime().nullable().optional(),
  acceptedAt: z.string().datetime().nullable().optional(),
});
export type StatusProjection = z.infer<typeof StatusProjectionSchema>;
