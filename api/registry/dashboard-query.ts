import { z } from 'zod';
import { checkedText } from '../../domain/text';
import { inRange, ISO_INSTANT } from './query';

const when = z
  .string()
  .refine((s) => ISO_INSTANT.test(s) && inRange(Date.parse(s)), 'must be an ISO date or date-time');

/** GET /api/v1/dashboard: a period (default: the last 30 days) and optionally one source system. */
export const DashboardQuerySchema = z
  .strictObject({
    from: when.describe('Inclusive; a date means its midnight in Europe/Warsaw').optional(),
    to: when.describe('Exclusive; default now').optional(),
    sourceSystem: checkedText(z.string().min(1).max(40)).optional(),
  })
  .transform((q, ctx) => {
    const to = q.to ? instant(q.to) : new Date();
    const from = q.from ? instant(q.from) : new Date(to.getTime() - 30 * 86_400_000);
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    if (to.getTime() - from.getTime() > 366 * 86_400_000) ctx.addIssue({ code: 'custom', path: ['from'], message: 'the period may span at most 366 days' });
    return { from, to, sourceSystem: q.sourceSystem };
  });

/** A bare date is a Warsaw calendar day (how finance counts), so daily figures line up with it. */
function instant(text: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return new Date(text);
  const noonUtc = new Date(`${text}T12:00:00Z`);
  const offset = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Warsaw', timeZoneName: 'longOffset' })
    .formatToParts(noonUtc)
    .find((p) => p.type === 'timeZoneName')!
    .value.replace('GMT', '');
  return new Date(`${text}T00:00:00${offset || '+00:00'}`);
}
