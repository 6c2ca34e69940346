import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque secrets: 256 random bits, stored only as sha256 (fast hashing is fine for high-entropy
 * tokens; passwords get scrypt). The prefix tells the kind apart at a glance and in secret scanners.
 */
export const SESSION_TOKEN_PREFIX = 'kss_';
export const API_KEY_PREFIX = 'ksk_';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function newSessionToken(): string {
  return `${SESSION_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** `ksk_<public id>_<secret>`: the public id is stored in clear to identify the key in lists and logs. */
export function newApiKey(): { key: string; prefix: string } {
  const prefix = randomBytes(6).toString('hex');
  return { key: `${API_KEY_PREFIX}${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
