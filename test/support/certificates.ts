import 'reflect-metadata';
import { generateKeyPairSync, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * Keys, CSRs and certificates for XAdES tests: certificates are issued by the simulator's CA
 * through its /_sim/certificates/issue control endpoint (any validity, expired included), or come
 * from a separate "qualified" CA made here, which the simulator trusts only when told to.
 */

x509.cryptoProvider.set(webcrypto as never);

export type KeyKind = 'rsa' | 'ec';

export interface TestKeys {
  kind: KeyKind;
  privateKey: KeyObject;
  privateKeyPem: string;
  cryptoKeys: webcrypto.CryptoKeyPair;
  algorithm: Record<string, unknown>;
}

/** `ec-p384` exists to prove KSeF's key rule (RSA 2048 or EC P-256 only). */
export async function makeKeys(kind: KeyKind | 'ec-p384'): Promise<TestKeys> {
  const curve = kind === 'ec-p384' ? 'P-384' : 'P-256';
  const pair = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: curve });
  const algorithm = kind === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: curve, hash: kind === 'ec-p384' ? 'SHA-384' : 'SHA-256' };
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pair.privateKey.export({ format: 'der', type: 'pkcs8' }), algorithm, true, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', pair.publicKey.export({ format: 'der', type: 'spki' }), algorithm, true, ['verify']);
  return {
    kind: kind === 'rsa' ? 'rsa' : 'ec',
    privateKey: pair.privateKey,
    privateKeyPem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    cryptoKeys: { privateKey, publicKey },
    algorithm,
  };
}

/** Subject of a company seal / KSeF certificate for a NIP (organizationIdentifier VATPL-…, as qualified seals carry it). */
export function companySubject(nip: string, name = 'Firma Testowa Sp. z o.o.'): string {
  return `CN=${name}, O=${name}, 2.5.4.97=VATPL-${nip}, C=PL`;
}

export async function makeCsr(keys: TestKeys, subject: string): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: subject, keys: keys.cryptoKeys, signingAlgorithm: keys.algorithm });
  return Buffer.from(csr.rawData).toString('base64');
}

export interface TestCertificate {
  certificatePem: string;
  privateKeyPem: string;
  serialNumber: string;
  fingerprint: string;
  keys: TestKeys;
}

export async function issueBySimulator(
  simRootUrl: string,
  options: { nip: string; kind?: KeyKind; subject?: string; validFrom?: Date; validTo?: Date; type?: 'Authentication' | 'Offline' },
): Promise<TestCertificate> {
  const keys = await makeKeys(options.kind ?? 'ec');
  const csr = await makeCsr(keys, options.subject ?? companySubject(options.nip));
  const response = await fetch(`${simRootUrl}/_sim/certificates/issue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ csr, type: options.type ?? 'Authentication', validFrom: options.validFrom?.toISOString(), validTo: options.validTo?.toISOString() }),
  });
  if (response.status !== 201) throw new Error(`issue failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { serialNumber: string; pem: string; fingerprint: string };
  return { certificatePem: body.pem, privateKeyPem: keys.privateKeyPem, serialNumber: body.serialNumber, fingerprint: body.fingerprint, keys };
}

/** A self-made CA (a stand-in for a qualified trust service) and a leaf it signs. */
export async function makeForeignCa(): Promise<{ certificate: x509.X509Certificate; keys: TestKeys }> {
  const keys = await makeKeys('ec');
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Test Qualified CA, O=Test Trust Service, C=PL',
    keys: keys.cryptoKeys,
    signingAlgorithm: keys.algorithm,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 365 * 24 * 3_600_000),
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  return { certificate, keys };
}

export async function issueByForeignCa(ca: { certificate: x509.X509Certificate; keys: TestKeys }, nip: string, kind: KeyKind = 'rsa'): Promise<TestCertificate> {
  const keys = await makeKeys(kind);
  const certificate = await x509.X509CertificateGenerator.create({
    subject: companySubject(nip, 'Pieczęć Testowa'),
    issuer: ca.certificate.subjectName,
    publicKey: keys.cryptoKeys.publicKey,
    signingKey: ca.keys.cryptoKeys.privateKey,
    signingAlgorithm: ca.keys.algorithm,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 30 * 24 * 3_600_000),
  });
  const fingerprint = Buffer.from(await certificate.getThumbprint('SHA-256')).toString('hex').toUpperCase();
  return { certificatePem: certificate.toString('pem'), privateKeyPem: keys.privateKeyPem, serialNumber: certificate.serialNumber.toUpperCase(), fingerprint, keys };
}
