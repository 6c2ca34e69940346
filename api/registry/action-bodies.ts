import { z } from 'zod';
import { InvoiceSchema } from '../../domain/invoice';
import type { ActionName } from './actions';

export const ActionNoteSchema = z.strictObject({ note: z.string().max(2000).optional() });
export const ManualExceptionRequestSchema = z.strictObject({
  reason: z.string({ error: 'is required' }).trim().min(1, 'is required').max(2000),
  note: z.string().max(2000).optional(),
});

/** Request body of each action; `correct` takes the full corrected invoice, as submitted originally. */
export const ACTION_BODIES: Record<ActionName, z.ZodType> = {
  approve: ActionNoteSchema,
  'reject-approval': ActionNoteSchema,
  correct: InvoiceSchema,
  'force-retry': ActionNoteSchema,
  'request-manual-exception': ManualExceptionRequestSchema,
  'approve-manual-exception': ActionNoteSchema,
  cancel: ActionNoteSchema,
};

export const ActionResultSchema = z.object({
  accepted: z.literal(true),
  status: z.string(),
  nextAction: z.string().nullable(),
});
