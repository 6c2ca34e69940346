/**
 * The simulator's XAdES authentication (POST /auth/xades-signature), KSeF certificates
 * (/certificates/*), /auth/sessions and the certificate fault menu, driven over HTTP with real
 * signatures (ksef-client's signer) and real certificates (the simulator's CA, a foreign CA).
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { SignatureService } from 'ksef-client-ts';
import { validateXML } from 'xmllint-wasm';
import { buildAuthTokenRequest, loadSigningIdentity, signAuthTokenRequest } from '../../ksef-client';
import { expectConforms } from './simulator-support/openapi';
import { http, startSimulator, type StartedSimulator } from './simulator-support/client';
import { basicInvoice, randomNip } from './simulator-support/fixtures';
import { companySubject, issueByForeignCa, issueBySimulator, makeCsr, makeForeignCa, makeKeys, type TestCertificate } from '../support/certificates';

let sim: StartedSimulator;
const api = (path: string) => `${sim.running.url}${path}`;

async function admin(method: string, path: string, json?: unknown) {
  return http(`${sim.running.rootUrl}/_sim${path}`, { method, json });
}

async function signedRequest(cert: Pick<TestCertificate, 'certificatePem' | 'privateKeyPem'>, nip: string, options: { challenge?: string; subjectIdentifierType?: 'certificateSubject' | 'certificateFingerprint' } = {}) {
  const challenge = options.challenge ?? (await http(api('/auth/challenge'), { method: 'POST' })).body.challenge;
  const identity = loadSigningIdentity({ kind: 'certificate', certificatePem: cert.certificatePem, privateKeyPem: cert.privateKeyPem });
  return signAuthTokenRequest(buildAuthTokenRequest({ challenge, contextNip: nip, subjectIdentifierType: options.subjectIdentifierType ?? 'certificateSubject' }), identity);
}

function postXades(xml: string) {
  return http(api('/auth/xades-signature'), { method: 'POST', headers: { 'content-type': 'application/xml' }, body: Buffer.from(xml) });
}

/** Signs, posts, waits for the final auth status; returns it with the tokens when it was 200. */
async function xadesAuth(cert: Pick<TestCertificate, 'certificatePem' | 'privateKeyPem'>, nip: string, options: Parameters<typeof signedRequest>[2] = {}) {
  const init = await postXades(await signedRequest(cert, nip, options));
  expect(init.status).toBe(202);
  expectConforms('POST', '/auth/xades-signature', 202, init.body);
  const authenticationToken = init.body.authenticationToken.token as string;
  for (;;) {
    const status = await http(api(`/auth/${init.body.referenceNumber}`), { token: authenticationToken });
    expect(status.status).toBe(200);
    if (status.body.status.code !== 100) {
      expectConforms('GET', '/auth/{referenceNumber}', 200, status.body);
      if (status.body.status.code !== 200) return { status: status.body, accessToken: '', refreshToken: '' };
      const redeemed = await http(api('/auth/token/redeem'), { method: 'POST', token: authenticationToken });
      return { status: status.body, accessToken: redeemed.body.accessToken.token as string, refreshToken: redeemed.body.refreshToken.token as string };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  sim = await startSimulator({ rateLimits: 'off' });
});
afterAll(async () => {
  await sim?.running.close();
});
afterEach(async () => {
  await admin('DELETE', '/certificates/trusted-cas');
  await admin('PUT', '/auth', { tokenAuth: 'enabled' });
});

describe('POST /auth/xades-signature', () => {
  it.each(['ec', 'rsa'] as const)('authenticates a KSeF certificate (%s key) of the simulator CA as InternalCertificate', async (kind) => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.running.rootUrl, { nip, kind });
    const result = await xadesAuth(cert, nip);
    expect(result.status).toMatchObject({ status: { code: 200 }, authenticationMethod: 'InternalCertificate', authenticationMethodInfo: { category: 'XadesSignature' } });
    expect(result.accessToken).toBeTruthy();
  });

  it.each(['ec', 'rsa'] as const)('accepts a signature made by a third-party KSeF signer (ksef-client-ts, %s key), not only by our own', async (kind) => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.running.rootUrl, { nip, kind });
    const challenge = (await http(api('/auth/challenge'), { method: 'POST' })).body.challenge;
    const xml = SignatureService.sign(buildAuthTokenRequest({ challenge, contextNip: nip, subjectIdentifierType: 'certificateSubject' }), cert.certificatePem, cert.privateKeyPem);
    const init = await postXades(xml);
    expect(init.status).toBe(202);
    expect(await sim.newClient().pollAuth(init.body.referenceNumber, init.body.authenticationToken.token)).toBe(200);
  });

  it('refuses a certificate from a CA it does not trust (460), accepts it once the CA is trusted (QualifiedSeal)', async () => {
    const nip = randomNip();
    const ca = await makeForeignCa();
    const seal = await issueByForeignCa(ca, nip);
    const refused = await xadesAuth(seal, nip);
    expect(refused.status.status).toEqual({ code: 460, description: expect.stringContaining('certyfikatu'), details: ['Niezaufany łańcuch certyfikatów.'] });
    await admin('POST', '/certificates/trusted-cas', { certificate: ca.certificate.toString('pem') });
    const accepted = await xadesAuth(seal, nip);
    expect(accepted.status).toMatchObject({ status: { code: 200 }, authenticationMethod: 'QualifiedSeal' });
  });

  it('refuses an expired certificate and one not valid yet (460 Nieważny certyfikat)', async () => {
    const nip = randomNip();
    const expired = await issueBySimulator(sim.running.rootUrl, { nip, validFrom: new Date(Date.now() - 10 * 86_400_000), validTo: new Date(Date.now() - 86_400_000) });
    expect((await xadesAuth(expired, nip)).status.status).toMatchObject({ code: 460, details: ['Nieważny certyfikat.'] });
    const future = await issueBySimulator(sim.running.rootUrl, { nip, validFrom: new Date(Date.now() + 86_400_000), validTo: new Date(Date.now() + 10 * 86_400_000) });
    expect((await xadesAuth(future, nip)).status.status).toMatchObject({ code: 460, details: ['Nieważny certyfikat.'] });
  });

  it('answers 415 when the certificate subject has no permission in the requested NIP context', async () => {
    const owner = randomNip();
    const cert = await issueBySimulator(sim.running.rootUrl, { nip: owner });
    const other = randomNip();
    const result = await xadesAuth(cert, other);
    expect(result.status.status.code).toBe(415);
    expect(result.status.status.details[0]).toContain(other);
  });

  it('identifies by fingerprint only where permissions were granted on it', async () => {
    const ca = await makeForeignCa();
    await admin('POST', '/certificates/trusted-cas', { certificate: ca.certificate.toString('pem') });
    const holder = await issueByForeignCa(ca, randomNip(), 'ec');
    const context = randomNip();
    expect((await xadesAuth(holder, context, { subjectIdentifierType: 'certificateFingerprint' })).status.status.code).toBe(415);
    await admin('POST', '/certificates/fingerprint-grants', { fingerprint: holder.fingerprint, nip: context });
    expect((await xadesAuth(holder, context, { subjectIdentifierType: 'certificateFingerprint' })).status.status.code).toBe(200);
  });

  it('accepts each challenge once, only if issued here and younger than 10 minutes (400 21111)', async () => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.running.rootUrl, { nip });
    const xml = await signedRequest(cert, nip);
    expect((await postXades(xml)).status).toBe(202);
    const replay = await postXades(xml);
    expect(replay.status).toBe(400);
    expect(replay.body.exception.exceptionDetailList[0].exceptionCode).toBe(21111);

    const unknown = await postXades(await signedRequest(cert, nip, { challenge: '20261203-CR-0000000000-0000000000-00' }));
    expect(unknown.body.exception.exceptionDetailList[0].exceptionCode).toBe(21111);

    const challenge = (await http(api('/auth/challenge'), { method: 'POST' })).body.challenge as string;
    sim.simulator.state.challenges.get(challenge)!.timestamp = new Date(Date.now() - 11 * 60_000);
    const stale = await postXades(await signedRequest(cert, nip, { challenge }));
    expect(stale.body.exception.exceptionDetailList[0].exceptionCode).toBe(21111);
  });

  it('reports document and signature errors with the documented codes', async () => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.running.rootUrl, { nip });
    const xml = await signedRequest(cert, nip);
    const tampered = await postXades(xml.replace(`<Nip>${nip}</Nip>`, `<Nip>${randomNip()}</Nip>`));
    expect(tampered.status).toBe(400);
    expect(tampered.body.exception.exceptionDetailList[0].exceptionCode).toBe(9105);
    const unsigned = await postXades(xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, ''));
    expect(unsigned.body.exception.exceptionDetailList[0].exceptionCode).toBe(9102);
    const garbage = await postXades('{"challenge":"x"}');
    expect(garbage.body.exception.exceptionDetailList[0].exceptionCode).toBe(21001);
    expectConforms('POST', '/auth/xades-signature', 400, garbage.body);
  });

  it('fault menu: the next authentications fail as revoked / expired / untrusted', async () => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.running.rootUrl, { nip });
    for (const failure of ['revoked', 'expired', 'untrusted'] as const) {
      expect((await admin('PUT', '/faults', { certificateAuth: { count: 1, failure } })).status).toBe(200);
      const result = await xadesAuth(cert, nip);
      expect(result.status.status.code).toBe(460);
      expect(result.status.status.details[0]).toMatch({ revoked: /odwołany/, expired: /Nieważny/, untrusted: /Niezaufany/ }[failure]);
    }
    expect((await xadesAuth(cert, nip)).status.status.code).toBe(200);
    await admin('DELETE', '/faults');
  });

  it('with KSeF-token authentication switched off, tokens end in 450 and certificates still work', async () => {
    await admin('PUT', '/auth', { tokenAuth: 'disabled' });
    const nip = randomNip();
    await expect(sim.newClient().authenticate(nip)).rejects.toThrow(/authentication ended with 450/);
    const cert = await issueBySimulator(sim.running.rootUrl, { nip });
    expect((await xadesAuth(cert, nip)).status.status.code).toBe(200);
  });
});

