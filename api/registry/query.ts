import { z } from 'zod';
import { lineText } from '../../domain/text';
import { assertSafeInput } from '../input-guard';
import { ProblemError } from '../problem';
import { fieldErrorsFrom, UUID_PATTERN } from '../validation';

/**
 * Query strings: a 400 that names each bad parameter (a wrong filter must never be ignored).
 * `blankIsAbsent`: "?actor=&limit=" means "no filter" (forms send empty fields), not an empty filter.
 */
export function parseQueryOrProblem<T extends z.ZodType>(schema: T, query: unknown, options: { blankIsAbsent?: boolean } = {}): z.infer<T> {
  assertSafeInput(query ?? {}, 'query', 'query string');
  const input = options.blankIsAbsent && query && typeof query === 'object' ? Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '')) : query ?? {};
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const errors = fieldErrorsFrom(parsed.error).map((e) => {
    // strictObject reports unknown keys on the object itself; name them as the parameter.
    const issue = parsed.error.issues.find((i) => i.path.join('.') === e.field || (e.field === '(body)' && i.code === 'unrecognized_keys'));
    if (issue?.code === 'unrecognized_keys') {
      const keys = issue.keys;
      return { ...e, path: keys, field: keys.join(', '), in: 'query' as const, code: 'UNKNOWN_PARAMETER', message: `unknown query parameter(s): ${keys.join(', ')}` };
    }
    return { ...e, in: 'query' as const };
  });
  throw new ProblemError(400, 'INVALID_QUERY', 'Invalid query parameters', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}

/**
 * Building blocks of query schemas, so every parameter is typed, bounded and text-checked the same
 * way: a repeated parameter (?a=1&a=2, an array) is a 400 rather than silently ignored, an id that
 * must be a UUID is refused before PostgreSQL sees it.
 */
export const QueryParam = {
  text: (max = 200) => lineText(max),
  uuid: (what: string) => z.string().regex(UUID_PATTERN, `must be ${what} (a UUID)`),
  limit: (fallback: number, max: number) => z.coerce.number({ error: `must be an integer 1…${max}` }).int(`must be an integer 1…${max}`).min(1, `must be an integer 1…${max}`).max(max, `must be an integer 1…${max}`).default(fallback),
  /** ISO 8601 date or date-time within years 1…9999 (PostgreSQL refuses year 0, JavaScript reaches ±275760). */
  instant: () =>
    z
      .string()
      .max(64)
      .refine((s) => ISO_INSTANT.test(s) && inRange(Date.parse(s)), 'must be an ISO 8601 date or date-time, e.g. 2026-11-20 or 2026-11-20T10:00:00Z')
      .transform((s) => new Date(s)),
};

export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const MIN_TIME = Date.parse('0001-01-01T00:00:00Z');
const MAX_TIME = Date.parse('9999-12-31T23:59:59.999Z');
export const inRange = (t: number) => !Number.isNaN(t) && t >= MIN_TIME && t <= MAX_TIME;
