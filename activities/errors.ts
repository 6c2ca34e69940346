/**
 * One place that decides whether an activity's failure can succeed on a retry. Temporal retries an
 * activity until its policy gives up — forever for the registry's policy — so a deterministic error
 * (the same input fails the same way every time) must leave as a non-retryable ApplicationFailure
 * with a searchable code: the workflow then routes the invoice to triage instead of looping.
 * Transient trouble (network, KSeF 5xx/429, PostgreSQL serialization failures, deadlocks, lost
 * connections) stays retryable.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ZodError } from 'zod';
import { KsefError } from '../ksef-client';
import { toActivityFailure } from './ksef-sessions';

/** Searchable codes of deterministic failures (docs/OPERATIONS.md, the alert's error code). */
export const DETERMINISTIC_ERROR_CODES = {
  constraint: 'KSEFOPS_DB_CONSTRAINT_VIOLATION',
  invalidData: 'KSEFOPS_DB_INVALID_DATA',
  input: 'KSEFOPS_INPUT_INVALID',
  programming: 'KSEFOPS_INTERNAL_ERROR',
} as const;

export type ErrorVerdict = { retryable: true } | { retryable: false; code: string; message: string };

// Prisma's own codes for failures no retry can fix: value too long, unique/foreign key/not-null/
// relation violations, invalid value for the column type, bad arguments.
const PRISMA_DETERMINISTIC: Record<string, keyof typeof DETERMINISTIC_ERROR_CODES> = {
  P2000: 'invalidData',
  P2002: 'constraint',
  P2003: 'constraint',
  P2004: 'constraint',
  P2005: 'invalidData',
  P2006: 'invalidData',
  P2007: 'input',
  P2011: 'constraint',
  P2012: 'input',
  P2014: 'constraint',
  P2019: 'input',
  P2020: 'invalidData',
  P2023: 'invalidData',
};

/** The PostgreSQL SQLSTATE behind an error, wherever Prisma's driver adapter put it. */
export function sqlStateOf(error: unknown): string | null {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as { code?: unknown; originalCode?: unknown; meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown; code?: unknown } } }; cause?: unknown; message?: unknown };
    for (const candidate of [e.originalCode, e.meta?.driverAdapterError?.cause?.originalCode, e.meta?.driverAdapterError?.cause?.code, e.meta?.code, e.code]) {
      if (typeof candidate === 'string' && /^[0-9A-Z]{5}$/.test(candidate) && !/^P\d{4}$/.test(candidate)) return candidate;
    }
    // "Raw query failed. Code: `23505`." — the adapter's message when the structure was lost.
    const inMessage = typeof e.message === 'string' ? /Code: `([0-9A-Z]{5})`/.exec(e.message) : null;
    if (inMessage) return inMessage[1];
    current = e.cause;
  }
  return null;
}

/**
 * Class 22 (data exception: invalid text such as NUL 22021, bad literal 22P02, value out of range) and
 * class 23 (integrity constraint violation: unique 23505, foreign key 23503, not-null 23502, check
 * 23514) fail identically on every retry. Everything else — 40001 serialization, 40P01 deadlock,
 * 08xxx connection, 53xxx resources, 57P0x shutdown — may pass next time.
 */
function verdictForSqlState(state: string, message: string): ErrorVerdict {
  if (state.startsWith('23')) return { retryable: false, code: DETERMINISTIC_ERROR_CODES.constraint, message: `${message} (SQLSTATE ${state})` };
  if (state.startsWith('22')) return { retryable: false, code: DETERMINISTIC_ERROR_CODES.invalidData, message: `${message} (SQLSTATE ${state})` };
  return { retryable: true };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).trim().slice(0, 2000);

/** Would the same call, with the same input, fail again? */
export function classifyError(error: unknown): ErrorVerdict {
  if (error instanceof ApplicationFailure) return error.nonRetryable ? { retryable: false, code: error.type ?? 'ApplicationFailure', message: error.message } : { retryable: true };
  if (error instanceof KsefError) return error.retryable ? { retryable: true } : { retryable: false, code: error.code, message: error.message };
  if (error instanceof ZodError || (error instanceof Error && error.name === 'ZodError')) {
    return { retryable: false, code: DETERMINISTIC_ERROR_CODES.input, message: messageOf(error) };
  }
  const name = error instanceof Error ? error.name : '';
  const prismaCode = (error as { code?: unknown } | null)?.code;
  if (name === 'PrismaClientValidationError') return { retryable: false, code: DETERMINISTIC_ERROR_CODES.input, message: messageOf(error) };
  const state = sqlStateOf(error);
  if (state) return verdictForSqlState(state, firstLine(error));
  if (name === 'PrismaClientKnownRequestError' && typeof prismaCode === 'string' && PRISMA_DETERMINISTIC[prismaCode]) {
    return { retryable: false, code: DETERMINISTIC_ERROR_CODES[PRISMA_DETERMINISTIC[prismaCode]], message: `${firstLine(error)} (${prismaCode})` };
  }
  // A bug in our code fails the same way until a deploy fixes it; a person retries after that.
  // fetch() reports network trouble as a TypeError with a cause: that one is transient.
  if (error instanceof TypeError && !(error as { cause?: unknown }).cause && error.message !== 'fetch failed') {
    return { retryable: false, code: DETERMINISTIC_ERROR_CODES.programming, message: messageOf(error) };
  }
  if (error instanceof RangeError || error instanceof ReferenceError || error instanceof SyntaxError) {
    return { retryable: false, code: DETERMINISTIC_ERROR_CODES.programming, message: messageOf(error) };
  }
  return { retryable: true };
}

/** Prisma's messages start with the invocation; the reason is on the last non-empty line. */
function firstLine(error: unknown): string {
  const lines = messageOf(error).split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines[lines.length - 1] ?? 'failed').slice(0, 500);
}

/** Rethrows `error` as Temporal should see it: deterministic → non-retryable with its code. */
export function toClassifiedFailure(error: unknown): never {
  if (error instanceof ApplicationFailure) throw error;
  if (error instanceof KsefError) return toActivityFailure(error);
  const verdict = classifyError(error);
  if (verdict.retryable) throw error;
  throw ApplicationFailure.create({ type: verdict.code, message: verdict.message, nonRetryable: true, cause: error instanceof Error ? error : undefined });
}

type AnyActivity = (...args: any[]) => Promise<any>;

/** Every activity of the worker passes its failures through the classification (worker/create-worker.ts). */
export function withErrorClassification<T extends Record<string, AnyActivity>>(activities: T): T {
  const wrapped: Record<string, AnyActivity> = {};
  for (const [name, fn] of Object.entries(activities)) {
    // A named function keeps the activity's name in stack traces.
    wrapped[name] = {
      async [name](...args: unknown[]) {
        try {
          return await fn(...args);
        } catch (error) {
          return toClassifiedFailure(error);
        }
      },
    }[name];
  }
  return wrapped as T;
}
