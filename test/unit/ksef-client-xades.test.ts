/**
 * XAdES signing of the KSeF AuthTokenRequest (ksef-client/xades.ts) checked against the
 * simulator's verifier (ksef-simulator/certificates/xades-verify.ts), and the certificate
 * credential loader (PEM RSA/EC, PKCS#12). No network: both ends run in-process.
 */
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import * as x509 from '@peculiar/x509';
import { buildAuthTokenRequest, loadSigningIdentity, signAuthTokenRequest, KsefError, type SigningIdentity } from '../../ksef-client';
import { ConfigError, loadConfig } from '../../config';
import { readSignedAuthRequest } from '../../ksef-simulator/certificates/xades-verify';
import { KsefError as SimulatorError } from '../../ksef-simulator/errors';
import { companySubject, makeKeys, type KeyKind, type TestKeys } from '../support/certificates';

const NIP = '5265877635';
const CHALLENGE = '20261203-CR-20F5EE4000-DA48AE4124-46';

async function selfSigned(keys: TestKeys, subject = companySubject(NIP)): Promise<string> {
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    { name: subject, keys: keys.cryptoKeys, signingAlgorithm: keys.algorithm, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) },
    webcrypto as never,
  );
  return cert.toString('pem');
}

async function identity(kind: KeyKind): Promise<{ identity: SigningIdentity; keys: TestKeys; pem: string }> {
  const keys = await makeKeys(kind);
  const pem = await selfSigned(keys);
  return { identity: loadSigningIdentity({ kind: 'certificate', certificatePem: pem, privateKeyPem: keys.privateKeyPem }), keys, pem };
}

async function signed(kind: KeyKind = 'ec', fields: Partial<Parameters<typeof buildAuthTokenRequest>[0]> = {}): Promise<string> {
  const { identity: id } = await identity(kind);
  return signAuthTokenRequest(buildAuthTokenRequest({ challenge: CHALLENGE, contextNip: NIP, subjectIdentifierType: 'certificateSubject', ...fields }), id);
}

async function simulatorCode(xml: string): Promise<number> {
  try {
    await readSignedAuthRequest(xml);
  } catch (error) {
    if (error instanceof SimulatorError) return error.code;
    throw error;
  }
  return 0;
}

describe('AuthTokenRequest', () => {
  it('is the auth v2.0 document with challenge, NIP context and subject identifier type', () => {
    const xml = buildAuthTokenRequest({ challenge: CHALLENGE, contextNip: NIP, subjectIdentifierType: 'certificateFingerprint' });
    expect(xml).toContain('<AuthTokenRequest xmlns="http://ksef.mf.gov.pl/auth/token/2.0">');
    expect(xml).toContain(`<Challenge>${CHALLENGE}</Challenge><ContextIdentifier><Nip>${NIP}</Nip></ContextIdentifier><SubjectIdentifierType>certificateFingerprint</SubjectIdentifierType>`);
  });

  it('refuses values that would not match the schema (nothing is ever escaped into the XML)', () => {
    expect(() => buildAuthTokenRequest({ challenge: CHALLENGE, contextNip: '12345</Nip>', subjectIdentifierType: 'certificateSubject' })).toThrow(KsefError);
    expect(() => buildAuthTokenRequest({ challenge: 'x<y', contextNip: NIP, subjectIdentifierType: 'certificateSubject' })).toThrow(/challenge/);
  });
});

describe.each<KeyKind>(['rsa', 'ec'])('XAdES-BES enveloped signature with a %s key', (kind) => {
  it('verifies in the simulator and names the signing certificate', async () => {
    const { identity: id } = await identity(kind);
    const xml = await signAuthTokenRequest(buildAuthTokenRequest({ challenge: CHALLENGE, contextNip: NIP, subjectIdentifierType: 'certificateSubject' }), id);
    expect(xml).toContain(kind === 'rsa' ? 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' : 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256');
    expect(xml).toContain('http://www.w3.org/2000/09/xmldsig#enveloped-signature');
    expect(xml).toContain('<xades:SigningCertificate>');
    const request = await readSignedAuthRequest(xml);
    expect(request).toMatchObject({ challenge: CHALLENGE, context: { type: 'Nip', value: NIP }, subjectIdentifierType: 'certificateSubject' });
    expect(Buffer.from(request.certificate.rawData).equals(id.certificateDer)).toBe(true);
  });

  it('is rejected (9105) once a signed value is changed', async () => {
    const xml = await signed(kind);
    expect(await simulatorCode(xml.replace(`<Nip>${NIP}</Nip>`, '<Nip>7762811692</Nip>'))).toBe(9105);
    expect(await simulatorCode(xml.replace('certificateSubject', 'certificateFingerprint'))).toBe(9105);
  });
});

