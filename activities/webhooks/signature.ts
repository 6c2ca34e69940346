import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Status webhooks are signed like this (documented for receivers in docs/ALERTS-AND-ACCESS.md):
 *   X-KsefOps-Timestamp: unix seconds
 *   X-KsefOps-Signature: v1=hex(HMAC-SHA256(secret, `${timestamp}.${rawBody}`))
 * The timestamp is inside the MAC so a captured delivery cannot be replayed later unnoticed.
 */
export const SIGNATURE_HEADER = 'x-ksefops-signature';
export const TIMESTAMP_HEADER = 'x-ksefops-timestamp';
export const DELIVERY_HEADER = 'x-ksefops-delivery';
export const EVENT_HEADER = 'x-ksefops-event';

export function signPayload(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verifySignature(secret: string, timestamp: number, body: string, signature: string, toleranceSeconds = 300, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signPayload(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
