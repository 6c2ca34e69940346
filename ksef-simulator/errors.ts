import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';

/** KSeF exception codes the simulator emits (descriptions follow the OpenAPI tables). */
export const ExceptionCode = {
  validation: 21405,
  invalidChallenge: 21111,
  unknownPublicKey: 21470,
  sessionInvoiceLimit: 21155,
  partSizeMismatch: 21157,
  tooManyParts: 21161,
  invoiceNotFound: 21164,
  sessionNotFound: 21173,
  upoNotFound: 21178,
  sessionStatusForbids: 21180,
  queryError: 21183,
  partNotUploaded: 21205,
  notAuthorised: 21301,
  authOperationNotFound: 21304,
  sizeMismatch: 21402,
  hashMismatch: 21403,
  badContinuationToken: 21418,
} as const;

/** A 400 the way KSeF reports it: one or more coded exception details. */
export class KsefError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly details: string[] = [],
    readonly httpStatus = 400,
  ) {
    super(`${code} ${description}`);
  }
}

export function traceId(): string {
  return randomBytes(16).toString('hex');
}

export function wantsProblemDetails(req: Request): boolean {
  return (req.get('X-Error-Format') ?? '').toLowerCase() === 'problem-details';
}

/** Legacy `exception` body by default, problem+json when the client opts in (API 2.4+). */
export function sendKsefError(req: Request, res: Response, error: KsefError): void {
  const timestamp = new Date().toISOString();
  if (wantsProblemDetails(req)) {
    res
      .status(error.httpStatus)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          title: 'Bad Request',
          status: error.httpStatus,
          instance: req.originalUrl,
          detail: 'Żądanie jest nieprawidłowe.',
          errors: [{ code: error.code, description: error.description, details: error.details }],
          timestamp,
          traceId: traceId(),
        }),
      );
    return;
  }
  res.status(error.httpStatus).json({
    exception: {
      exceptionDetailList: [{ exceptionCode: error.code, exceptionDescription: error.description, details: error.details }],
      referenceNumber: null,
      serviceCode: traceId(),
      serviceCtx: 'srvKSEFSIM',
      serviceName: 'ksef-simulator',
      timestamp,
    },
  });
}

export function sendUnauthorized(req: Request, res: Response, detail: string): void {
  res
    .status(401)
    .type('application/problem+json')
    .send(JSON.stringify({ title: 'Unauthorized', status: 401, detail, instance: req.originalUrl, traceId: traceId(), timestamp: new Date().toISOString() }));
}

export function sendTooManyRequests(req: Request, res: Response, retryAfterSeconds: number, detail: string): void {
  res.setHeader('Retry-After', String(retryAfterSeconds));
  if (wantsProblemDetails(req)) {
    res
      .status(429)
      .type('application/problem+json')
      .send(JSON.stringify({ title: 'Too Many Requests', status: 429, instance: req.originalUrl, detail, timestamp: new Date().toISOString(), traceId: traceId() }));
    return;
  }
  res.status(429).json({ status: { code: 429, description: 'Too Many Requests', details: [detail] } });
}
