import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { findTextProblems, TEXT_INVALID_CHARACTER } from '../domain/text';
import { ProblemError, type FieldError } from './problem';

/**
 * The door every request passes before any route (app.ts): bodies must be UTF-8 and every string a
 * caller sends — JSON body values and keys, query parameters — must pass the one text rule
 * (domain/text.ts). A route added tomorrow gets this without doing anything; a NUL byte can no
 * longer reach PostgreSQL (which refuses it: a 500, or an activity retrying an audit write forever).
 */

export const INVALID_ENCODING = 'KSEFOPS_INVALID_ENCODING';
export const FORBIDDEN_KEY = 'KSEFOPS_FORBIDDEN_KEY';
export const BODY_TOO_DEEP = 'KSEFOPS_BODY_TOO_DEEP';

/** Real payloads nest a handful of levels (an invoice: 5); anything deeper is an attack on a parser or walker. */
export const MAX_BODY_DEPTH = 32;

/** Keys that mean "the prototype" to some JavaScript code path; no payload of this API has them. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlongs, surrogates or > U+10FFFF), or -1. */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

function encodingProblem(detail: string, message: string): ProblemError {
  return new ProblemError(400, INVALID_ENCODING, 'Invalid character encoding', detail, { errors: [{ path: [], field: '(body)', in: 'body', code: INVALID_ENCODING, message }] });
}

/** Throws unless the bytes are UTF-8 (and the declared charset, if any, is UTF-8). */
export function assertUtf8Body(buf: Uint8Array, charset: string | undefined | null): void {
  const cs = (charset ?? 'utf-8').toLowerCase();
  if (cs !== 'utf-8' && cs !== 'utf8') {
    throw encodingProblem(`The body is declared as charset=${cs}; this API reads UTF-8 only. Send the text as UTF-8 (charset=utf-8).`, `charset ${cs} is not accepted; use UTF-8`);
  }
  try {
    fatalUtf8.decode(buf);
  } catch {
    const at = firstInvalidUtf8(buf);
    throw encodingProblem(
      `The body is not valid UTF-8 (byte ${at} is 0x${(buf[at] ?? 0).toString(16).padStart(2, '0')}); it was probably saved in another encoding (e.g. Windows-1250 or ISO-8859-2). Convert it to UTF-8 — the text is not guessed, so nothing is stored garbled.`,
      `invalid UTF-8 at byte ${at}`,
    );
  }
}

/** body-parser `verify` hook: runs on the raw bytes before they are decoded (the decoder would silently put U+FFFD in). */
export function requireUtf8(_req: IncomingMessage, _res: ServerResponse, buf: Buffer, encoding: string): void {
  assertUtf8Body(buf, encoding);
}

const XML_DECLARATION = /^(?:\uFEFF)?\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']/;

/**
 * body-parser `verify` hook for XML: UTF-8 bytes, and an XML declaration naming another encoding is
 * refused too (KSeF takes FA(3) in UTF-8 only; reading ISO-8859-2 bytes as UTF-8 turned "Odbiórca" into "Odbi�rca").
 */
export function requireUtf8Xml(req: IncomingMessage, res: ServerResponse, buf: Buffer, encoding: string): void {
  requireUtf8(req, res, buf, encoding);
  const declared = XML_DECLARATION.exec(buf.subarray(0, 512).toString('utf8'))?.[1];
  if (declared !== undefined && !/^utf-?8$/i.test(declared.trim())) {
    throw new ProblemError(400, INVALID_ENCODING, 'Invalid character encoding', `The XML declares encoding="${declared.slice(0, 40)}"; KSeF accepts FA(3) documents in UTF-8 only. Convert the file to UTF-8 and declare encoding="UTF-8".`, {
      errors: [{ path: ['xml', 'line 1'], field: 'xml', line: 1, in: 'body', code: INVALID_ENCODING, message: `declared encoding ${declared.slice(0, 40)} is not UTF-8` }],
    });
  }
}

/** The same checks for a value parsed some other way (multipart fields, CSV rows): 400 naming each field. */
export function assertSafeInput(value: unknown, where: 'body' | 'query' | 'path' | 'header', what = 'request'): void {
  const { findings, forbiddenKeys, tooDeep } = findTextProblems(value, { maxDepth: MAX_BODY_DEPTH, forbiddenKeys: PROTOTYPE_KEYS });
  if (tooDeep) {
    throw new ProblemError(400, BODY_TOO_DEEP, 'Invalid request', `The ${what} nests deeper than ${MAX_BODY_DEPTH} levels (at ${tooDeep.slice(0, 8).join('.')}…); no request of this API does.`, {
      errors: [{ path: tooDeep.slice(0, MAX_BODY_DEPTH), field: tooDeep.slice(0, 8).join('.'), in: where, code: BODY_TOO_DEEP, message: `nested deeper than ${MAX_BODY_DEPTH} levels` }],
    });
  }
  if (forbiddenKeys.length > 0) {
    const errors: FieldError[] = forbiddenKeys.map((path) => ({ path, field: path.join('.'), in: where, code: FORBIDDEN_KEY, message: `"${String(path.at(-1))}" is not a field of any request of this API` }));
    throw new ProblemError(400, FORBIDDEN_KEY, 'Invalid request', `The ${what} uses a reserved field name: ${errors.map((e) => e.field).join(', ')}.`, { errors });
  }
  if (findings.length > 0) {
    const errors: FieldError[] = findings.map((f) => ({ path: f.path, field: f.path.join('.') || '(body)', in: where, code: TEXT_INVALID_CHARACTER, message: f.problem }));
    const noun = where === 'query' ? 'query parameter' : 'field';
    throw new ProblemError(400, TEXT_INVALID_CHARACTER, 'Invalid characters', `The ${what} has ${errors.length} ${noun}(s) with characters that are not text: ${errors.slice(0, 5).map((e) => `${e.field} (${e.message})`).join('; ')}`, { errors });
  }
}

/** Express middleware (after the JSON parser): the parsed JSON body and the query string. */
export const rejectHostileInput: RequestHandler = (req, _res, next) => {
  try {
    assertSafeInput(req.query, 'query', 'query string');
    if (req.body !== null && typeof req.body === 'object') assertSafeInput(req.body, 'body', 'request body');
    next();
  } catch (error) {
    next(error);
  }
};
