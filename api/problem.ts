import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../config/logger';

/**
 * Errors as RFC 9457 problem+json. Every problem carries a stable `code` users can search for;
 * validation problems list each failing field with its path and a human reason.
 */
export interface FieldError {
  path: (string | number)[];
  field: string;
  code: string;
  message: string;
  messagePl?: string;
  /** Where the field is when it is not in the JSON body (a query or path parameter, a header). */
  in?: 'body' | 'query' | 'path' | 'header';
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export function sendProblem(res: Response, status: number, code: string, title: string, detail: string, extra: Record<string, unknown> = {}) {
  res.status(status).type('application/problem+json').json({ type: `https://ksef-ops.dev/problems/${code}`, title, status, code, detail, ...extra });
}

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof ProblemError) return sendProblem(res, err.status, err.code, err.title, err.detail, err.extra);
    // body-parser failures: malformed JSON, wrong charset, too large — the client's fault, say which.
    const status = typeof err?.status === 'number' ? err.status : typeof err?.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code =
        err.type === 'entity.parse.failed' ? 'MALFORMED_JSON'
        : err.type === 'entity.too.large' ? 'PAYLOAD_TOO_LARGE'
        : err.type === 'charset.unsupported' || err.type === 'encoding.unsupported' ? 'KSEFOPS_INVALID_ENCODING'
        : 'BAD_REQUEST';
      const detail = code === 'MALFORMED_JSON' ? `The request body is not valid JSON: ${err.message}` : err.message;
      return sendProblem(res, status, code, 'Bad request', detail, { errors: [{ path: [], field: '', code, message: detail }] });
    }
    // The path only: query strings may hold secrets (api/http-log.ts).
    logger.error({ err, method: req.method, path: req.originalUrl.split('?')[0] }, 'unhandled API error');
    return sendProblem(res, 500, 'INTERNAL_ERROR', 'Internal error', 'Something went wrong on our side; the request was not applied. Try again or contact the administrator.');
  };
}
