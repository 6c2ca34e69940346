import { createHash, type webcrypto } from 'node:crypto';
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { KsefError } from '../errors';
import { crypto, x509, xadesjs } from './runtime';

/**
 * Checks a signed AuthTokenRequest the way POST /auth/xades-signature does before it answers 202:
 * readable XML, the auth schema, exactly one enveloped XAdES signature whose references cover the
 * whole document and the SignedProperties, a SigningCertificate that names the certificate whose
 * key made the signature. Certificate trust, validity, revocation and the subject are checked
 * afterwards (status 460/415 of the auth operation), as in KSeF.
 */

export const AUTH_TOKEN_NAMESPACES = ['http://ksef.mf.gov.pl/auth/token/2.0', 'http://ksef.mf.gov.pl/auth/token/2.1'] as const;
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const XADES = 'http://uri.etsi.org/01903/v1.3.2#';
const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';

/** The transforms KSeF accepts in a XAdES signature (auth/podpis-xades.md). */
const ALLOWED_TRANSFORMS = new Set([
  'http://www.w3.org/TR/1999/REC-xpath-19991116',
  'http://www.w3.org/2002/06/xmldsig-filter2',
  'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  'http://www.w3.org/2000/09/xmldsig#base64',
  'http://www.w3.org/2006/12/xml-c14n11',
  'http://www.w3.org/2006/12/xml-c14n11#WithComments',
  'http://www.w3.org/2001/10/xml-exc-c14n#',
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
]);

const DIGESTS: Record<string, string> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

export type ContextIdentifierType = 'Nip' | 'InternalId' | 'NipVatUe' | 'PeppolId';
export type SubjectIdentifierType = 'certificateSubject' | 'certificateFingerprint';

export interface SignedAuthRequest {
  challenge: string;
  context: { type: ContextIdentifierType; value: string };
  subjectIdentifierType: SubjectIdentifierType;
  certificate: x509.X509Certificate;
  /** Other certificates of KeyInfo (possible intermediates of the chain). */
  intermediates: x509.X509Certificate[];
  /** Base64 SHA-256 of the document as received (the UPO names XAdES authentications by it). */
  documentHash: string;
}

const CONTEXT_PATTERNS: Record<ContextIdentifierType, RegExp> = {
  Nip: /^[1-9]((\d[1-9])|([1-9]\d))\d{7}$/,
  InternalId: /^[1-9]((\d[1-9])|([1-9]\d))\d{7}-\d{5}$/,
  NipVatUe: /^[1-9]((\d[1-9])|([1-9]\d))\d{7}-[A-Z]{2}[A-Z0-9+*]{2,13}$/,
  PeppolId: /^P[A-Z]{2}\d{6}$/,
};

const unreadable = (detail: string) => new KsefError(21001, 'Nieczytelna treść.', [detail]);
const schemaError = (detail: string) => new KsefError(21401, 'Dokument nie jest zgodny ze schemą (xsd).', [detail]);
const badSignature = (detail: string) => new KsefError(9105, 'Nieprawidłowy podpis.', [detail]);

function elementChildren(node: Node): Element[] {
  const out: Element[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 1) out.push(child as Element);
    else if (child.nodeType === 3 && (child.nodeValue ?? '').trim()) throw schemaError(`Niedozwolony tekst w elemencie ${(node as Element).localName}.`);
  }
  return out;
}

function parse(xml: string): Document & { documentElement: Element } {
  // DTDs are the door to entity expansion and external fetches; AuthTokenRequest never needs one.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw unreadable('Dokument zawiera deklarację DOCTYPE/ENTITY.');
  let failure: string | null = null;
  let doc: Document | undefined;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') failure ??= String(message);
      },
    }).parseFromString(xml, 'application/xml');
  } catch (error) {
    // xmldom throws on fatal errors (no root, broken markup)
    failure ??= (error as Error).message;
  }
  if (failure || !doc?.documentElement) throw unreadable(failure ?? 'Brak elementu głównego.');
  return doc as Document & { documentElement: Element };
}

