import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords: scrypt (memory-hard KDF in node's crypto, no native add-on) at OWASP's current
 * recommendation (Password Storage Cheat Sheet: N=2^17, r=8, p=1 — 128 MiB and a few hundred
 * milliseconds per guess). The parameters travel inside the hash, so hashes made at older
 * parameters still verify, and sign-in rewrites them at the current ones (needsRehash).
 */
export const PASSWORD_PARAMS = { logN: 17, r: 8, p: 1, keylen: 32 } as const;
export const MIN_PASSWORD_LENGTH = 12;

/** Stored hashes are ours, but a corrupted or planted row must not buy a gigabyte of memory per guess. */
const LIMITS = { logN: [10, 20], r: [1, 32], p: [1, 16], keylen: [16, 64] } as const;

interface ParsedHash {
  logN: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function derive(password: string, salt: Buffer, logN: number, r: number, p: number, keylen: number): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs 128·N·r bytes; node refuses anything over maxmem (default 32 MiB).
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

function within(value: number, [lo, hi]: readonly [number, number]): boolean {
  return Number.isInteger(value) && value >= lo && value <= hi;
}

function parse(stored: string): ParsedHash | null {
  const [scheme, logN, r, p, salt, key, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || rest.length > 0 || salt === undefined || key === undefined) return null;
  const parsed = { logN: Number(logN), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
  if (!within(parsed.logN, LIMITS.logN) || !within(parsed.r, LIMITS.r) || !within(parsed.p, LIMITS.p) || !within(parsed.key.length, LIMITS.keylen)) return null;
  return parsed;
}

export async function hashPassword(password: string, params: { logN: number; r: number; p: number } = PASSWORD_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params.logN, params.r, params.p, PASSWORD_PARAMS.keylen);
  return `scrypt$${params.logN}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

// Unknown users are checked against a dummy hash at the current cost, so the answer takes as long as for known ones.
const DUMMY = `scrypt$${PASSWORD_PARAMS.logN}$${PASSWORD_PARAMS.r}$${PASSWORD_PARAMS.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = parse(stored ?? DUMMY) ?? parse(DUMMY)!;
  const actual = await derive(password, parsed.salt, parsed.logN, parsed.r, parsed.p, parsed.key.length);
  return stored !== null && parse(stored) !== null && timingSafeEqual(actual, parsed.key);
}

/** A hash made at weaker parameters than today's: rewrite it while the password is at hand (sign-in). */
export function needsRehash(stored: string | null): boolean {
  const parsed = stored ? parse(stored) : null;
  if (!parsed) return false;
  return parsed.logN < PASSWORD_PARAMS.logN || parsed.r < PASSWORD_PARAMS.r || parsed.p < PASSWORD_PARAMS.p || parsed.key.length < PASSWORD_PARAMS.keylen;
}

export function passwordProblems(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 1024) return 'must have at most 1024 characters';
  return null;
}