describe('sessions opened after a XAdES authentication', () => {
  it('get a UPO that names the signed AuthTokenRequest by its hash (SkrotDokumentuUwierzytelniajacego) and validates against upo-v4-3.xsd', async () => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.running.rootUrl, { nip });
    const xml = await signedRequest(cert, nip);
    const init = await postXades(xml);
    const authenticationToken = init.body.authenticationToken.token as string;
    const client = sim.newClient();
    expect(await client.pollAuth(init.body.referenceNumber, authenticationToken)).toBe(200);
    client.accessToken = (await http(api('/auth/token/redeem'), { method: 'POST', token: authenticationToken })).body.accessToken.token;
    const session = await client.openOnlineSession();
    const ref = await client.sendInvoice(session, basicInvoice(nip, `XADES/${Date.now()}`));
    expect((await client.waitForInvoice(session.referenceNumber, ref)).status.code).toBe(200);
    const upo = await http(api(`/sessions/${session.referenceNumber}/invoices/${ref}/upo`), { token: client.accessToken });
    expect(upo.status).toBe(200);
    expect(upo.text).toContain(`<SkrotDokumentuUwierzytelniajacego>${createHash('sha256').update(xml).digest('base64')}</SkrotDokumentuUwierzytelniajacego>`);
    expect(upo.text).not.toContain('NumerReferencyjnyTokenaKSeF');
    const schema = readFileSync(path.resolve(__dirname, '..', '..', 'ksef-schemas', 'upo-v4-3.xsd'), 'utf8');
    const result = await validateXML({ xml: [{ fileName: 'upo.xml', contents: upo.text }], schema: [{ fileName: 'upo-v4-3.xsd', contents: schema }] });
    expect(result.errors.map((e) => e.message)).toEqual([]);
  });
});

