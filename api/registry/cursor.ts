import { ProblemError } from '../problem';
import type { SortKey } from './list-query';

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
  if (s !== sort || o !== order) throw invalid(`cursor belongs to sort=${s}&order=${o}; keep the same sort while paging`);
  return { sort, order, value, id };
}

function invalid(message: string) {
  return new ProblemError(400, 'INVALID_QUERY', 'Invalid query parameters', `cursor: ${message}`, {
    errors: [{ path: ['cursor'], field: 'cursor', code: 'INVALID_CURSOR', message }],
  });
}
