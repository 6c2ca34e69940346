import type { webcrypto } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SimulatorContext } from '../context';
import { newSerialNumber } from '../certificates/authority';
import { x509 } from '../certificates/runtime';
import type { Enrollment, IssuedCertificate, SubjectIdentifier } from '../certificates/store';
import { describeSubject, SUBJECT_OIDS, type CertificateSubject } from '../certificates/subject';
import { ExceptionCode, KsefError, traceId } from '../errors';
import { claimsOf, parseBody, requireBearer } from '../http';
import { newReferenceNumber } from '../numbering';
import type { AuthOperation, StatusInfo } from '../state';

/**
 * KSeF certificates (`/certificates/*`): enrolment data → PKCS#10 CSR → enrolment → status →
 * retrieve (DER, Base64) → query → revoke, plus limits. Certificates are signed by the simulator's
 * CA and belong to the subject that authenticated with a XAdES signature (a KSeF-token session may
 * look, but may neither enrol nor revoke — as in KSeF).
 */

const SERIAL = z.string().regex(/^[0-9A-F]{16}$/, 'numer seryjny: 16 znaków 0-9A-F');
const certificateType = z.enum(['Authentication', 'Offline']);

const enrollRequest = z.object({
  certificateName: z.string().min(5).max(100).regex(/^[a-zA-Z0-9_\- ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]+$/),
  certificateType,
  csr: z.string().min(1).max(20_000),
  validFrom: z.string().datetime({ offset: true }).nullish(),
});
const queryRequest = z
  .object({
    certificateSerialNumber: SERIAL.nullish(),
    name: z.string().max(100).nullish(),
    type: certificateType.nullish(),
    status: z.enum(['Active', 'Blocked', 'Revoked', 'Expired']).nullish(),
    expiresAfter: z.string().datetime({ offset: true }).nullish(),
  })
  .strict();
const retrieveRequest = z.object({ certificateSerialNumbers: z.array(SERIAL).min(1).max(10) });
const revokeRequest = z.object({ revocationReason: z.enum(['Unspecified', 'Superseded', 'KeyCompromise']).nullish() });
const paging = z.object({ pageSize: z.coerce.number().int().min(10).max(50).default(10), pageOffset: z.coerce.number().int().min(0).default(0) });

const ENROLLMENT_STATUS: Record<number, string> = {
  100: 'Wniosek przyjęty do realizacji',
  200: 'Wniosek obsłużony (certyfikat wygenerowany)',
  400: 'Wniosek odrzucony',
};

export interface CertificatePolicy {
  /** Enrolments one subject may file (the simulator's default; MF publishes none). */
  enrollmentLimit: number;
  /** Active certificates one subject may hold. */
  certificateLimit: number;
  validityMs: number;
}

export const DEFAULT_CERTIFICATE_POLICY: CertificatePolicy = { enrollmentLimit: 300, certificateLimit: 100, validityMs: 2 * 365 * 24 * 3_600_000 };

function badRequest(code: number, description: string, details: string[] = []): KsefError {
  return new KsefError(code, description, details);
}

function forbidden(req: Request, res: Response, detail: string): void {
  res.status(403).type('application/problem+json').send(JSON.stringify({ title: 'Forbidden', status: 403, detail, instance: req.originalUrl, traceId: traceId(), timestamp: new Date().toISOString() }));
}

