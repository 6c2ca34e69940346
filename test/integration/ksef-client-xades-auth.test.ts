/**
 * KsefClient authenticating with a KSeF certificate (XAdES) against the simulator with KSeF-token
 * authentication switched off (KSeF from 1 January 2027), and the product end to end on that
 * footing: an invoice submitted through the API is accepted with a KSeF number while the worker
 * authenticates with a certificate only.
 */
import forge from 'node-forge';
import { KsefApiError, KsefAuthError, KsefClient, KsefError, type KsefCertificateCredential, type KsefLogger } from '../../ksef-client';
import type { RunningSimulator } from '../../ksef-simulator/app';
import { createKsefSimulator, type KsefSimulator } from '../../ksef-simulator/app';
import { freshInvoice, randomNip, xmlOf } from './ksef-client-helpers';
import { sampleInvoice } from '../support/invoices';
import { startStack, type TestStack } from '../support/stack';
import { issueByForeignCa, issueBySimulator, makeForeignCa, type KeyKind, type TestCertificate } from '../support/certificates';

const credentialOf = (cert: TestCertificate): KsefCertificateCredential => ({ kind: 'certificate', certificatePem: cert.certificatePem, privateKeyPem: cert.privateKeyPem });

function certificateClient(sim: RunningSimulator, nip: string, credential: KsefCertificateCredential, extra: Partial<ConstructorParameters<typeof KsefClient>[0]> = {}): KsefClient {
  return new KsefClient({ baseUrl: sim.url, contextNip: nip, certificate: credential, timeoutMs: 5_000, auth: { pollIntervalMs: 20 }, retry: { baseDelayMs: 50, maxDelayMs: 400 }, ...extra });
}

async function authFailure(client: KsefClient): Promise<KsefError> {
  const error = await client.authenticate().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KsefError);
  return error as KsefError;
}

describe('KsefClient with a KSeF certificate (token authentication off)', () => {
  let simulator: KsefSimulator;
  let sim: RunningSimulator;

  beforeAll(async () => {
    simulator = createKsefSimulator({ processingDelayMs: 20, rateLimits: 'off', tokenAuth: 'disabled' });
    sim = await simulator.listen(0);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it.each<KeyKind>(['rsa', 'ec'])('authenticates with a %s key and sends an invoice that gets a KSeF number', async (kind) => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.rootUrl, { nip, kind });
    const client = certificateClient(sim, nip, credentialOf(cert));
    const session = await client.openOnlineSession();
    const sent = await client.sendInvoice(session, xmlOf(freshInvoice(nip, randomNip())));
    const status = await client.waitForInvoiceStatus(session.referenceNumber, sent.referenceNumber, { intervalMs: 20, timeoutMs: 10_000 });
    expect(status.status.code).toBe(200);
    expect(status.ksefNumber).toMatch(new RegExp(`^${nip}-`));
  });

  it('the token path of the same client class is refused by this simulator (450), so the certificate is what worked', async () => {
    const nip = randomNip();
    const error = await authFailure(new KsefClient({ baseUrl: sim.url, contextNip: nip, ksefToken: 'old-token', auth: { pollIntervalMs: 20 } }));
    expect(error).toMatchObject({ code: 'KSEF_AUTH_FAILED', statusCode: 450 });
  });

  it('opens a PKCS#12 credential (RSA) and authenticates with it', async () => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.rootUrl, { nip, kind: 'rsa' });
    const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(cert.privateKeyPem), [forge.pki.certificateFromPem(cert.certificatePem)], 'p12-haslo', { algorithm: '3des' });
    const client = certificateClient(sim, nip, { kind: 'certificate', pkcs12: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'), pkcs12Password: 'p12-haslo' });
    await expect(client.authenticate()).resolves.toMatchObject({ referenceNumber: expect.stringMatching(/-AU-/) });
  });

  it('keeps polling while KSeF answers 100 (OCSP/CRL on DEMO/PRD) and gives up after pollTimeoutMs', async () => {
    const slow = createKsefSimulator({ processingDelayMs: 20, rateLimits: 'off', tokenAuth: 'disabled', authDelayMs: 400 });
    const slowSim = await slow.listen(0);
    try {
      const nip = randomNip();
      const cert = await issueBySimulator(slowSim.rootUrl, { nip });
      const patient = certificateClient(slowSim, nip, credentialOf(cert), { auth: { pollIntervalMs: 50, pollTimeoutMs: 5_000 } });
      await expect(patient.authenticate()).resolves.toBeTruthy();
      const impatient = certificateClient(slowSim, nip, credentialOf(cert), { auth: { pollIntervalMs: 50, pollTimeoutMs: 100 } });
      expect(await authFailure(impatient)).toMatchObject({ code: 'KSEF_AUTH_PENDING_TIMEOUT', retryable: true });
    } finally {
      await slowSim.close();
    }
  });

  it('an expired certificate ends in 460 KSEF_AUTH_CERTIFICATE_REJECTED (not retryable)', async () => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.rootUrl, { nip, validFrom: new Date(Date.now() - 5 * 86_400_000), validTo: new Date(Date.now() - 60_000) });
    const error = await authFailure(certificateClient(sim, nip, credentialOf(cert)));
    expect(error).toBeInstanceOf(KsefAuthError);
    expect(error).toMatchObject({ code: 'KSEF_AUTH_CERTIFICATE_REJECTED', statusCode: 460, statusDetails: ['Nieważny certyfikat.'], retryable: false });
  });

  it('a certificate revoked through /certificates/{serial}/revoke ends in 460 Certyfikat odwołany', async () => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.rootUrl, { nip });
    const client = certificateClient(sim, nip, credentialOf(cert));
    const accessToken = await client.getAccessToken();
    await client.http.request({ method: 'POST', path: `/certificates/${cert.serialNumber}/revoke`, bearer: accessToken, json: { revocationReason: 'KeyCompromise' }, responseKind: 'none' });
    const error = await authFailure(certificateClient(sim, nip, credentialOf(cert)));
    expect(error).toMatchObject({ code: 'KSEF_AUTH_CERTIFICATE_REJECTED', statusCode: 460, statusDetails: ['Certyfikat odwołany.'] });
  });

  it('a certificate from an untrusted CA ends in 460 Niezaufany łańcuch certyfikatów', async () => {
    const nip = randomNip();
    const seal = await issueByForeignCa(await makeForeignCa(), nip, 'ec');
    const error = await authFailure(certificateClient(sim, nip, credentialOf(seal)));
    expect(error).toMatchObject({ code: 'KSEF_AUTH_CERTIFICATE_REJECTED', statusCode: 460, statusDetails: ['Niezaufany łańcuch certyfikatów.'] });
  });

  it('a certificate of another NIP ends in 415 (no permissions in this context)', async () => {
    const cert = await issueBySimulator(sim.rootUrl, { nip: randomNip() });
    const error = await authFailure(certificateClient(sim, randomNip(), credentialOf(cert)));
    expect(error).toMatchObject({ code: 'KSEF_AUTH_FAILED', statusCode: 415, retryable: false });
  });

  it('a stale challenge (older than 10 minutes when signed) is 400 21111', async () => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.rootUrl, { nip });
    // Every challenge this simulator now hands out is already 11 minutes old: a client that took
    // that long between challenge and signature.
    const challenges = simulator.state.challenges;
    const set = challenges.set.bind(challenges);
    challenges.set = (key, value) => set(key, { ...value, timestamp: new Date(Date.now() - 11 * 60_000) });
    try {
      const error = await authFailure(certificateClient(sim, nip, credentialOf(cert)));
      expect(error).toBeInstanceOf(KsefApiError);
      expect(error).toMatchObject({ code: 'KSEF_BAD_REQUEST', httpStatus: 400, retryable: false });
      expect((error as KsefApiError).hasExceptionCode(21111)).toBe(true);
    } finally {
      challenges.set = set;
    }
  });

  it('never logs the private key, and a wrong key stops before anything is sent (KSEF_CERTIFICATE_INVALID)', async () => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.rootUrl, { nip });
    const lines: string[] = [];
    const logger: KsefLogger = { debug: (o, m) => lines.push(JSON.stringify([o, m])), info: (o, m) => lines.push(JSON.stringify([o, m])), warn: (o, m) => lines.push(JSON.stringify([o, m])) };
    await certificateClient(sim, nip, credentialOf(cert), { logger }).authenticate();
    expect(lines.length).toBeGreaterThan(0);
    const keyBody = cert.privateKeyPem.split('\n')[1];
    expect(lines.join('\n')).not.toContain(keyBody);
    expect(lines.join('\n')).not.toContain('PRIVATE KEY');

    const other = await issueBySimulator(sim.rootUrl, { nip });
    const operationsBefore = simulator.state.authOperations.size;
    const error = await authFailure(certificateClient(sim, nip, { kind: 'certificate', certificatePem: cert.certificatePem, privateKeyPem: other.privateKeyPem }));
    expect(error).toMatchObject({ code: 'KSEF_CERTIFICATE_INVALID' });
    expect(simulator.state.authOperations.size).toBe(operationsBefore);
  });
});

