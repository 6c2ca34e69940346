import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { KsefError } from './errors';

/**
 * A KSeF certificate (or a qualified seal/signature) used to authenticate with a XAdES signature:
 * either PEM certificate + PEM private key (RSA or EC, optionally encrypted), or a PKCS#12 file
 * with its password. The private key stays a KeyObject in memory and is never logged.
 */
export interface KsefCertificateCredential {
  kind: 'certificate';
  certificatePem?: string;
  privateKeyPem?: string;
  /** For an encrypted PEM private key. */
  privateKeyPassphrase?: string;
  pkcs12?: Uint8Array;
  pkcs12Password?: string;
  /**
   * How KSeF identifies the subject: by the NIP/PESEL in the certificate subject (default), or by
   * the certificate's SHA-256 fingerprint (certificates without such attributes, permissions granted on the fingerprint).
   */
  subjectIdentifierType?: 'certificateSubject' | 'certificateFingerprint';
}

export interface SigningIdentity {
  certificateDer: Buffer;
  certificate: X509Certificate;
  privateKey: KeyObject;
  keyType: 'rsa' | 'ec';
  /** SHA-256 of the DER certificate, upper-case hex. */
  fingerprint: string;
}

function invalid(message: string, cause?: unknown): KsefError {
  return new KsefError('KSEF_CERTIFICATE_INVALID', message, false, { cause });
}

function fromPem(credential: KsefCertificateCredential): { certificateDer: Buffer; privateKey: KeyObject } {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(credential.certificatePem!);
  } catch (error) {
    throw invalid('the certificate is not a PEM X.509 certificate', error);
  }
  try {
    return { certificateDer: certificate.raw, privateKey: createPrivateKey({ key: credential.privateKeyPem!, passphrase: credential.privateKeyPassphrase }) };
  } catch (error) {
    // the reason (bad passphrase, unsupported format) is useful; the key material never appears in it
    throw invalid(`the private key cannot be read (${(error as { code?: string }).code ?? 'unreadable'})`, error);
  }
}

/** PKCS#12 through node-forge; forge decodes RSA keys itself and hands EC keys back as raw PKCS#8. */
function fromPkcs12(credential: KsefCertificateCredential): { certificateDer: Buffer; privateKey: KeyObject } {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(credential.pkcs12!).toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, credential.pkcs12Password ?? '');
  } catch (error) {
    throw invalid('the PKCS#12 file cannot be opened (wrong password or not PKCS#12)', error);
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  if (keyBags.length !== 1) throw invalid(`the PKCS#12 file must hold exactly one private key (found ${keyBags.length})`);
  const keyBag = keyBags[0] as forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 };
  const pkcs8Asn1 = keyBag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key)) : keyBag.asn1;
  if (!pkcs8Asn1) throw invalid('the PKCS#12 private key cannot be read');
  const privateKey = createPrivateKey({ key: Buffer.from(forge.asn1.toDer(pkcs8Asn1).getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
  const certificates = certBags.map((bag) => {
    const b = bag as forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 };
    const asn1 = b.cert ? forge.pki.certificateToAsn1(b.cert) : b.asn1!;
    return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
  });
  // the file may carry the issuing chain too: the signing certificate is the one holding our key
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const own = certificates.find((der) => new X509Certificate(der).publicKey.export({ format: 'der', type: 'spki' }).equals(publicKey));
  if (!own) throw invalid('the PKCS#12 file holds no certificate for its private key');
  return { certificateDer: own, privateKey };
}

export function loadSigningIdentity(credential: KsefCertificateCredential): SigningIdentity {
  const hasPem = Boolean(credential.certificatePem && credential.privateKeyPem);
  const hasP12 = Boolean(credential.pkcs12);
  if (hasPem === hasP12) throw invalid('give either certificatePem + privateKeyPem or pkcs12 (+ pkcs12Password)');
  const { certificateDer, privateKey } = hasPem ? fromPem(credential) : fromPkcs12(credential);
  const certificate = new X509Certificate(certificateDer);
  const keyType = privateKey.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') throw invalid(`unsupported key type ${keyType ?? 'unknown'} (KSeF: RSA or EC P-256)`);
  if (!certificate.checkPrivateKey(privateKey)) throw invalid('the private key does not belong to the certificate');
  return { certificateDer, certificate, privateKey, keyType, fingerprint: certificate.fingerprint256.replace(/:/g, '').toUpperCase() };
}