describe('simulator-side document checks', () => {
  it('rejects a missing signature (9102), two signatures (9103), a DOCTYPE (21001), a foreign root (21401)', async () => {
    const unsigned = buildAuthTokenRequest({ challenge: CHALLENGE, contextNip: NIP, subjectIdentifierType: 'certificateSubject' });
    expect(await simulatorCode(unsigned)).toBe(9102);
    const xml = await signed();
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(xml)![0];
    expect(await simulatorCode(xml.replace('</AuthTokenRequest>', `${signature}</AuthTokenRequest>`))).toBe(9103);
    expect(await simulatorCode(`<!DOCTYPE x [<!ENTITY e "boom">]>${unsigned.replace('<?xml version="1.0" encoding="utf-8"?>', '')}`)).toBe(21001);
    expect(await simulatorCode('<AuthTokenRequest xmlns="urn:other"/>')).toBe(21401);
    expect(await simulatorCode('not xml at all <')).toBe(21001);
  });

  it('does not let a second KeyInfo certificate stand in for the one the signature names', async () => {
    // Signed with key A, but SigningCertificate and the first KeyInfo certificate are B's: the
    // verifier must check the value with B's key (the named signer), which fails.
    const a = await identity('ec');
    const b = await identity('ec');
    const xml = await signAuthTokenRequest(buildAuthTokenRequest({ challenge: CHALLENGE, contextNip: NIP, subjectIdentifierType: 'certificateSubject' }), a.identity);
    const aCert = a.identity.certificateDer.toString('base64');
    const bCert = b.identity.certificateDer.toString('base64');
    const swapped = xml.replace(`<ds:X509Certificate>${aCert}</ds:X509Certificate>`, `<ds:X509Certificate>${bCert}</ds:X509Certificate><ds:X509Certificate>${aCert}</ds:X509Certificate>`);
    // SigningCertificate still names A (its digest is signed), so A stays the signer and the value verifies…
    await expect(readSignedAuthRequest(swapped)).resolves.toMatchObject({ challenge: CHALLENGE });
    // …but naming B without B's key cannot be made to verify: the SignedProperties digest changes.
    const bDigest = createHash('sha256').update(b.identity.certificateDer).digest('base64');
    const aDigest = createHash('sha256').update(a.identity.certificateDer).digest('base64');
    expect(await simulatorCode(swapped.replace(aDigest, bDigest))).toBe(9105);
  });
});

describe('certificate credential', () => {
  it('refuses a key that does not belong to the certificate, without echoing key material', async () => {
    const { pem } = await identity('ec');
    const other = await makeKeys('ec');
    let error: unknown;
    try {
      loadSigningIdentity({ kind: 'certificate', certificatePem: pem, privateKeyPem: other.privateKeyPem });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KsefError);
    expect(error).toMatchObject({ code: 'KSEF_CERTIFICATE_INVALID' });
    expect(String((error as Error).message)).not.toContain('PRIVATE KEY');
  });

  it('opens a PKCS#12 (RSA key + certificate) with its password and refuses a wrong one', async () => {
    const keys = await makeKeys('rsa');
    const pem = await selfSigned(keys);
    const p12Asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(keys.privateKeyPem), [forge.pki.certificateFromPem(pem)], 'tajne-haslo', { algorithm: '3des' });
    const p12 = Buffer.from(forge.asn1.toDer(p12Asn1).getBytes(), 'binary');
    const id = loadSigningIdentity({ kind: 'certificate', pkcs12: p12, pkcs12Password: 'tajne-haslo' });
    expect(id.keyType).toBe('rsa');
    const xml = await signAuthTokenRequest(buildAuthTokenRequest({ challenge: CHALLENGE, contextNip: NIP, subjectIdentifierType: 'certificateSubject' }), id);
    await expect(readSignedAuthRequest(xml)).resolves.toMatchObject({ context: { value: NIP } });
    expect(() => loadSigningIdentity({ kind: 'certificate', pkcs12: p12, pkcs12Password: 'zle' })).toThrow(/KSEF_CERTIFICATE_INVALID/);
  });

  it('opens an EC P-256 PKCS#12 written by OpenSSL 3 with its defaults (PBES2/AES-256, SHA-256 MAC) and signs with it', async () => {
    const p12 = readFileSync(path.resolve(__dirname, '..', 'fixtures', 'certificates', 'ec-p256-openssl3.p12'));
    const id = loadSigningIdentity({ kind: 'certificate', pkcs12: p12, pkcs12Password: 'ksef-ops-test' });
    expect(id.keyType).toBe('ec');
    const xml = await signAuthTokenRequest(buildAuthTokenRequest({ challenge: CHALLENGE, contextNip: NIP, subjectIdentifierType: 'certificateSubject' }), id);
    expect(xml).toContain('http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256');
    await expect(readSignedAuthRequest(xml)).resolves.toMatchObject({ context: { value: NIP } });
  });

  it('needs exactly one of PEM pair or PKCS#12', () => {
    expect(() => loadSigningIdentity({ kind: 'certificate' })).toThrow(/either certificatePem/);
  });
});

