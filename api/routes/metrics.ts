import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { Registry } from 'prom-client';
import { ProblemError } from '../problem';

/**
 * Prometheus scrape endpoint. The figures describe the business (invoices by status, rejection codes,
 * backlog), so the API port does not hand them to whoever reaches it: with METRICS_TOKEN configured
 * the scraper sends it as a bearer token; without one only a caller on this host may read them.
 */
export function metricsRoutes(registry: Registry, token?: string): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (!metricsAllowed(req.socket.remoteAddress, req.get('authorization'), token)) {
      throw new ProblemError(401, 'KSEFOPS_METRICS_UNAUTHORIZED', 'Unauthorized', token ? 'Send the metrics token as a bearer token (METRICS_TOKEN).' : 'Metrics are served to this host only; configure METRICS_TOKEN to scrape from elsewhere.');
    }
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}

/** Pure: tested for remote addresses a test cannot connect from. */
export function metricsAllowed(remoteAddress: string | undefined, authorization: string | undefined, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(/^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '');
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
  const address = (remoteAddress ?? '').replace(/^::ffff:/, '');
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}