describe('/auth/sessions', () => {
  it('lists the active authentication (not mistaken for GET /auth/{ref}) and revokes it', async () => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.running.rootUrl, { nip });
    const first = await xadesAuth(cert, nip);
    const second = await xadesAuth(cert, nip);
    const list = await http(api('/auth/sessions'), { token: second.accessToken });
    expect(list.status).toBe(200);
    expectConforms('GET', '/auth/sessions', 200, list.body);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items.filter((i: { isCurrent: boolean }) => i.isCurrent)).toHaveLength(1);

    const firstRef = list.body.items.find((i: { isCurrent: boolean }) => !i.isCurrent).referenceNumber;
    expect((await http(api(`/auth/sessions/${firstRef}`), { method: 'DELETE', token: second.accessToken })).status).toBe(204);
    expect((await http(api('/auth/token/refresh'), { method: 'POST', token: first.refreshToken })).status).toBe(400);
    expect((await http(api('/auth/sessions/current'), { method: 'DELETE', token: second.refreshToken })).status).toBe(204);
    expect((await http(api('/auth/token/refresh'), { method: 'POST', token: second.refreshToken })).status).toBe(400);
    // access tokens stay valid until they expire (documented): the list is now empty
    expect((await http(api('/auth/sessions'), { token: second.accessToken })).body.items).toEqual([]);
  });
});

