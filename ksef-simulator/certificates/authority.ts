import { randomBytes, type webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crypto, x509 } from './runtime';

/**
 * The simulator's own certificate authority: it signs the KSeF certificates issued through
 * /certificates/enrollments and is the root every XAdES signature is chained to (plus any CA a
 * test registers as "qualified" through /_sim/certificates/trusted-cas). EC P-256, the key type MF
 * recommends for KSeF certificates.
 */
export class CertificateAuthority {
  private constructor(
    readonly certificate: x509.X509Certificate,
    private readonly privateKey: webcrypto.CryptoKey,
  ) {}

  static async create(stateDir: string | undefined): Promise<CertificateAuthority> {
    const file = stateDir ? path.join(stateDir, 'certificate-authority.json') : null;
    if (file && existsSync(file)) {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { certificate: string; privateKey: string };
      const key = await crypto.subtle.importKey('pkcs8', Buffer.from(stored.privateKey, 'base64'), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
      return new CertificateAuthority(new x509.X509Certificate(stored.certificate), key);
    }
    const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: newSerialNumber(),
      name: 'CN=KSeF Simulator CA, O=ksef-ops simulator, C=PL',
      notBefore: new Date(now - 24 * 3_600_000),
      notAfter: new Date(now + 10 * 365 * 24 * 3_600_000),
      signingAlgorithm: algorithm,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    if (file) {
      mkdirSync(path.dirname(file), { recursive: true });
      const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
      writeFileSync(file, JSON.stringify({ certificate: certificate.toString('pem'), privateKey: pkcs8 }), { mode: 0o600 });
    }
    return new CertificateAuthority(certificate, keys.privateKey);
  }

  /** Signs a leaf certificate for `publicKey` with the given subject (the CSR's, already checked). */
  async issue(params: {
    publicKey: x509.PublicKey;
    subject: x509.Name;
    notBefore: Date;
    notAfter: Date;
    type: 'Authentication' | 'Offline';
    serialNumber?: string;
  }): Promise<x509.X509Certificate> {
    // certyfikaty-KSeF.md: Authentication = Digital Signature only, Offline = Non-Repudiation only (one purpose each)
    const usage = params.type === 'Offline' ? x509.KeyUsageFlags.nonRepudiation : x509.KeyUsageFlags.digitalSignature;
    return x509.X509CertificateGenerator.create({
      serialNumber: params.serialNumber ?? newSerialNumber(),
      subject: params.subject,
      issuer: this.certificate.subjectName,
      notBefore: params.notBefore,
      notAfter: params.notAfter,
      publicKey: params.publicKey,
      signingKey: this.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(usage, true),
        await x509.AuthorityKeyIdentifierExtension.create(this.certificate, false),
        await x509.SubjectKeyIdentifierExtension.create(params.publicKey),
      ],
    });
  }
}

/** KSeF serial numbers are 16 upper-case hex digits; a leading 0x10–0x7F byte keeps the DER integer positive and 8 bytes long. */
export function newSerialNumber(): string {
  const bytes = randomBytes(8);
  bytes[0] = 0x10 + (bytes[0] % 0x70);
  return bytes.toString('hex').toUpperCase();
}

export type ChainVerdict =
  | { ok: true; root: x509.X509Certificate }
  | { ok: false; detail: 'Niezaufany łańcuch certyfikatów.' | 'Błąd weryfikacji łańcucha certyfikatów.' };

/**
 * Builds the chain leaf → (intermediates from the signature's KeyInfo) → a trusted root and
 * checks every signature on the way; trust is decided by the root's exact DER, never by its name.
 */
export async function verifyChain(leaf: x509.X509Certificate, intermediates: x509.X509Certificate[], roots: x509.X509Certificate[]): Promise<ChainVerdict> {
  const rootDers = new Set(roots.map((r) => Buffer.from(r.rawData).toString('base64')));
  let chain: x509.X509Certificate[];
  try {
    chain = [...(await new x509.X509ChainBuilder({ certificates: [...intermediates, ...roots] }).build(leaf))];
  } catch {
    return { ok: false, detail: 'Błąd weryfikacji łańcucha certyfikatów.' };
  }
  const top = chain[chain.length - 1];
  if (chain.length < 2 || !rootDers.has(Buffer.from(top.rawData).toString('base64'))) return { ok: false, detail: 'Niezaufany łańcuch certyfikatów.' };
  for (let i = 0; i < chain.length - 1; i++) {
    const signedByNext = await chain[i].verify({ publicKey: chain[i + 1].publicKey, signatureOnly: true }).catch(() => false);
    if (!signedByNext) return { ok: false, detail: 'Błąd weryfikacji łańcucha certyfikatów.' };
  }
  return { ok: true, root: top };
}
