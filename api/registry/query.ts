import type { z } from 'zod';
import { ProblemError } from '../problem';
import { fieldErrorsFrom } from '../validation';

/** Query strings: a 400 that names each bad parameter (a wrong filter must never be ignored). */
export function parseQueryOrProblem<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const parsed = schema.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  const errors = fieldErrorsFrom(parsed.error).map((e) => {
    // strictObject reports unknown keys on the object itself; name them as the parameter.
    const issue = parsed.error.issues.find((i) => i.path.join('.') === e.field || (e.field === '(body)' && i.code === 'unrecognized_keys'));
    if (issue?.code === 'unrecognized_keys') {
      const keys = issue.keys;
      return { ...e, path: keys, field: keys.join(', '), code: 'UNKNOWN_PARAMETER', message: `unknown query parameter(s): ${keys.join(', ')}` };
    }
    return e;
  });
  throw new ProblemError(400, 'INVALID_QUERY', 'Invalid query parameters', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}