function readRequest(root: Element): Pick<SignedAuthRequest, 'challenge' | 'context' | 'subjectIdentifierType'> {
  const ns = root.namespaceURI ?? '';
  if (root.localName !== 'AuthTokenRequest' || !(AUTH_TOKEN_NAMESPACES as readonly string[]).includes(ns)) {
    throw schemaError(`Oczekiwano elementu AuthTokenRequest w przestrzeni nazw ${AUTH_TOKEN_NAMESPACES.join(' lub ')}.`);
  }
  const content = elementChildren(root).filter((e) => !(e.namespaceURI === DSIG && e.localName === 'Signature'));
  const names = content.map((e) => (e.namespaceURI === ns ? e.localName : `{${e.namespaceURI}}${e.localName}`));
  const expected = ['Challenge', 'ContextIdentifier', 'SubjectIdentifierType'];
  if (!(names.length === 3 || (names.length === 4 && names[3] === 'AuthorizationPolicy')) || expected.some((n, i) => names[i] !== n)) {
    throw schemaError(`Oczekiwano elementów Challenge, ContextIdentifier, SubjectIdentifierType[, AuthorizationPolicy]; otrzymano: ${names.join(', ') || '(brak)'}.`);
  }
  const challenge = (content[0].textContent ?? '').trim();
  if (!/^\d{8}-CR-[A-F0-9]{10}-[A-F0-9]{10}-[A-F0-9]{2}$/.test(challenge)) throw schemaError('Challenge: niepoprawny format.');
  const contextChildren = elementChildren(content[1]);
  const contextElement = contextChildren[0];
  const type = contextElement?.localName as ContextIdentifierType;
  if (contextChildren.length !== 1 || contextElement.namespaceURI !== ns || !(type in CONTEXT_PATTERNS)) {
    throw schemaError('ContextIdentifier: oczekiwano dokładnie jednego z Nip, InternalId, NipVatUe, PeppolId.');
  }
  const value = (contextElement.textContent ?? '').trim();
  if (!CONTEXT_PATTERNS[type].test(value)) throw schemaError(`ContextIdentifier/${type}: niepoprawna wartość.`);
  const subjectIdentifierType = (content[2].textContent ?? '').trim();
  if (subjectIdentifierType !== 'certificateSubject' && subjectIdentifierType !== 'certificateFingerprint') {
    throw schemaError('SubjectIdentifierType: dozwolone certificateSubject lub certificateFingerprint.');
  }
  return { challenge, context: { type, value }, subjectIdentifierType };
}

function only(parent: Element, ns: string, name: string): Element | null {
  const found = parent.getElementsByTagNameNS(ns, name);
  return found.length === 1 ? (found[0] as Element) : null;
}

/** The certificate the XAdES SigningCertificate(V2) names, among those in KeyInfo. */
function signingCertificate(signature: Element, candidates: { der: Buffer; cert: x509.X509Certificate }[]): { der: Buffer; cert: x509.X509Certificate } {
  const signedProperties = only(signature, XADES, 'SignedProperties');
  if (!signedProperties) throw badSignature('Brak (lub więcej niż jeden) xades:SignedProperties — wymagany podpis XAdES.');
  const certDigests = signedProperties.getElementsByTagNameNS(XADES, 'CertDigest');
  if (certDigests.length < 1) throw badSignature('Brak xades:SigningCertificate/Cert/CertDigest.');
  const certDigest = certDigests[0] as Element;
  const method = only(certDigest, DSIG, 'DigestMethod')?.getAttribute('Algorithm') ?? '';
  const value = (only(certDigest, DSIG, 'DigestValue')?.textContent ?? '').replace(/\s+/g, '');
  const hash = DIGESTS[method];
  if (!hash) throw badSignature(`Nieobsługiwany algorytm skrótu certyfikatu: ${method || '(brak)'}.`);
  const match = candidates.find((c) => createHash(hash).update(c.der).digest('base64') === value);
  if (!match) throw badSignature('Certyfikat wskazany w xades:SigningCertificate nie występuje w ds:KeyInfo.');
  return match;
}

