import { Router } from 'express';
import type { SimulatorContext } from '../context';

export function securityRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  router.get('/security/public-key-certificates', (_req, res) => {
    res.json(
      ctx.state.keys.keys.map((key) => ({
        certificate: key.certificateDer.toString('base64'),
        certificateId: key.certificateId,
        publicKeyId: key.publicKeyId,
        validFrom: key.validFrom.toISOString(),
        validTo: key.validTo.toISOString(),
        usage: [key.usage],
      })),
    );
  });
  return router;
}
