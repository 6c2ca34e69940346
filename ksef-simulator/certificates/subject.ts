import { createHash } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';

/**
 * Who a certificate names, read the way KSeF documents it (auth/podpis-xades.md): a NIP or PESEL in
 * the subject serialNumber (2.5.4.5, "TINPL-…"/"NIP…" or "PNOPL-…"/"PESEL…"), or a NIP in
 * organizationIdentifier (2.5.4.97, "VATPL-…"; KSeF's own certificates carry the bare NIP there).
 */
export interface CertificateSubject {
  nip: string | null;
  pesel: string | null;
  commonName: string;
  countryName: string;
  givenName: string | null;
  surname: string | null;
  serialNumber: string | null;
  uniqueIdentifier: string | null;
  organizationName: string | null;
  organizationIdentifier: string | null;
  /** SHA-256 of the DER certificate, upper-case hex (what permissions on a "fingerprint" name). */
  fingerprint: string;
}

const OID = {
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  givenName: '2.5.4.42',
  uniqueIdentifier: '2.5.4.45',
  organizationIdentifier: '2.5.4.97',
} as const;

export function certificateFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase();
}

function first(cert: X509Certificate, oid: string): string | null {
  return cert.subjectName.getField(oid)[0] ?? null;
}

export function nipFrom(serialNumber: string | null, organizationIdentifier: string | null): string | null {
  const fromSerial = serialNumber ? /(?:TINPL|NIP).*?(\d{10})/.exec(serialNumber) : null;
  if (fromSerial) return fromSerial[1];
  if (organizationIdentifier) {
    const vat = /VATPL.*?(\d{10})/.exec(organizationIdentifier) ?? /^(\d{10})$/.exec(organizationIdentifier);
    if (vat) return vat[1];
  }
  return null;
}

export function describeSubject(cert: X509Certificate): CertificateSubject {
  const serialNumber = first(cert, OID.serialNumber);
  const organizationIdentifier = first(cert, OID.organizationIdentifier);
  const pesel = serialNumber ? (/(?:PNOPL|PESEL).*?(\d{11})/.exec(serialNumber)?.[1] ?? null) : null;
  return {
    nip: nipFrom(serialNumber, organizationIdentifier),
    pesel,
    commonName: first(cert, OID.commonName) ?? '',
    countryName: first(cert, OID.countryName) ?? '',
    givenName: first(cert, OID.givenName),
    surname: first(cert, OID.surname),
    serialNumber,
    uniqueIdentifier: first(cert, OID.uniqueIdentifier),
    organizationName: first(cert, OID.organizationName),
    organizationIdentifier,
    fingerprint: certificateFingerprint(new Uint8Array(cert.rawData)),
  };
}

export const SUBJECT_OIDS = OID;
