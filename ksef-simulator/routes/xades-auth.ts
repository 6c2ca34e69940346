import express, { Router } from 'express';
import type { SimulatorContext } from '../context';
import { judgeSignedRequest } from '../certificates/verdict';
import { readSignedAuthRequest } from '../certificates/xades-verify';
import { ExceptionCode, KsefError } from '../errors';
import { consumeChallenge, startAuthOperation } from './auth';

/**
 * POST /auth/xades-signature: the signed AuthTokenRequest (raw XML). Signature and document are
 * checked before the 202 (400 21001/21401/9101–9105/21111/21115); certificate trust, validity,
 * revocation and permissions decide the operation's status afterwards (460/415), as in KSeF.
 */
export function xadesAuthRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  // A signed AuthTokenRequest is a few kB; the cap keeps hostile bodies from costing parse time.
  const xmlBody = express.text({ type: () => true, limit: '256kb' });

  router.post('/auth/xades-signature', xmlBody, async (req, res) => {
    const xml = typeof req.body === 'string' ? req.body : '';
    const request = await readSignedAuthRequest(xml);
    if (request.context.type !== 'Nip') {
      throw new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', ['Symulator obsługuje wyłącznie kontekst typu Nip.']);
    }
    // Only now is the challenge spent: a replayed (already accepted) document fails here with 21111.
    consumeChallenge(ctx, request.challenge);
    const verdict = await judgeSignedRequest(ctx.state.certificates, request, ctx.faults.nextCertificateFailure());
    res.status(202).json(
      startAuthOperation(ctx, {
        contextNip: request.context.value,
        outcome: verdict.outcome,
        // The UPO names a XAdES authentication by the document's hash, not by a token reference.
        ksefTokenReference: '',
        method: verdict.method,
        certificate: verdict.certificate,
      }),
    );
  });

  return router;
}
