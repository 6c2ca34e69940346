import { Router } from 'express';
import type { SimulatorContext } from '../context';

/**
 * MF's availability service ("Latarnia"). Only the resource names (`status`, `messages`) and the
 * enum values come from the official Java SDK; the JSON shape is our choice (see README).
 */
export function latarniaRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  router.get('/status', (_req, res) => {
    res.json({ status: ctx.state.availability.status, timestamp: new Date().toISOString() });
  });
  router.get('/messages', (_req, res) => {
    res.json(ctx.state.availability.messages);
  });
  return router;
}
