import type { AuthCertificate, AuthMethod, StatusInfo } from '../state';
import { verifyChain } from './authority';
import type { CertificateFailure, CertificateStore } from './store';
import { describeSubject } from './subject';
import type { SignedAuthRequest } from './xades-verify';

/**
 * What KSeF decides after it accepted a signed AuthTokenRequest (revealed as the auth status):
 * 460 for anything wrong with the certificate (chain, validity, revocation, type), 415 when the
 * subject has no permission in the requested context. Order follows the docs' table: the
 * certificate is judged before the permissions.
 */

const CERTIFICATE_ERROR = 'Uwierzytelnianie zakończone niepowodzeniem z powodu błędu certyfikatu';

const FAILURE_DETAILS: Record<CertificateFailure, string> = {
  revoked: 'Certyfikat odwołany.',
  expired: 'Nieważny certyfikat.',
  untrusted: 'Niezaufany łańcuch certyfikatów.',
  suspended: 'Certyfikat zawieszony.',
};

export function certificateError(detail: string): StatusInfo {
  return { code: 460, description: CERTIFICATE_ERROR, details: [detail] };
}

export interface XadesVerdict {
  outcome: StatusInfo;
  method: AuthMethod;
  certificate: AuthCertificate;
}

export async function judgeSignedRequest(
  store: CertificateStore,
  request: SignedAuthRequest,
  forcedFailure: CertificateFailure | null,
  now = Date.now(),
): Promise<XadesVerdict> {
  const subject = describeSubject(request.certificate);
  const issued = store.byFingerprint.get(subject.fingerprint) ?? null;
  const authority = await store.authority();
  const chain = await verifyChain(request.certificate, request.intermediates, await store.roots());
  const ownCa = chain.ok && Buffer.from(authority.certificate.rawData).equals(Buffer.from(chain.root.rawData));
  const method: AuthMethod = ownCa
    ? { authenticationMethod: 'InternalCertificate', category: 'XadesSignature', code: 'certificate.ksef', displayName: 'Certyfikat KSeF' }
    : subject.organizationIdentifier && !subject.givenName
      ? { authenticationMethod: 'QualifiedSeal', category: 'XadesSignature', code: 'seal.qualified', displayName: 'Pieczęć kwalifikowana' }
      : { authenticationMethod: 'QualifiedSignature', category: 'XadesSignature', code: 'signature.qualified', displayName: 'Podpis kwalifikowany' };
  const subjectIdentifier: AuthCertificate['subjectIdentifier'] =
    request.subjectIdentifierType === 'certificateFingerprint'
      ? { type: 'Fingerprint', value: subject.fingerprint }
      : subject.nip
        ? { type: 'Nip', value: subject.nip }
        : subject.pesel
          ? { type: 'Pesel', value: subject.pesel }
          : { type: 'Fingerprint', value: subject.fingerprint };
  const certificate: AuthCertificate = { fingerprint: subject.fingerprint, subjectIdentifier, documentHash: request.documentHash };
  const verdict = (outcome: StatusInfo): XadesVerdict => ({ outcome, method, certificate });

  if (forcedFailure) return verdict(certificateError(`${FAILURE_DETAILS[forcedFailure]} (wymuszone przez /_sim/faults)`));
  if (!chain.ok) return verdict(certificateError(chain.detail));
  if (request.certificate.notBefore.getTime() > now || request.certificate.notAfter.getTime() <= now) return verdict(certificateError('Nieważny certyfikat.'));
  if (issued?.revoked) return verdict(certificateError('Certyfikat odwołany.'));
  if (issued && issued.type !== 'Authentication') return verdict(certificateError('Niepoprawny certyfikat (certyfikat typu Offline nie służy do uwierzytelnienia).'));

  const contextNip = request.context.value;
  let permitted: boolean;
  if (request.subjectIdentifierType === 'certificateFingerprint') {
    // Permissions on a fingerprint are granted explicitly; a KSeF certificate also acts for its owner's own NIP.
    permitted = store.fingerprintGrants.get(subject.fingerprint)?.has(contextNip) === true || (issued?.owner.type === 'Nip' && issued.owner.value === contextNip);
  } else {
    if (!subject.nip && !subject.pesel) return verdict(certificateError('Niepoprawny certyfikat (brak identyfikatora NIP/PESEL w atrybutach podmiotu — użyj certificateFingerprint).'));
    permitted = subject.nip === contextNip;
  }
  if (!permitted) {
    return verdict({ code: 415, description: 'Uwierzytelnianie zakończone niepowodzeniem', details: [`Brak przypisanych uprawnień w kontekście NIP ${contextNip} dla podmiotu ${subjectIdentifier.type} ${subjectIdentifier.value}.`] });
  }
  if (issued) issued.lastUseDate = new Date(now);
  store.authSubjects.set(subject.fingerprint, subject);
  return verdict({ code: 200, description: 'Uwierzytelnianie zakończone sukcesem' });
}

