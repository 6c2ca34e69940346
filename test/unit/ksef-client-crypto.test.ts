import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, privateDecrypt, constants } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  aes256CbcDecrypt,
  aes256CbcEncrypt,
  base64Url,
  buildSendInvoiceRequest,
  generateSymmetricKey,
  publicKeyFromCertificate,
  publicKeyIdOf,
  rsaOaepSha256Encrypt,
  sha256Base64,
} from '../../ksef-client';

/**
 * Checks our crypto against OpenSSL's command line (an independent implementation), so a wrong OAEP
 * digest, MGF1 digest or IV handling cannot hide behind a symmetric encrypt/decrypt pair.
 */

let dir: string;
let certificateBase64: string;
let keyPem: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ksef-crypto-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=Test MF', '-days', '2',
    '-keyout', path.join(dir, 'key.pem'), '-outform', 'DER', '-out', path.join(dir, 'cert.der'),
  ], { stdio: 'ignore' });
  certificateBase64 = readFileSync(path.join(dir, 'cert.der')).toString('base64');
  keyPem = readFileSync(path.join(dir, 'key.pem'), 'utf8');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opensslOaepDecrypt(ciphertext: Buffer, mgf1: 'sha256' | 'sha1'): Buffer {
  const input = path.join(dir, 'in.bin');
  writeFileSync(input, ciphertext);
  return execFileSync('openssl', [
    'pkeyutl', '-decrypt', '-inkey', path.join(dir, 'key.pem'), '-in', input,
    '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', `rsa_mgf1_md:${mgf1}`,
  ], { stdio: ['ignore', 'pipe', 'ignore'] });
}

describe('RSA-OAEP (KSeF token and session key wrapping)', () => {
  it('uses SHA-256 for both the OAEP hash and MGF1, readable by OpenSSL with exactly those parameters', () => {
    const plaintext = Buffer.from('ksef-token-123|1767225600000', 'utf8');
    const ciphertext = rsaOaepSha256Encrypt(publicKeyFromCertificate(certificateBase64), plaintext);
    expect(opensslOaepDecrypt(ciphertext, 'sha256').equals(plaintext)).toBe(true);
    expect(() => opensslOaepDecrypt(ciphertext, 'sha1')).toThrow();
  });

  it('is randomised (OAEP seed) yet always decrypts', () => {
    const key = publicKeyFromCertificate(certificateBase64);
    const a = rsaOaepSha256Encrypt(key, Buffer.from('x'));
    const b = rsaOaepSha256Encrypt(key, Buffer.from('x'));
    expect(a.equals(b)).toBe(false);
    const decrypt = (c: Buffer) => privateDecrypt({ key: createPrivateKey(keyPem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, c).toString();
    expect([decrypt(a), decrypt(b)]).toEqual(['x', 'x']);
  });

  it('names a certificate the way KSeF does: publicKeyId = Base64(SHA-256(SPKI DER))', () => {
    const spki = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', path.join(dir, 'cert.der'), '-pubkey', '-noout']);
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: spki });
    expect(publicKeyIdOf(certificateBase64)).toBe(createHash('sha256').update(der).digest('base64'));
    expect(publicKeyIdOf(certificateBase64)).toHaveLength(44);
  });
});

describe('AES-256-CBC (invoice and batch part encryption)', () => {
  it('matches OpenSSL output byte for byte: PKCS#7 padding, no IV prefix', () => {
    const { key, iv } = generateSymmetricKey();
    const plaintext = Buffer.from('<Faktura>zażółć gęślą jaźń</Faktura>', 'utf8');
    const ours = aes256CbcEncrypt(plaintext, key, iv);
    const theirs = execFileSync('openssl', ['enc', '-aes-256-cbc', '-K', key.toString('hex'), '-iv', iv.toString('hex')], { input: plaintext });
    expect(ours.equals(theirs)).toBe(true);
    expect(ours.length).toBe(Math.ceil((plaintext.length + 1) / 16) * 16);
    expect(aes256CbcDecrypt(ours, key, iv).equals(plaintext)).toBe(true);
  });

  it('rejects key material of the wrong size', () => {
    expect(() => aes256CbcEncrypt(Buffer.from('x'), Buffer.alloc(16), Buffer.alloc(16))).toThrow(RangeError);
    expect(() => aes256CbcEncrypt(Buffer.from('x'), Buffer.alloc(32), Buffer.alloc(8))).toThrow(RangeError);
  });
});

describe('hash encodings', () => {
  it('produces standard Base64 SHA-256 (44 chars) and unpadded Base64URL', () => {
    expect(sha256Base64('abc')).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
    expect(base64Url(createHash('sha256').update('abc').digest())).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });
});

describe('send-invoice request body', () => {
  it('hashes the plain XML bytes, encrypts with the session key/IV and reports both sizes', () => {
    const { key, iv } = generateSymmetricKey();
    const handle = { referenceNumber: 'r', validUntil: '2030-01-01T00:00:00Z', symmetricKey: key.toString('base64'), iv: iv.toString('base64') };
    const xml = '<?xml version="1.0" encoding="UTF-8"?><Faktura>ł</Faktura>';
    const body = buildSendInvoiceRequest(handle, xml, { offlineMode: true });
    const plain = Buffer.from(xml, 'utf8');
    expect(body.invoiceHash).toBe(sha256Base64(plain));
    expect(body.invoiceSize).toBe(plain.length);
    const encrypted = Buffer.from(body.encryptedInvoiceContent, 'base64');
    expect(body.encryptedInvoiceSize).toBe(encrypted.length);
    expect(body.encryptedInvoiceHash).toBe(sha256Base64(encrypted));
    expect(aes256CbcDecrypt(encrypted, key, iv).toString('utf8')).toBe(xml);
    expect(body.offlineMode).toBe(true);
    expect(body).not.toHaveProperty('hashOfCorrectedInvoice');
  });
});
