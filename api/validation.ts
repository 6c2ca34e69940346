import type { z } from 'zod';
import type { FieldError } from './problem';
import { ProblemError } from './problem';

/** zod issues → the field errors of a 400 problem (path, dotted field, code, reason). */
export function fieldErrorsFrom(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path as (string | number)[],
    field: issue.path.join('.') || '(body)',
    code: `SCHEMA_${issue.code.toUpperCase()}`,
    message: issue.message,
  }));
}

export function parseOrProblem<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const errors = fieldErrorsFrom(parsed.error);
    throw new ProblemError(400, 'VALIDATION_FAILED', 'Invalid request', `The ${what} has ${errors.length} invalid field(s): ${errors.slice(0, 5).map((e) => `${e.field} (${e.message})`).join('; ')}`, { errors });
  }
  return parsed.data;
}