describe('/certificates', () => {
  it('enrols a KSeF certificate from a qualified-seal authentication, retrieves, lists, uses and revokes it', async () => {
    const nip = randomNip();
    const ca = await makeForeignCa();
    await admin('POST', '/certificates/trusted-cas', { certificate: ca.certificate.toString('pem') });
    const seal = await issueByForeignCa(ca, nip);
    const { accessToken } = await xadesAuth(seal, nip);

    const limits = await http(api('/certificates/limits'), { token: accessToken });
    expectConforms('GET', '/certificates/limits', 200, limits.body);
    expect(limits.body.canRequest).toBe(true);

    const data = await http(api('/certificates/enrollments/data'), { token: accessToken });
    expectConforms('GET', '/certificates/enrollments/data', 200, data.body);
    expect(data.body).toMatchObject({ commonName: 'Pieczęć Testowa', countryName: 'PL', organizationIdentifier: nip });

    const keys = await makeKeys('ec');
    const subject = `CN=${data.body.commonName}, O=${data.body.organizationName}, 2.5.4.97=${data.body.organizationIdentifier}, C=${data.body.countryName}`;
    const enrol = await http(api('/certificates/enrollments'), { token: accessToken, json: { certificateName: 'Certyfikat ksef-ops', certificateType: 'Authentication', csr: await makeCsr(keys, subject) } });
    expect(enrol.status).toBe(202);
    expectConforms('POST', '/certificates/enrollments', 202, enrol.body);
    let status;
    do {
      status = await http(api(`/certificates/enrollments/${enrol.body.referenceNumber}`), { token: accessToken });
    } while (status.body.status.code === 100);
    expectConforms('GET', '/certificates/enrollments/{referenceNumber}', 200, status.body);
    expect(status.body.status.code).toBe(200);
    const serial = status.body.certificateSerialNumber as string;

    const retrieved = await http(api('/certificates/retrieve'), { token: accessToken, json: { certificateSerialNumbers: [serial] } });
    expectConforms('POST', '/certificates/retrieve', 200, retrieved.body);
    const der = Buffer.from(retrieved.body.certificates[0].certificate, 'base64');
    const issued = new x509.X509Certificate(der);
    const simCa = (await admin('GET', '/certificates/ca')).body;
    expect(await issued.verify({ publicKey: new x509.X509Certificate(simCa.pem).publicKey, signatureOnly: true })).toBe(true);
    expect(issued.serialNumber.toUpperCase()).toBe(serial);
    expect(issued.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);

    const listed = await http(api('/certificates/query?pageSize=10'), { token: accessToken, json: { status: 'Active' } });
    expectConforms('POST', '/certificates/query', 200, listed.body);
    expect(listed.body.certificates.map((c: { certificateSerialNumber: string }) => c.certificateSerialNumber)).toEqual([serial]);

    const ksefCert = { certificatePem: issued.toString('pem'), privateKeyPem: keys.privateKeyPem };
    const withKsefCert = await xadesAuth(ksefCert, nip);
    expect(withKsefCert.status).toMatchObject({ status: { code: 200 }, authenticationMethod: 'InternalCertificate' });

    expect((await http(api(`/certificates/${serial}/revoke`), { token: accessToken, json: { revocationReason: 'KeyCompromise' } })).status).toBe(204);
    const again = await http(api(`/certificates/${serial}/revoke`), { token: accessToken, json: {} });
    expect(again.body.exception.exceptionDetailList[0].exceptionCode).toBe(25009);
    expect((await xadesAuth(ksefCert, nip)).status.status).toMatchObject({ code: 460, details: ['Certyfikat odwołany.'] });
    const revokedList = await http(api('/certificates/query'), { token: accessToken, json: { status: 'Revoked' } });
    expect(revokedList.body.certificates[0]).toMatchObject({ certificateSerialNumber: serial, status: 'Revoked' });
  });

  it('checks the CSR: subject must match the enrolment data (25003), readable and signed (25004), RSA 2048 / EC P-256 (25010)', async () => {
    const nip = randomNip();
    const cert = await issueBySimulator(sim.running.rootUrl, { nip });
    const { accessToken } = await xadesAuth(cert, nip);
    const enrol = (csr: string) => http(api('/certificates/enrollments'), { token: accessToken, json: { certificateName: 'Test CSR', certificateType: 'Offline', csr } });
    const code = (res: { body: { exception: { exceptionDetailList: { exceptionCode: number }[] } } }) => res.body.exception.exceptionDetailList[0].exceptionCode;
    expect(code(await enrol(await makeCsr(await makeKeys('ec'), companySubject(randomNip()))))).toBe(25003);
    expect(code(await enrol(Buffer.from('not a csr').toString('base64')))).toBe(25004);
    const data = (await http(api('/certificates/enrollments/data'), { token: accessToken })).body;
    const subject = `CN=${data.commonName}, O=${data.organizationName}, 2.5.4.97=${data.organizationIdentifier}, C=${data.countryName}`;
    expect(code(await enrol(await makeCsr(await makeKeys('ec-p384'), subject)))).toBe(25010);
    expect((await enrol(await makeCsr(await makeKeys('rsa'), subject))).status).toBe(202);
  });

  it('an Offline certificate does not authenticate (460)', async () => {
    const nip = randomNip();
    const offline = await issueBySimulator(sim.running.rootUrl, { nip, type: 'Offline' });
    expect(new x509.X509Certificate(offline.certificatePem).getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.nonRepudiation);
    expect((await xadesAuth(offline, nip)).status.status.code).toBe(460);
  });

  it('a KSeF-token session may not fetch enrolment data (25001), enrol (25002) or revoke (403)', async () => {
    const nip = randomNip();
    const client = sim.newClient();
    await client.authenticate(nip);
    const token = client.accessToken!;
    const data = await http(api('/certificates/enrollments/data'), { token });
    expect(data.body.exception.exceptionDetailList[0].exceptionCode).toBe(25001);
    const enrol = await http(api('/certificates/enrollments'), { token, json: { certificateName: 'Token enrol', certificateType: 'Authentication', csr: await makeCsr(await makeKeys('ec'), companySubject(nip)) } });
    expect(enrol.body.exception.exceptionDetailList[0].exceptionCode).toBe(25002);
    const cert = await issueBySimulator(sim.running.rootUrl, { nip });
    expect((await http(api(`/certificates/${cert.serialNumber}/revoke`), { token, json: {} })).status).toBe(403);
  });
});
