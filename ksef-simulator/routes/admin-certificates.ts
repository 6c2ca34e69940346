import { Router, type Response } from 'express';
import { z } from 'zod';
import type { SimulatorContext } from '../context';
import { newSerialNumber } from '../certificates/authority';
import { x509 } from '../certificates/runtime';
import { describeSubject } from '../certificates/subject';

/**
 * Test control for certificates (real KSeF has none of this): the CA to trust, certificates
 * issued with any validity (expired ones included) without an enrolment, extra trusted roots (a
 * "qualified" CA), permissions on fingerprints, and the switch that turns KSeF-token
 * authentication off (KSeF from 2027).
 */

const b64 = z.string().min(1).max(20_000);
const issueRequest = z
  .object({
    /** PKCS#10 CSR, DER Base64: the certificate gets its subject and key. */
    csr: b64,
    type: z.enum(['Authentication', 'Offline']).default('Authentication'),
    name: z.string().min(1).max(100).default('sim-issued'),
    validFrom: z.string().datetime({ offset: true }).optional(),
    validTo: z.string().datetime({ offset: true }).optional(),
  })
  .strict();
const trustRequest = z.object({ certificate: b64 }).strict();
const grantRequest = z.object({ fingerprint: z.string().regex(/^[0-9A-F]{64}$/), nip: z.string().regex(/^\d{10}$/) }).strict();
const authPolicy = z.object({ tokenAuth: z.enum(['enabled', 'disabled']) }).strict();

function derOf(text: string): Buffer {
  const pem = /-----BEGIN [A-Z ]+-----([\s\S]+?)-----END/.exec(text);
  return Buffer.from((pem ? pem[1] : text).replace(/\s+/g, ''), 'base64');
}

function invalid(res: Response, issues: string[]): void {
  res.status(400).json({ error: 'invalid_admin_request', issues });
}

export function adminCertificateRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  const store = ctx.state.certificates;

  router.get('/certificates/ca', async (_req, res) => {
    const ca = (await store.authority()).certificate;
    res.json({ certificate: Buffer.from(ca.rawData).toString('base64'), pem: ca.toString('pem') });
  });

  router.post('/certificates/issue', async (req, res) => {
    const parsed = issueRequest.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(derOf(parsed.data.csr));
    } catch {
      return invalid(res, ['csr: not a PKCS#10 request (DER Base64 or PEM)']);
    }
    if (!(await csr.verify().catch(() => false))) return invalid(res, ['csr: signature does not verify']);
    const notBefore = parsed.data.validFrom ? new Date(parsed.data.validFrom) : new Date();
    const notAfter = parsed.data.validTo ? new Date(parsed.data.validTo) : new Date(notBefore.getTime() + 365 * 24 * 3_600_000);
    if (notAfter <= notBefore) return invalid(res, ['validTo: must be after validFrom']);
    const serialNumber = newSerialNumber();
    const certificate = await (await store.authority()).issue({ publicKey: csr.publicKey, subject: csr.subjectName, notBefore, notAfter, type: parsed.data.type, serialNumber });
    const subject = describeSubject(certificate);
    store.add({
      serialNumber,
      name: parsed.data.name,
      type: parsed.data.type,
      der: Buffer.from(certificate.rawData),
      subject,
      owner: subject.nip ? { type: 'Nip', value: subject.nip } : subject.pesel ? { type: 'Pesel', value: subject.pesel } : { type: 'Fingerprint', value: subject.fingerprint },
      revoked: null,
      validFrom: notBefore,
      validTo: notAfter,
      requestDate: new Date(),
      lastUseDate: null,
    });
    res.status(201).json({ serialNumber, certificate: Buffer.from(certificate.rawData).toString('base64'), pem: certificate.toString('pem'), fingerprint: subject.fingerprint });
  });

  router.post('/certificates/trusted-cas', (req, res) => {
    const parsed = trustRequest.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    try {
      store.extraRoots.push(new x509.X509Certificate(derOf(parsed.data.certificate)));
    } catch {
      return invalid(res, ['certificate: not an X.509 certificate']);
    }
    res.status(201).json({ trustedRoots: store.extraRoots.length + 1 });
  });
  router.delete('/certificates/trusted-cas', (_req, res) => {
    store.extraRoots.length = 0;
    res.status(204).end();
  });

  router.post('/certificates/fingerprint-grants', (req, res) => {
    const parsed = grantRequest.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    const nips = store.fingerprintGrants.get(parsed.data.fingerprint) ?? new Set<string>();
    nips.add(parsed.data.nip);
    store.fingerprintGrants.set(parsed.data.fingerprint, nips);
    res.status(201).json({ fingerprint: parsed.data.fingerprint, nips: [...nips] });
  });

  router.get('/auth', (_req, res) => void res.json({ tokenAuth: ctx.state.tokenAuth }));
  router.put('/auth', (req, res) => {
    const parsed = authPolicy.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    ctx.state.tokenAuth = parsed.data.tokenAuth;
    ctx.logger.info({ tokenAuth: ctx.state.tokenAuth }, 'KSeF-token authentication switched');
    res.json({ tokenAuth: ctx.state.tokenAuth });
  });

  return router;
}