export async function readSignedAuthRequest(xml: string): Promise<SignedAuthRequest> {
  if (!xml.trim()) throw unreadable('Pusta treść żądania.');
  const doc = parse(xml);
  const root = doc.documentElement!;
  const request = readRequest(root);

  const signatures = doc.getElementsByTagNameNS(DSIG, 'Signature');
  if (signatures.length === 0) throw new KsefError(9102, 'Brak podpisu.', []);
  if (signatures.length > 1) throw new KsefError(9103, 'Przekroczona liczba dozwolonych podpisów.', []);
  const signatureElement = signatures[0] as Element;
  if (signatureElement.parentNode !== root) throw badSignature('Symulator obsługuje podpis otaczany (enveloped) jako dziecko AuthTokenRequest.');

  // xadesjs is typed against the browser DOM; xmldom's nodes are what it works on in Node.
  const signed = new xadesjs.SignedXml(doc as never);
  try {
    signed.LoadXml(signatureElement as never);
  } catch (error) {
    throw badSignature(`Nie można odczytać ds:Signature: ${(error as Error).message}`);
  }

  // The document itself must be what is signed (URI="" + enveloped), and the SignedProperties too;
  // any other reference could make a valid signature over something other than this request.
  const signedPropertiesId = only(signatureElement, XADES, 'SignedProperties')?.getAttribute('Id') ?? null;
  let coversDocument = false;
  let coversProperties = false;
  for (const reference of signed.XmlSignature.SignedInfo.References.GetIterator()) {
    const transforms = reference.Transforms ? reference.Transforms.GetIterator().map((t) => t.Algorithm) : [];
    const forbidden = transforms.find((t) => !ALLOWED_TRANSFORMS.has(t));
    if (forbidden) throw badSignature(`Niedozwolona transformata: ${forbidden}.`);
    const uri = reference.Uri ?? '';
    if (uri === '' && transforms.includes('http://www.w3.org/2000/09/xmldsig#enveloped-signature')) coversDocument = true;
    else if (signedPropertiesId && uri === `#${signedPropertiesId}` && reference.Type === SIGNED_PROPERTIES_TYPE) coversProperties = true;
    else throw badSignature(`Nieoczekiwana referencja podpisu: URI="${uri}".`);
  }
  if (!coversDocument) throw badSignature('Podpis nie obejmuje całego dokumentu (Reference URI="" z transformatą enveloped-signature).');
  if (!coversProperties) throw badSignature('Podpis nie obejmuje xades:SignedProperties.');

  const candidates: { der: Buffer; cert: x509.X509Certificate }[] = [];
  for (const node of Array.from(signatureElement.getElementsByTagNameNS(DSIG, 'X509Certificate'))) {
    const der = Buffer.from((node.textContent ?? '').replace(/\s+/g, ''), 'base64');
    try {
      candidates.push({ der, cert: new x509.X509Certificate(der) });
    } catch {
      throw new KsefError(21115, 'Nieprawidłowy certyfikat.', ['ds:X509Certificate nie jest poprawnym certyfikatem X.509.']);
    }
  }
  if (candidates.length === 0) throw new KsefError(21115, 'Nieprawidłowy certyfikat.', ['Brak certyfikatu w ds:KeyInfo/ds:X509Data.']);
  const signer = signingCertificate(signatureElement, candidates);

  // Verify with the named certificate's key only: a KeyInfo with a second certificate must not let
  // someone sign with their own key while naming another subject's certificate.
  let verified = false;
  try {
    const keyAlgorithm = signer.cert.publicKey.algorithm as webcrypto.EcKeyAlgorithm;
    const algorithm = signed.Algorithm as webcrypto.Algorithm & Record<string, unknown>;
    if (algorithm?.name === 'ECDSA') signed.Algorithm = { ...algorithm, namedCurve: keyAlgorithm.namedCurve } as webcrypto.Algorithm;
    const importAlgorithm = keyAlgorithm.name === 'ECDSA' ? { name: 'ECDSA', namedCurve: keyAlgorithm.namedCurve } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await signer.cert.publicKey.export(importAlgorithm as webcrypto.Algorithm, ['verify'], crypto);
    verified = await signed.Verify(key);
  } catch (error) {
    throw badSignature(`Weryfikacja podpisu nie powiodła się: ${(error as Error).message.slice(0, 300)}`);
  }
  if (!verified) throw badSignature('Wartość podpisu nie zgadza się z kluczem certyfikatu.');

  return {
    ...request,
    certificate: signer.cert,
    intermediates: candidates.filter((c) => c !== signer).map((c) => c.cert),
    documentHash: createHash('sha256').update(xml, 'utf8').digest('base64'),
  };
}