/** The enrolment data of the subject whose certificate made this authentication (null: not a XAdES authentication). */
function enrollmentData(subject: CertificateSubject | undefined): Record<string, string> | null {
  if (!subject || (!subject.nip && !subject.pesel)) return null;
  const data: Record<string, string | null> = {
    commonName: subject.commonName,
    countryName: subject.countryName || 'PL',
    givenName: subject.givenName,
    surname: subject.surname,
    serialNumber: subject.nip && !subject.organizationIdentifier ? subject.serialNumber : subject.pesel ? subject.serialNumber : null,
    uniqueIdentifier: subject.uniqueIdentifier,
    organizationName: subject.organizationName,
    // A KSeF certificate carries the bare NIP as organizationIdentifier (the OpenAPI's CSR example).
    organizationIdentifier: subject.nip && subject.organizationIdentifier ? subject.nip : null,
  };
  return Object.fromEntries(Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

const CSR_FIELDS: Record<string, string> = {
  commonName: SUBJECT_OIDS.commonName,
  countryName: SUBJECT_OIDS.countryName,
  givenName: SUBJECT_OIDS.givenName,
  surname: SUBJECT_OIDS.surname,
  serialNumber: SUBJECT_OIDS.serialNumber,
  organizationName: SUBJECT_OIDS.organizationName,
  organizationIdentifier: SUBJECT_OIDS.organizationIdentifier,
};

function enrollmentStatus(enrollment: Enrollment): StatusInfo {
  return Date.now() < enrollment.readyAt ? { code: 100, description: ENROLLMENT_STATUS[100] } : enrollment.outcome;
}

export function certificateRoutes(ctx: SimulatorContext, policy: CertificatePolicy = DEFAULT_CERTIFICATE_POLICY): Router {
  const router = Router();
  const store = ctx.state.certificates;

  function caller(res: Response): { op: AuthOperation | undefined; owner: SubjectIdentifier; subject: CertificateSubject | undefined } {
    const claims = claimsOf(res);
    const op = ctx.state.authOperations.get(claims.authReferenceNumber);
    const owner = op?.certificate?.subjectIdentifier ?? { type: 'Nip' as const, value: claims.contextNip };
    return { op, owner, subject: op?.certificate ? store.authSubjects.get(op.certificate.fingerprint) : undefined };
  }

  function limits(owner: SubjectIdentifier) {
    const active = store.ownedBy(owner).filter((c) => store.statusOf(c) === 'Active').length;
    const filed = [...store.enrollments.values()].filter((e) => e.owner.type === owner.type && e.owner.value === owner.value).length;
    return {
      enrollment: { remaining: Math.max(0, policy.enrollmentLimit - filed), limit: policy.enrollmentLimit },
      certificate: { remaining: Math.max(0, policy.certificateLimit - active), limit: policy.certificateLimit },
    };
  }

  function listItem(c: IssuedCertificate) {
    return {
      certificateSerialNumber: c.serialNumber,
      name: c.name,
      type: c.type,
      commonName: c.subject.commonName,
      status: store.statusOf(c),
      subjectIdentifier: c.owner,
      validFrom: c.validFrom.toISOString(),
      validTo: c.validTo.toISOString(),
      lastUseDate: c.lastUseDate?.toISOString() ?? null,
      requestDate: c.requestDate.toISOString(),
    };
  }

  router.get('/certificates/limits', requireBearer(ctx, 'access'), (_req, res) => {
    const { owner, subject } = caller(res);
    const l = limits(owner);
    res.json({ canRequest: enrollmentData(subject) !== null && l.enrollment.remaining > 0 && l.certificate.remaining > 0, ...l });
  });

  router.get('/certificates/enrollments/data', requireBearer(ctx, 'access'), (_req, res) => {
    const data = enrollmentData(caller(res).subject);
    if (!data) throw badRequest(25001, 'Brak możliwości pobrania danych do CSR dla wykorzystanego sposobu uwierzytelnienia.');
    res.json(data);
  });

  router.post('/certificates/enrollments', requireBearer(ctx, 'access'), async (req, res) => {
    const body = parseBody(enrollRequest, req.body);
    const { owner, subject } = caller(res);
    const data = enrollmentData(subject);
    if (!data) throw badRequest(25002, 'Brak możliwości złożenia wniosku certyfikacyjnego dla wykorzystanego sposobu uwierzytelnienia.');
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(Buffer.from(body.csr, 'base64'));
    } catch {
      throw badRequest(25004, 'Niepoprawny format CSR lub niepoprawny podpis CSR.', ['csr: oczekiwano PKCS#10 w DER, Base64.']);
    }
    const keyAlgorithm = csr.publicKey.algorithm as webcrypto.RsaHashedKeyAlgorithm & webcrypto.EcKeyAlgorithm;
    const rsa2048 = keyAlgorithm.name.startsWith('RSA') && keyAlgorithm.modulusLength === 2048;
    const p256 = keyAlgorithm.name === 'ECDSA' && keyAlgorithm.namedCurve === 'P-256';
    if (!rsa2048 && !p256) throw badRequest(25010, 'Nieprawidłowy typ lub długość klucza.', ['Dozwolone: RSA 2048 lub EC P-256.']);
    const signatureAlgorithm = csr.signatureAlgorithm as webcrypto.Algorithm & { hash?: { name: string } };
    const hash = signatureAlgorithm.hash?.name ?? '';
    if (!['RSASSA-PKCS1-v1_5', 'RSA-PSS', 'ECDSA'].includes(signatureAlgorithm.name) || !['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'].includes(hash)) {
      throw badRequest(25011, 'Nieprawidłowy algorytm podpisu CSR.');
    }
    if (!(await csr.verify().catch(() => false))) throw badRequest(25004, 'Niepoprawny format CSR lub niepoprawny podpis CSR.', ['Podpis CSR nie zgadza się z kluczem publicznym.']);
    const mismatched = Object.entries(data)
      .filter(([field]) => field in CSR_FIELDS)
      .filter(([field, value]) => csr.subjectName.getField(CSR_FIELDS[field])[0] !== value)
      .map(([field]) => field);
    if (mismatched.length) throw badRequest(25003, 'Dane w CSR nie zgadzają się z danymi w użytym wektorze uwierzytelniającym.', mismatched.map((f) => `${f}: oczekiwano ${data[f]}`));
    const l = limits(owner);
    if (l.enrollment.remaining <= 0) throw badRequest(25006, 'Osiągnięto limit możliwych do złożenia wniosków certyfikacyjnych.');
    if (l.certificate.remaining <= 0) throw badRequest(25007, 'Osiągnięto limit dopuszczalnej liczby posiadanych certyfikatów.');

    const requestDate = new Date();
    const referenceNumber = newReferenceNumber('EH', requestDate);
    const spki = Buffer.from(csr.publicKey.rawData).toString('base64');
    const takenByOther = [...store.certificates.values()].some(
      (c) => Buffer.from(new x509.X509Certificate(c.der).publicKey.rawData).toString('base64') === spki && (c.owner.type !== owner.type || c.owner.value !== owner.value),
    );
    let outcome: StatusInfo;
    let certificateSerialNumber: string | null = null;
    if (takenByOther) {
      outcome = { code: 400, description: ENROLLMENT_STATUS[400], details: ['Klucz publiczny został już certyfikowany przez inny podmiot.'] };
    } else {
      const notBefore = body.validFrom ? new Date(body.validFrom) : requestDate;
      const authority = await store.authority();
      const serialNumber = newSerialNumber();
      const certificate = await authority.issue({ publicKey: csr.publicKey, subject: csr.subjectName, notBefore, notAfter: new Date(notBefore.getTime() + policy.validityMs), type: body.certificateType, serialNumber });
      store.add({
        serialNumber,
        name: body.certificateName,
        type: body.certificateType,
        der: Buffer.from(certificate.rawData),
        subject: describeSubject(certificate),
        owner,
        revoked: null,
        validFrom: certificate.notBefore,
        validTo: certificate.notAfter,
        requestDate,
        lastUseDate: null,
      });
      certificateSerialNumber = serialNumber;
      outcome = { code: 200, description: ENROLLMENT_STATUS[200] };
    }
    store.enrollments.set(referenceNumber, { referenceNumber, owner, requestDate, readyAt: Date.now() + ctx.options.processingDelayMs, outcome, certificateSerialNumber });
    ctx.logger.info({ enrollment: referenceNumber, owner: owner.value, outcome: outcome.code }, 'certificate enrolment filed');
    res.status(202).json({ referenceNumber, timestamp: requestDate.toISOString() });
  });

  router.get('/certificates/enrollments/:referenceNumber', requireBearer(ctx, 'access'), (req, res) => {
    const { owner } = caller(res);
    const enrollment = store.enrollments.get(String(req.params.referenceNumber));
    if (!enrollment || enrollment.owner.type !== owner.type || enrollment.owner.value !== owner.value) {
      throw badRequest(25005, 'Wniosek certyfikacyjny o podanym numerze referencyjnym nie istnieje.', [String(req.params.referenceNumber)]);
    }
    const status = enrollmentStatus(enrollment);
    res.json({ requestDate: enrollment.requestDate.toISOString(), status, certificateSerialNumber: status.code === 200 ? enrollment.certificateSerialNumber : null });
  });

  router.post('/certificates/query', requireBearer(ctx, 'access'), (req, res) => {
    const filters = parseBody(queryRequest, req.body ?? {});
    const page = paging.safeParse(req.query);
    if (!page.success) throw badRequest(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', page.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    const { owner } = caller(res);
    const expiresAfter = filters.expiresAfter ? Date.parse(filters.expiresAfter) : null;
    const matching = store
      .ownedBy(owner)
      .filter((c) => !filters.certificateSerialNumber || c.serialNumber === filters.certificateSerialNumber)
      .filter((c) => !filters.name || c.name.includes(filters.name))
      .filter((c) => !filters.type || c.type === filters.type)
      .filter((c) => !filters.status || store.statusOf(c) === filters.status)
      .filter((c) => expiresAfter === null || c.validTo.getTime() > expiresAfter)
      .sort((a, b) => b.requestDate.getTime() - a.requestDate.getTime());
    const { pageSize, pageOffset } = page.data;
    const slice = matching.slice(pageOffset * pageSize, (pageOffset + 1) * pageSize);
    res.json({ certificates: slice.map(listItem), hasMore: (pageOffset + 1) * pageSize < matching.length });
  });

  router.post('/certificates/retrieve', requireBearer(ctx, 'access'), (req, res) => {
    const body = parseBody(retrieveRequest, req.body);
    const { owner } = caller(res);
    const mine = new Set(store.ownedBy(owner).map((c) => c.serialNumber));
    const certificates = body.certificateSerialNumbers
      .filter((serial) => mine.has(serial))
      .map((serial) => store.certificates.get(serial)!)
      .map((c) => ({ certificate: c.der.toString('base64'), certificateName: c.name, certificateSerialNumber: c.serialNumber, certificateType: c.type }));
    res.json({ certificates });
  });

  router.post('/certificates/:certificateSerialNumber/revoke', requireBearer(ctx, 'access'), (req, res) => {
    const serial = SERIAL.safeParse(req.params.certificateSerialNumber);
    if (!serial.success) throw badRequest(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', ['certificateSerialNumber: 16 znaków 0-9A-F.']);
    const body = parseBody(revokeRequest, req.body ?? {});
    const { op, owner } = caller(res);
    if (!op?.certificate) return forbidden(req, res, 'Unieważnienie certyfikatu nie jest dostępne dla podmiotu uwierzytelnionego tokenem KSeF.');
    const certificate = store.certificates.get(serial.data);
    if (!certificate || certificate.owner.type !== owner.type || certificate.owner.value !== owner.value) {
      throw badRequest(25008, 'Certyfikat o podanym numerze seryjnym nie istnieje.', [serial.data]);
    }
    if (store.statusOf(certificate) !== 'Active') {
      throw badRequest(25009, 'Nie można odwołać wskazanego certyfikatu, ponieważ jest już odwołany, zablokowany lub nieważny.', [serial.data]);
    }
    certificate.revoked = { at: new Date(), reason: body.revocationReason ?? 'Unspecified' };
    ctx.logger.info({ certificate: serial.data, reason: certificate.revoked.reason }, 'certificate revoked');
    res.status(204).end();
  });

  return router;
}
