import {
  constants,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

export type KeyUsage = 'KsefTokenEncryption' | 'SymmetricKeyEncryption';

export interface SimulatorKey {
  usage: KeyUsage;
  privateKey: KeyObject;
  certificateDer: Buffer;
  certificateId: string;
  publicKeyId: string;
  validFrom: Date;
  validTo: Date;
}

export interface KeyMaterial {
  keys: SimulatorKey[];
  /** Signs the simulator's JWT-like tokens and pre-signed download/upload URLs. */
  hmacSecret: Buffer;
}

export function sha256Base64(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('base64');
}

function selfSignedCertificate(privateKey: KeyObject, validFrom: Date, validTo: Date, usage: KeyUsage): Buffer {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = validFrom;
  cert.validity.notAfter = validTo;
  // Real certificates carry CN=Ministerstwo Finansów; the OU marks these as the simulator's, so nobody mistakes them.
  const subject = [
    // forge UTF-8-encodes UTF8String values itself
    { shortName: 'CN', value: 'Ministerstwo Finansów', valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class },
    { shortName: 'OU', value: `KSeF simulator ${usage}` },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), forge.md.sha256.create());
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

function describeKey(usage: KeyUsage, privateKey: KeyObject, certificateDer: Buffer, validFrom: Date, validTo: Date): SimulatorKey {
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return {
    usage,
    privateKey,
    certificateDer,
    certificateId: sha256Base64(certificateDer),
    publicKeyId: sha256Base64(spki),
    validFrom,
    validTo,
  };
}

function generateKey(usage: KeyUsage): SimulatorKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const validFrom = new Date(Date.now() - 24 * 3600_000);
  const validTo = new Date(Date.now() + 2 * 365 * 24 * 3600_000);
  return describeKey(usage, privateKey, selfSignedCertificate(privateKey, validFrom, validTo, usage), validFrom, validTo);
}

interface PersistedKeys {
  hmacSecret: string;
  keys: { usage: KeyUsage; privateKeyPem: string; certificateDer: string; validFrom: string; validTo: string }[];
}

/**
 * Keys are generated at start; with a stateDir they survive restarts so a client that cached
 * the public key certificates (as the SDKs do) keeps working.
 */
export function loadOrCreateKeyMaterial(stateDir?: string): KeyMaterial {
  const file = stateDir ? path.join(stateDir, 'keys.json') : undefined;
  if (file && existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as PersistedKeys;
    return {
      hmacSecret: Buffer.from(saved.hmacSecret, 'base64'),
      keys: saved.keys.map((k) =>
        describeKey(k.usage, createPrivateKey(k.privateKeyPem), Buffer.from(k.certificateDer, 'base64'), new Date(k.validFrom), new Date(k.validTo)),
      ),
    };
  }
  const material: KeyMaterial = {
    hmacSecret: randomBytes(32),
    keys: [generateKey('KsefTokenEncryption'), generateKey('SymmetricKeyEncryption')],
  };
  if (file && stateDir) {
    mkdirSync(stateDir, { recursive: true });
    const persisted: PersistedKeys = {
      hmacSecret: material.hmacSecret.toString('base64'),
      keys: material.keys.map((k) => ({
        usage: k.usage,
        privateKeyPem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        certificateDer: k.certificateDer.toString('base64'),
        validFrom: k.validFrom.toISOString(),
        validTo: k.validTo.toISOString(),
      })),
    };
    writeFileSync(file, JSON.stringify(persisted, null, 2), { mode: 0o600 });
  }
  return material;
}

/** RSA-OAEP with SHA-256 for both the hash and MGF1, empty label — as MF's SDKs encrypt. */
export function rsaOaepDecrypt(key: SimulatorKey, ciphertext: Buffer): Buffer {
  return privateDecrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, ciphertext);
}

function aesCbcDecrypt(key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/**
 * The docs say the IV is prefixed to the ciphertext while both official SDKs send raw CBC output;
 * accept both. A raw ciphertext that starts with the IV by chance has probability 2^-128.
 */
export function decryptInvoiceContent(key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  if (ciphertext.length >= 32 && ciphertext.subarray(0, 16).equals(iv)) {
    return aesCbcDecrypt(key, iv, ciphertext.subarray(16));
  }
  return aesCbcDecrypt(key, iv, ciphertext);
}

export function hmacBase64Url(secret: Buffer, data: string): string {
  return createHmac('sha256', secret).update(data).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
