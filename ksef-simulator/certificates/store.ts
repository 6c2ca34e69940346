import type { StatusInfo } from '../state';
import { CertificateAuthority } from './authority';
import type { x509 } from './runtime';
import type { CertificateSubject } from './subject';

export type KsefCertificateType = 'Authentication' | 'Offline';
export type CertificateStatus = 'Active' | 'Blocked' | 'Revoked' | 'Expired';

export interface SubjectIdentifier {
  type: 'Nip' | 'Pesel' | 'Fingerprint';
  value: string;
}

export interface IssuedCertificate {
  serialNumber: string;
  name: string;
  type: KsefCertificateType;
  der: Buffer;
  subject: CertificateSubject;
  /** Whose certificate this is: the identifier of the subject that enrolled it. */
  owner: SubjectIdentifier;
  revoked: { at: Date; reason: string } | null;
  validFrom: Date;
  validTo: Date;
  requestDate: Date;
  lastUseDate: Date | null;
}

export interface Enrollment {
  referenceNumber: string;
  owner: SubjectIdentifier;
  requestDate: Date;
  /** Decided at submit time, revealed after the processing delay (KSeF issues asynchronously). */
  readyAt: number;
  outcome: StatusInfo;
  certificateSerialNumber: string | null;
}

export type CertificateFailure = 'revoked' | 'expired' | 'untrusted' | 'suspended';

/**
 * Certificates, enrolments and trust of one simulator. Survives /_sim/reset like registered
 * tokens do: a test that issued a certificate set it up deliberately.
 */
export class CertificateStore {
  readonly certificates = new Map<string, IssuedCertificate>();
  readonly byFingerprint = new Map<string, IssuedCertificate>();
  readonly enrollments = new Map<string, Enrollment>();
  /** Extra roots (a test's "qualified" CA); the simulator's own CA is always trusted. */
  readonly extraRoots: x509.X509Certificate[] = [];
  /** Subjects of certificates that authenticated (enrolment data is derived from them), by fingerprint. */
  readonly authSubjects = new Map<string, CertificateSubject>();
  /** Permissions granted on a certificate fingerprint: fingerprint → context NIPs. */
  readonly fingerprintGrants = new Map<string, Set<string>>();
  private authorityPromise: Promise<CertificateAuthority> | undefined;

  constructor(private readonly stateDir: string | undefined) {}

  /** Created on first use: generating the CA key is async and most simulator runs never need it. */
  authority(): Promise<CertificateAuthority> {
    if (!this.authorityPromise) {
      this.authorityPromise = CertificateAuthority.create(this.stateDir);
      this.authorityPromise.catch(() => (this.authorityPromise = undefined));
    }
    return this.authorityPromise;
  }

  async roots(): Promise<x509.X509Certificate[]> {
    return [(await this.authority()).certificate, ...this.extraRoots];
  }

  add(certificate: IssuedCertificate): void {
    this.certificates.set(certificate.serialNumber, certificate);
    this.byFingerprint.set(certificate.subject.fingerprint, certificate);
  }

  statusOf(certificate: IssuedCertificate, now = Date.now()): CertificateStatus {
    if (certificate.revoked) return 'Revoked';
    if (certificate.validTo.getTime() <= now) return 'Expired';
    return 'Active';
  }

  ownedBy(owner: SubjectIdentifier): IssuedCertificate[] {
    return [...this.certificates.values()].filter((c) => c.owner.type === owner.type && c.owner.value === owner.value);
  }
}
