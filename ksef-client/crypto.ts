import { X509Certificate, constants, createCipheriv, createDecipheriv, createHash, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Crypto primitives KSeF 2.0 prescribes (facts §2.1, §3.1), matched against what the official Java
 * and C# SDKs actually send:
 * - RSA-OAEP with SHA-256 and MGF1-SHA-256, empty label, for the KSeF token and the session AES key;
 * - AES-256-CBC + PKCS#7 for invoices and batch parts; the IV travels only in `initializationVector`,
 *   the ciphertext has no IV prefix.
 */

export const AES_KEY_BYTES = 32;
export const AES_IV_BYTES = 16;

/** MF publishes certificates as Base64 DER without PEM armour. */
export function certificateFromBase64Der(certificateBase64: string): X509Certificate {
  return new X509Certificate(Buffer.from(certificateBase64, 'base64'));
}

export function publicKeyFromCertificate(certificateBase64: string): KeyObject {
  return certificateFromBase64Der(certificateBase64).publicKey;
}

/** Base64(SHA-256(DER SubjectPublicKeyInfo)) — how KSeF names a key in `publicKeyId`. */
export function publicKeyIdOf(certificateBase64: string): string {
  const spki = publicKeyFromCertificate(certificateBase64).export({ type: 'spki', format: 'der' });
  return sha256Base64(spki);
}

export function rsaOaepSha256Encrypt(publicKey: KeyObject, plaintext: Uint8Array): Buffer {
  // Node applies oaepHash to MGF1 as well (OpenSSL default), which is exactly OAEP-SHA256/MGF1-SHA256.
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, plaintext);
}

export interface SymmetricKeyMaterial {
  key: Buffer;
  iv: Buffer;
}

export function generateSymmetricKey(): SymmetricKeyMaterial {
  return { key: randomBytes(AES_KEY_BYTES), iv: randomBytes(AES_IV_BYTES) };
}

export function aes256CbcEncrypt(plaintext: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  assertKeyMaterial(key, iv);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

export function aes256CbcDecrypt(ciphertext: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  assertKeyMaterial(key, iv);
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

function assertKeyMaterial(key: Uint8Array, iv: Uint8Array): void {
  if (key.length !== AES_KEY_BYTES) throw new RangeError(`AES-256 key must be ${AES_KEY_BYTES} bytes, got ${key.length}`);
  if (iv.length !== AES_IV_BYTES) throw new RangeError(`AES-CBC IV must be ${AES_IV_BYTES} bytes, got ${iv.length}`);
}

export function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Standard Base64 (44 chars) — the `invoiceHash` / `fileHash` format. */
export function sha256Base64(data: Uint8Array | string): string {
  return sha256(data).toString('base64');
}

/** Base64URL without padding (QR KOD I hash segment). */
export function base64Url(data: Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

export function base64UrlFromBase64(value: string): string {
  return base64Url(Buffer.from(value, 'base64'));
}

export function utf8(value: string | Uint8Array): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
}
