import { z } from 'zod';
import { InvoiceSchema } from '../../domain/invoice';
import { checkedText, proseText } from '../../domain/text';
import type { ActionName } from './actions';

// Notes and reasons end up in the workflow history, the audit log (PostgreSQL: no NUL) and e-mails:
// the same text rule as intake (domain/text.ts), so a pasted control character is a 400 naming the
// field, not an audit write retried for ever.
const Note = proseText(2000);
export const ActionNoteSchema = z.strictObject({ note: Note.optional() });
export const ManualExceptionRequestSchema = z.strictObject({
  reason: checkedText(z.string({ error: 'is required' }).trim().min(1, 'is required').max(2000), 'prose'),
  note: Note.optional(),
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
