/**
 * Is KSeF taking invoices? Two looks: MF's availability service ("Latarnia": an announced
 * unavailability or failure decides the legal offline mode) and the API itself (an unannounced
 * outage still means invoices cannot go out). The Latarnia JSON shape is our simulator's guess
 * (ksef-simulator/README.md); unknown answers count as "nothing announced".
 */
export type LatarniaStatus = 'FULL_AVAILABILITY' | 'ONGOING_UNAVAILABILITY' | 'ONGOING_FAILURE' | 'ONGOING_TOTAL_FAILURE';

export interface KsefAvailability {
  /** The API answered a cheap unauthenticated call. */
  apiReachable: boolean;
  /** What Latarnia announces; null when it could not be asked. */
  announced: LatarniaStatus | null;
  available: boolean;
  detail: string;
}

export async function checkKsefAvailability(options: { apiBaseUrl: string; latarniaUrl?: string | null; timeoutMs?: number }): Promise<KsefAvailability> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const [announced, api] = await Promise.all([
    options.latarniaUrl ? latarniaStatus(options.latarniaUrl, timeoutMs) : Promise.resolve(null),
    probe(`${options.apiBaseUrl.replace(/\/+$/, '')}/security/public-key-certificates`, timeoutMs),
  ]);
  const announcedDown = announced !== null && announced !== 'FULL_AVAILABILITY';
  return {
    apiReachable: api.ok,
    announced,
    available: api.ok && !announcedDown,
    detail: announcedDown ? `Latarnia: ${announced}` : api.ok ? 'KSeF API reachable' : `KSeF API unreachable: ${api.detail}`,
  };
}

async function latarniaStatus(url: string, timeoutMs: number): Promise<LatarniaStatus | null> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/status`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    const body = (await res.json()) as { status?: unknown };
    const known: LatarniaStatus[] = ['FULL_AVAILABILITY', 'ONGOING_UNAVAILABILITY', 'ONGOING_FAILURE', 'ONGOING_TOTAL_FAILURE'];
    return known.includes(body.status as LatarniaStatus) ? (body.status as LatarniaStatus) : null;
  } catch {
    return null;
  }
}

async function probe(url: string, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
    return res.status < 500 ? { ok: true, detail: `HTTP ${res.status}` } : { ok: false, detail: `HTTP ${res.status}` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}
