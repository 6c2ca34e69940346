import { ProblemError } from '../problem';
import { INVOICE_STATUSES } from '../../domain/lifecycle';
import { UUID_PATTERN } from '../validation';
import type { SortKey } from './list-query';
import { inRange } from './query';

/**
 * Keyset cursor: the sort key value and id of the last row shown. Rows inserted meanwhile land
 * before or after that point but never shift the next page (offset paging would repeat or skip).
 * Opaque to clients (base64url) so its shape can change without breaking them.
 */
export interface CursorPosition {
  sort: SortKey;
  order: 'asc' | 'desc';
  value: string;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.sort, position.order, position.value, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string, sort: SortKey, order: 'asc' | 'desc'): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || !parsed.every((p) => typeof p === 'string')) {
    throw invalid('cursor is not one this API handed out');
  }
  const [s, o, value, id] = parsed as string[];
  if (s !== sort || o !== order) throw invalid(`cursor belongs to sort=${s.slice(0, 20)}&order=${o.slice(0, 10)}; keep the same sort while paging`);
  // Both parts go into SQL as typed values (uuid, timestamp, date, numeric): a forged cursor is a 400 here, not a database error.
  if (!UUID_PATTERN.test(id) || !SORT_VALUE[sort](value)) throw invalid('cursor is not one this API handed out');
  return { sort, order, value, id };
}

const SORT_VALUE: Record<SortKey, (v: string) => boolean> = {
  receivedAt: (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) && inRange(Date.parse(v)),
  issueDate: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && inRange(Date.parse(v)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
  grossAmount: (v) => /^-?\d{1,16}(\.\d{1,2})?$/.test(v),
  status: (v) => (INVOICE_STATUSES as readonly string[]).includes(v),
};

function invalid(message: string) {
  return new ProblemError(400, 'INVALID_QUERY', 'Invalid query parameters', `cursor: ${message}`, {
    errors: [{ path: ['cursor'], field: 'cursor', code: 'INVALID_CURSOR', message }],
  });
}
