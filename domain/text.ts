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

interface Node {
  value: object;
  depth: number;
  parent: Node | null;
  key: string | number | null;
}

const pathOf = (node: Node | null, last?: string | number): (string | number)[] => {
  const out: (string | number)[] = last === undefined ? [] : [last];
  for (let n = node; n && n.key !== null; n = n.parent) out.unshift(n.key);
  return out;
};

/**
 * One pass over a parsed body: bad text in values and keys, `forbiddenKeys` (prototype names),
 * nesting deeper than `maxDepth`. Linear in the body's size — only objects go on the stack and a
 * path is built only for a finding — so a 5 MB body costs milliseconds, not seconds.
 */
export function findTextProblems(
  root: unknown,
  options: { kind?: TextKind; limit?: number; maxDepth?: number; forbiddenKeys?: ReadonlySet<string> } = {},
): { findings: TextFinding[]; forbiddenKeys: (string | number)[][]; tooDeep: (string | number)[] | null } {
  const limit = options.limit ?? 20;
  const maxDepth = options.maxDepth ?? Infinity;
  const kind = options.kind ?? 'prose';
  const findings: TextFinding[] = [];
  const forbidden: (string | number)[][] = [];
  if (typeof root === 'string') {
    const problem = textProblem(root, kind);
    return { findings: problem ? [{ path: [], problem }] : [], forbiddenKeys: [], tooDeep: null };
  }
  if (root === null || typeof root !== 'object') return { findings, forbiddenKeys: forbidden, tooDeep: null };
  const stack: Node[] = [{ value: root, depth: 0, parent: null, key: null }];
  while (stack.length > 0 && findings.length < limit && forbidden.length < limit) {
    const node = stack.pop()!;
    if (node.depth >= maxDepth) return { findings, forbiddenKeys: forbidden, tooDeep: pathOf(node) };
    const visit = (key: string | number, v: unknown) => {
      if (typeof key === 'string') {
        if (options.forbiddenKeys?.has(key)) return void forbidden.push(pathOf(node, key));
        const keyProblem = textProblem(key, 'line');
        if (keyProblem) return void findings.push({ path: pathOf(node, key), problem: `the field name ${keyProblem}` });
      }
      if (typeof v === 'string') {
        const problem = textProblem(v, kind);
        if (problem) findings.push({ path: pathOf(node, key), problem });
      } else if (v !== null && typeof v === 'object') stack.push({ value: v, depth: node.depth + 1, parent: node, key });
    };
    if (Array.isArray(node.value)) node.value.forEach((v, i) => visit(i, v));
    else for (const key of Object.keys(node.value)) visit(key, (node.value as Record<string, unknown>)[key]);
  }
  return { findings, forbiddenKeys: forbidden, tooDeep: null };
}