describe('the product with certificate authentication only (KSeF from 2027)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      simulator: { tokenAuth: 'disabled' },
      lifecycle: { triageSlaMs: 60_000, confirmWatchdogMs: 60_000, ksefInitialRetryMs: 100 },
      ksefCertificate: async (simulator) => credentialOf(await issueBySimulator(simulator.rootUrl, { nip: '5260001246', kind: 'ec' })),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('an invoice submitted through the API reaches ACCEPTED with a KSeF number; KSeF saw XAdES authentications only', async () => {
    const res = await stack.api('/api/v1/invoices', { body: sampleInvoice() });
    expect(res.status).toBe(202);
    const result = (await stack.temporal.workflow.getHandle(res.body.workflowId as string).result()) as { status: string; ksefNumber: string | null };
    expect(result.status).toBe('ACCEPTED');
    expect(result.ksefNumber).toMatch(/^5260001246-/);
    const operations = [...stack.simulator.state.authOperations.values()];
    expect(operations.length).toBeGreaterThan(0);
    expect(operations.every((op) => op.method?.authenticationMethod === 'InternalCertificate' && op.outcome.code === 200)).toBe(true);
    const row = await stack.prisma.invoice.findUniqueOrThrow({ where: { id: res.body.id as string } });
    expect(row).toMatchObject({ status: 'ACCEPTED', ksefNumber: result.ksefNumber });

    // The API fetches the UPO from KSeF on first demand: with the same certificate, not a token.
    const upo = await fetch(`${stack.apiUrl}/api/v1/invoices/${res.body.id as string}/upo`, { headers: await stack.auth.headersFor('monitor') });
    expect(upo.status).toBe(200);
    const text = await upo.text();
    expect(text).toContain(result.ksefNumber!);
    expect(text).toMatch(/<SkrotDokumentuUwierzytelniajacego>[A-Za-z0-9+/]{43}=<\/SkrotDokumentuUwierzytelniajacego>/);
    expect([...stack.simulator.state.authOperations.values()].every((op) => op.method?.authenticationMethod === 'InternalCertificate')).toBe(true);
  });
});
