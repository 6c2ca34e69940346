import type { KeyObject } from 'node:crypto';
import type { PublicKeyCertificate, PublicKeyCertificateUsage } from './api-types';
import { publicKeyFromCertificate } from './crypto';
import { KsefError } from './errors';
import type { KsefHttpClient } from './http';

/** GET /security/public-key-certificates (public, no token). */
export async function fetchPublicKeyCertificates(http: KsefHttpClient): Promise<PublicKeyCertificate[]> {
  const res = await http.request<PublicKeyCertificate[]>({ method: 'GET', path: '/security/public-key-certificates' });
  if (!Array.isArray(res.data)) throw new KsefError('KSEF_INVALID_RESPONSE', 'public key certificate list is not an array', false);
  return res.data;
}

export interface SelectedPublicKey {
  publicKeyId: string;
  certificate: string;
  key: KeyObject;
}

/**
 * Caches MF encryption certificates. During a planned key rotation KSeF lists two certificates per
 * usage; we take the currently valid one issued most recently and always send its `publicKeyId`,
 * so the server never has to guess which key wrapped our data.
 */
export class PublicKeyDirectory {
  private cache: { at: number; certificates: PublicKeyCertificate[] } | undefined;

  constructor(
    private readonly http: KsefHttpClient,
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  async list(forceRefresh = false): Promise<PublicKeyCertificate[]> {
    if (forceRefresh || !this.cache || this.now() - this.cache.at > this.ttlMs) {
      this.cache = { at: this.now(), certificates: await fetchPublicKeyCertificates(this.http) };
    }
    return this.cache.certificates;
  }

  async select(usage: PublicKeyCertificateUsage, forceRefresh = false): Promise<SelectedPublicKey> {
    const now = this.now();
    const candidates = (await this.list(forceRefresh))
      .filter((c) => c.usage?.includes(usage))
      .filter((c) => Date.parse(c.validFrom) <= now && now <= Date.parse(c.validTo))
      .sort((a, b) => Date.parse(b.validFrom) - Date.parse(a.validFrom));
    const chosen = candidates[0];
    if (!chosen) throw new KsefError('KSEF_NO_PUBLIC_KEY', `no valid MF certificate with usage ${usage}`, false);
    return { publicKeyId: chosen.publicKeyId, certificate: chosen.certificate, key: publicKeyFromCertificate(chosen.certificate) };
  }

  invalidate(): void {
    this.cache = undefined;
  }
}
