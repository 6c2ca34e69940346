import type { NextFunction, Request, Response } from 'express';
import type { SimulatorContext } from './context';
import { sendTooManyRequests, traceId } from './errors';
import { bearerToken } from './http';
import { rateLimitGroupFor } from './rate-limits';
import { verifyBearer } from './tokens';

function counterGroup(req: Request): string {
  if (req.baseUrl === '/v2') return rateLimitGroupFor(req.method, req.path);
  return req.path.split('/')[1] || 'root';
}

/** Counts every answered request per endpoint group (for /_sim/requests), including the 429s. */
export function requestCounters(ctx: SimulatorContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.on('finish', () => {
      const group = counterGroup(req);
      const counter = ctx.state.requestCounters.get(group) ?? { total: 0, tooManyRequests: 0, byStatus: {} };
      counter.total += 1;
      if (res.statusCode === 429) counter.tooManyRequests += 1;
      counter.byStatus[res.statusCode] = (counter.byStatus[res.statusCode] ?? 0) + 1;
      ctx.state.requestCounters.set(group, counter);
    });
    next();
  };
}

/** Injected failures for /v2 (configured through /_sim/faults). */
export function faultInjection(ctx: SimulatorContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const fault = ctx.faults.nextRequestFault(req.path);
    const proceed = () => {
      switch (fault.kind) {
        case 'outage':
          res.setHeader('Retry-After', String(Math.max(1, Math.ceil((fault.until.getTime() - Date.now()) / 1000))));
          res
            .status(fault.status)
            .type('application/problem+json')
            .send(JSON.stringify({ title: 'Service Unavailable', status: fault.status, detail: 'KSeF jest niedostępny (awaria symulowana przez /_sim/faults).', traceId: traceId() }));
          return;
        case 'hang':
          ctx.logger.info({ path: req.originalUrl, timeoutMs: fault.timeoutMs ?? null }, 'request left hanging by fault injection');
          if (fault.timeoutMs !== undefined) ctx.schedule(() => req.socket.destroy(), fault.timeoutMs);
          return;
        case 'tooManyRequests':
          sendTooManyRequests(req, res, fault.retryAfterSeconds, `Przekroczono limit żądań (symulacja). Spróbuj ponownie po ${fault.retryAfterSeconds} sekundach.`);
          return;
        case 'serverError':
          res
            .status(fault.status)
            .type('application/problem+json')
            .send(JSON.stringify({ title: 'Internal Server Error', status: fault.status, detail: 'Błąd serwera (symulowany przez /_sim/faults).', traceId: traceId() }));
          return;
        case 'loseResponse':
          // The request takes effect; only the answer is lost — the case where a client must not
          // create a second invoice when it re-sends.
          ctx.logger.info({ path: req.originalUrl }, 'response will be lost by fault injection');
          res.writeHead = (() => {
            req.socket.destroy();
            return res;
          }) as typeof res.writeHead;
          next();
          return;
        case 'none':
          next();
      }
    };
    const latency = ctx.faults.latencyFor(req.path);
    if (latency > 0) ctx.schedule(proceed, latency);
    else proceed();
  };
}

/** Published KSeF limits per (context NIP, client IP); the challenge is limited per IP only. */
export function rateLimiting(ctx: SimulatorContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const group = rateLimitGroupFor(req.method, req.path);
    let context = '-';
    const token = bearerToken(req);
    if (token && group !== 'authChallenge') {
      const check = verifyBearer(ctx.state.keys.hmacSecret, token);
      if (check.ok) context = check.claims.contextNip;
    }
    const decision = ctx.rateLimiter.check(group, `${context}|${req.ip ?? ''}`);
    if (!decision.allowed) {
      ctx.logger.info({ group, context, retryAfter: decision.retryAfterSeconds }, 'rate limit exceeded');
      sendTooManyRequests(req, res, decision.retryAfterSeconds, decision.detail);
      return;
    }
    next();
  };
}
