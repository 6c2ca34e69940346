import type { SigningIdentity } from './certificate-credential';
import { KsefError } from './errors';
import { crypto, xadesjs, XMLSerializer } from './xades-runtime';

/**
 * The AuthTokenRequest of POST /auth/xades-signature (schema auth v2.0, ksef-schemas/auth) and its
 * XAdES-BES enveloped signature — what the official SDKs produce (XAdES-BASELINE-B, enveloped,
 * SHA-256, RSA-SHA256 or ECDSA-SHA256 for P-256): one Reference over the whole document
 * (enveloped-signature + exclusive c14n), one over the SignedProperties, the signing certificate
 * in KeyInfo and in SigningCertificate. Canonicalisation and digests are xadesjs's, not ours.
 */

export const AUTH_TOKEN_NAMESPACE = 'http://ksef.mf.gov.pl/auth/token/2.0';

export interface AuthTokenRequestFields {
  challenge: string;
  contextNip: string;
  subjectIdentifierType: 'certificateSubject' | 'certificateFingerprint';
}

const CHALLENGE = /^\d{8}-CR-[A-F0-9]{10}-[A-F0-9]{10}-[A-F0-9]{2}$/;
const NIP = /^[1-9]((\d[1-9])|([1-9]\d))\d{7}$/;

export function buildAuthTokenRequest(fields: AuthTokenRequestFields): string {
  // Both values go into XML verbatim; the patterns (from the XSD) leave nothing to escape.
  if (!CHALLENGE.test(fields.challenge)) throw new KsefError('KSEF_INVALID_RESPONSE', `challenge has an unexpected format: ${fields.challenge.slice(0, 40)}`, false);
  if (!NIP.test(fields.contextNip)) throw new KsefError('KSEF_INVALID_ARGUMENT', `context NIP ${fields.contextNip} is not a valid NIP`, false);
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<AuthTokenRequest xmlns="${AUTH_TOKEN_NAMESPACE}">` +
    `<Challenge>${fields.challenge}</Challenge>` +
    `<ContextIdentifier><Nip>${fields.contextNip}</Nip></ContextIdentifier>` +
    `<SubjectIdentifierType>${fields.subjectIdentifierType}</SubjectIdentifierType>` +
    '</AuthTokenRequest>'
  );
}

const EC_CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
  secp521r1: { namedCurve: 'P-521', hash: 'SHA-512' },
};

async function signingKey(identity: SigningIdentity): Promise<{ key: CryptoKeyLike; algorithm: Record<string, unknown> }> {
  const pkcs8 = identity.privateKey.export({ format: 'der', type: 'pkcs8' });
  let algorithm: Record<string, unknown>;
  if (identity.keyType === 'ec') {
    const curve = EC_CURVES[identity.privateKey.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw new KsefError('KSEF_CERTIFICATE_INVALID', `unsupported EC curve ${identity.privateKey.asymmetricKeyDetails?.namedCurve}`, false);
    algorithm = { name: 'ECDSA', ...curve };
  } else {
    algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  }
  const key = await crypto.subtle.importKey('pkcs8', pkcs8, algorithm as never, false, ['sign']);
  pkcs8.fill(0);
  return { key, algorithm };
}

type CryptoKeyLike = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

export async function signAuthTokenRequest(xml: string, identity: SigningIdentity, signingTime: Date = new Date()): Promise<string> {
  const { key, algorithm } = await signingKey(identity);
  const document = xadesjs.Parse(xml);
  const certificate = identity.certificateDer.toString('base64');
  const signedXml = new xadesjs.SignedXml();
  const signature = await signedXml.Sign(algorithm as never, key as never, document, {
    references: [{ uri: '', hash: 'SHA-256', transforms: ['enveloped', 'exc-c14n'] }],
    x509: [certificate],
    signingCertificate: { certificate, digestAlgorithm: 'SHA-256' },
    signingTime: { value: signingTime },
  });
  const element = signature.GetXml();
  if (!element) throw new KsefError('KSEF_CERTIFICATE_INVALID', 'xadesjs produced no signature element', false);
  document.documentElement.appendChild(element);
  return new XMLSerializer().serializeToString(document as never);
}