describe('configuration (KSEF_AUTH_METHOD=certificate)', () => {
  // loadConfig reads the files; a temp dir stands in for the secret mount
  const dir = mkdtempSync(path.join(tmpdir(), 'ksef-cert-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, content: string | Buffer): string {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  }

  it('opens PEM certificate + key files once at start and hands the credential to the KSeF connection', async () => {
    const keys = await makeKeys('ec');
    const env = { KSEF_AUTH_METHOD: 'certificate', KSEF_CERTIFICATE_FILE: write('cert.pem', await selfSigned(keys)), KSEF_PRIVATE_KEY_FILE: write('key.pem', keys.privateKeyPem) };
    const config = loadConfig(env);
    expect(config.ksef.authMethod).toBe('certificate');
    expect(config.ksef.certificate).toMatchObject({ kind: 'certificate', subjectIdentifierType: 'certificateSubject' });
    expect(loadSigningIdentity(config.ksef.certificate!).keyType).toBe('ec');
    expect(loadConfig({}).ksef.certificate).toBeNull();
  });

  it('opens a PKCS#12 with its password file; a wrong password stops the start with a coded error naming no secret', async () => {
    const keys = await makeKeys('rsa');
    const pem = await selfSigned(keys);
    const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(keys.privateKeyPem), [forge.pki.certificateFromPem(pem)], 'sekret-p12', { algorithm: '3des' });
    const p12File = write('seal.p12', Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
    const ok = loadConfig({ KSEF_AUTH_METHOD: 'certificate', KSEF_PKCS12_FILE: p12File, KSEF_PKCS12_PASSWORD_FILE: write('p12.pass', 'sekret-p12\n'), KSEF_CERTIFICATE_SUBJECT_IDENTIFIER: 'certificateFingerprint' });
    expect(ok.ksef.certificate).toMatchObject({ subjectIdentifierType: 'certificateFingerprint' });
    let error: unknown;
    try {
      loadConfig({ KSEF_AUTH_METHOD: 'certificate', KSEF_PKCS12_FILE: p12File, KSEF_PKCS12_PASSWORD_FILE: write('wrong.pass', 'nie-to-haslo') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(/KSEFOPS_CONFIG_INVALID/);
    expect(String((error as Error).message)).toMatch(/PKCS#12/);
    expect(String((error as Error).message)).not.toContain('nie-to-haslo');
  });

  it('refuses half or contradictory settings', () => {
    expect(() => loadConfig({ KSEF_AUTH_METHOD: 'certificate' })).toThrow(/KSEF_CERTIFICATE_FILE \+ KSEF_PRIVATE_KEY_FILE or KSEF_PKCS12_FILE/);
    expect(() => loadConfig({ KSEF_AUTH_METHOD: 'certificate', KSEF_CERTIFICATE_FILE: write('only.pem', 'x') })).toThrow(/go together/);
    expect(() => loadConfig({ KSEF_PKCS12_FILE: write('stray.p12', 'x') })).toThrow(/KSEF_AUTH_METHOD is not "certificate"/);
    expect(() => loadConfig({ KSEF_AUTH_METHOD: 'certificate', KSEF_CERTIFICATE_FILE: path.join(dir, 'missing.pem'), KSEF_PRIVATE_KEY_FILE: path.join(dir, 'missing.key') })).toThrow(/cannot read .*ENOENT/);
    expect(() => loadConfig({ KSEF_AUTH_METHOD: 'tokens' })).toThrow(/KSEF_AUTH_METHOD/);
  });
});
