import { Router } from 'express';
import type { Registry } from 'prom-client';

/** Prometheus scrape endpoint. Not behind the API's auth: keep it on the internal network. */
export function metricsRoutes(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', async (_req, res, next) => {
    try {
      res.type(registry.contentType).send(await registry.metrics());
    } catch (error) {
      next(error);
    }
  });
  return router;
}
