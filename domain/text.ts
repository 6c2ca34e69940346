import { z } from 'zod';

/**
 * The one text rule for everything a caller sends (invoice fields, action notes, names, query
 * filters, upload fields). PostgreSQL refuses NUL in text and KSeF refuses XML with control or
 * non-characters, so such a character that got past the door would fail much later — an audit write
 * retried forever, an XML KSeF rejects. Refused at the door instead, naming the field
 * (TEXT_INVALID_CHARACTER, the same code the invoice rules use).
 *
 * Forbidden everywhere: C0 controls except tab/LF/CR, DEL and C1 controls (NEL excepted, as in XML),
 * Unicode non-characters U+FDD0–U+FDEF, U+FFFE, U+FFFF, and lone surrogates (not Unicode at all).
 * Single-line values (names, ids, e-mails) refuse tab, LF and CR as well.
 */
// eslint-disable-next-line no-control-regex
export const FORBIDDEN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LINE_BREAK = /[\t\n\r]/;

export const TEXT_INVALID_CHARACTER = 'TEXT_INVALID_CHARACTER';

export type TextKind = 'prose' | 'line';

/** Why `value` is not acceptable text of this kind, or null when it is. */
export function textProblem(value: string, kind: TextKind = 'prose'): string | null {
  const bad = FORBIDDEN_TEXT.exec(value);
  if (bad) return `contains ${describe(bad[0])} at position ${bad.index + 1}; control characters, Unicode non-characters and broken surrogates are not accepted`;
  if (kind === 'line' && LINE_BREAK.test(value)) return 'must be a single line (no tab or line break)';
  return null;
}

function describe(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp === 0) return 'a NUL character (U+0000)';
  if (cp >= 0xd800 && cp <= 0xdfff) return `a lone surrogate (${hex})`;
  return `the invisible character ${hex}`;
}

/**
 * A string schema carrying the text rule; its issue has params.code = TEXT_INVALID_CHARACTER so
 * API answers (api/validation.ts) and invoice issues show the same searchable code.
 */
export function checkedText<T extends z.ZodString>(schema: T, kind: TextKind = 'line'): T {
  return schema.check((ctx) => {
    const problem = textProblem(ctx.value, kind);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value, params: { code: TEXT_INVALID_CHARACTER } });
  }) as T;
}

/** A single-line text field: trimmed, bounded, no control characters. */
export const lineText = (max: number, min = 1) => checkedText(z.string().trim().min(min).max(max), 'line');
/** Free text a person writes (notes, reasons): tab and line breaks allowed, nothing else invisible. */
export const proseText = (max: number, min = 0) => checkedText(z.string().min(min).max(max), 'prose');

/** Deep walk of a parsed body/query for strings (and keys) breaking the rule; iterative, so depth cannot overflow the stack. */
export interface TextFinding {
  path: (string | number)[];
  problem: string;
}

export function findTextProblems(root: unknown, options: { kind?: TextKind; limit?: number; maxDepth?: number } = {}): { findings: TextFinding[]; tooDeep: (string | number)[] | null } {
  const limit = options.limit ?? 20;
  const maxDepth = options.maxDepth ?? Infinity;
  const findings: TextFinding[] = [];
  const stack: Array<{ value: unknown; path: (string | number)[] }> = [{ value: root, path: [] }];
  while (stack.length > 0 && findings.length < limit) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value, options.kind ?? 'prose');
      if (problem) findings.push({ path, problem });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= maxDepth) return { findings, tooDeep: path };
    const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, v] = entries[i];
      if (typeof key === 'string') {
        const keyProblem = textProblem(key, 'line');
        if (keyProblem) {
          findings.push({ path: [...path, key], problem: `the field name ${keyProblem}` });
          continue;
        }
      }
      stack.push({ value: v, path: [...path, key] });
    }
  }
  return { findings, tooDeep: null };
}
