import { z } from 'zod';
import type { FieldError } from './problem';
import { ProblemError } from './problem';
import { assertSafeInput } from './input-guard';

/** zod issues → the field errors of a 400 problem (path, dotted field, code, reason). */
export function fieldErrorsFrom(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path as (string | number)[],
    field: issue.path.join('.') || '(body)',
    // A refinement with its own searchable code (the text rule: TEXT_INVALID_CHARACTER) keeps it.
    code: issue.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : `SCHEMA_${issue.code.toUpperCase()}`,
    message: issue.message,
  }));
}

/**
 * Every request body a route validates passes the text rule first, whatever its source (JSON is
 * also checked by the guard in app.ts; multipart fields and CSV rows only here).
 */
export function parseOrProblem<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  assertSafeInput(body, 'body', what);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const errors = fieldErrorsFrom(parsed.error);
    throw new ProblemError(400, 'VALIDATION_FAILED', 'Invalid request', `The ${what} has ${errors.length} invalid field(s): ${errors.slice(0, 5).map((e) => `${e.field} (${e.message})`).join('; ')}`, { errors });
  }
  return parsed.data;
}

// Any hex UUID PostgreSQL's uuid type takes (z.uuid() also insists on RFC version/variant bits).
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A path parameter that must be a registry id (UUID): 400 naming the parameter, so garbage never
 * reaches PostgreSQL (whose uuid columns would refuse it with a 500).
 */
export function uuidParam(value: unknown, what: string, name = 'id'): string {
  if (typeof value === 'string' && UUID_PATTERN.test(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : String(value);
  throw new ProblemError(400, 'INVALID_ID', 'Invalid id', `${shown} is not ${what} (a UUID).`, { errors: [{ path: [name], field: name, in: 'path', code: 'INVALID_ID', message: `must be ${what} (a UUID)` }] });
}
