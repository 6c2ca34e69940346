/**
 * Is KSeF taking invoices? Two looks: MF's availability service ("Latarnia": an announced
 * maintenance or failure decides the legal offline mode) and the API itself (an unannounced
 * outage still means invoices cannot go out).
 *
 * Latarnia contract as the official clients read it (CIRFMF/ksef-client-csharp
 * KSeF.Client.Core/Models/Lighthouse/*.cs, CIRFMF/ksef-client-java …/client/model/lighthouse/*.java):
 * `GET {latarnia}/status` → `{status: AVAILABLE|MAINTENANCE|FAILURE|TOTAL_FAILURE, messages:[{id,
 * eventId, category, type, title, text, start, end, version, published}]}`. The answer is parsed
 * tolerantly: extra fields are kept, a malformed message is dropped, and a status we do not know is
 * UNKNOWN (degraded: the caller alerts) rather than an error or "nothing announced".
 */
import { z } from 'zod';

export type LatarniaStatus = 'AVAILABLE' | 'MAINTENANCE' | 'FAILURE' | 'TOTAL_FAILURE';
/** UNKNOWN: Latarnia answered, but not with a status we understand. */
export type AnnouncedStatus = LatarniaStatus | 'UNKNOWN';

export interface LatarniaMessage {
  id?: string;
  eventId?: number | string;
  category?: string;
  type?: string;
  title?: string;
  text?: string;
  start?: string;
  end?: string | null;
  version?: number;
  published?: string;
  [extra: string]: unknown;
}

export interface KsefAvailability {
  /** The API answered a cheap unauthenticated call. */
  apiReachable: boolean;
  /** What Latarnia announces; null when it was not asked or could not be reached. */
  announced: AnnouncedStatus | null;
  /** Latarnia's status exactly as sent (for logs and alerts). */
  rawStatus: string | null;
  messages: LatarniaMessage[];
  /** Latarnia was asked but its answer was not understood (unknown status, malformed body, HTTP error). */
  degraded: boolean;
  available: boolean;
  detail: string;
}

/** Statuses that announce KSeF is not taking invoices (facts §9: offline / emergency / total failure). */
export function isAnnouncedOutage(status: AnnouncedStatus | null): status is 'MAINTENANCE' | 'FAILURE' | 'TOTAL_FAILURE' {
  return status === 'MAINTENANCE' || status === 'FAILURE' || status === 'TOTAL_FAILURE';
}

const KNOWN: Partial<Record<string, LatarniaStatus>> = {
  AVAILABLE: 'AVAILABLE',
  MAINTENANCE: 'MAINTENANCE',
  FAILURE: 'FAILURE',
  TOTAL_FAILURE: 'TOTAL_FAILURE',
  // The Java SDK's older enum names (Statuses.java) for the same four states.
  FULL_AVAILABILITY: 'AVAILABLE',
  ONGOING_UNAVAILABILITY: 'MAINTENANCE',
  ONGOING_FAILURE: 'FAILURE',
  ONGOING_TOTAL_FAILURE: 'TOTAL_FAILURE',
};

const messageSchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String).optional(),
    eventId: z.union([z.number(), z.string()]).optional(),
    category: z.string().optional(),
    type: z.string().optional(),
    title: z.string().optional(),
    text: z.string().optional(),
    start: z.string().optional(),
    end: z.string().nullish(),
    version: z.number().optional(),
    published: z.string().optional(),
  })
  .passthrough();

const statusSchema = z.object({ status: z.union([z.string(), z.number()]).transform(String), messages: z.array(z.unknown()).nullish() }).passthrough();

export interface LatarniaAnswer {
  announced: AnnouncedStatus | null;
  rawStatus: string | null;
  messages: LatarniaMessage[];
  degraded: boolean;
  detail: string;
}

/** Reads a `GET /status` body; never throws. */
export function parseLatarniaStatus(body: unknown): LatarniaAnswer {
  const parsed = statusSchema.safeParse(body);
  if (!parsed.success) return { announced: 'UNKNOWN', rawStatus: null, messages: [], degraded: true, detail: 'Latarnia: answer without a status field' };
  const rawStatus = parsed.data.status;
  const announced: AnnouncedStatus = KNOWN[rawStatus.trim().toUpperCase()] ?? 'UNKNOWN';
  const messages = (parsed.data.messages ?? []).flatMap((m) => {
    const one = messageSchema.safeParse(m);
    return one.success ? [one.data as LatarniaMessage] : [];
  });
  const titles = messages.map((m) => m.title).filter((t): t is string => !!t);
  const detail =
    announced === 'UNKNOWN'
      ? `Latarnia: unknown status "${rawStatus.slice(0, 100)}"`
      : `Latarnia: ${announced}${titles.length ? ` (${titles.join('; ').slice(0, 300)})` : ''}`;
  return { announced, rawStatus, messages, degraded: announced === 'UNKNOWN', detail };
}

/**
 * An UNKNOWN status counts as "nothing announced" for the decision (the API probe still decides
 * whether invoices can go out, and sending to a working API is never wrong), but it is `degraded`,
 * so the caller alerts: the product can no longer tell an announced outage from an unannounced one.
 */
export async function checkKsefAvailability(options: { apiBaseUrl: string; latarniaUrl?: string | null; timeoutMs?: number }): Promise<KsefAvailability> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const [latarnia, api] = await Promise.all([
    options.latarniaUrl ? askLatarnia(options.latarniaUrl, timeoutMs) : Promise.resolve(null),
    probe(`${options.apiBaseUrl.replace(/\/+$/, '')}/security/public-key-certificates`, timeoutMs),
  ]);
  const announced = latarnia?.announced ?? null;
  const outage = isAnnouncedOutage(announced);
  const apiDetail = api.ok ? 'KSeF API reachable' : `KSeF API unreachable: ${api.detail}`;
  return {
    apiReachable: api.ok,
    announced,
    rawStatus: latarnia?.rawStatus ?? null,
    messages: latarnia?.messages ?? [],
    degraded: latarnia?.degraded ?? false,
    available: api.ok && !outage,
    detail: outage ? latarnia!.detail : latarnia?.degraded ? `${apiDetail}; ${latarnia.detail}` : apiDetail,
  };
}

async function askLatarnia(url: string, timeoutMs: number): Promise<LatarniaAnswer> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/status`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (!res.ok) return { announced: null, rawStatus: null, messages: [], degraded: true, detail: `Latarnia: HTTP ${res.status}` };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { announced: 'UNKNOWN', rawStatus: null, messages: [], degraded: true, detail: 'Latarnia: answer is not JSON' };
    }
    return parseLatarniaStatus(body);
  } catch (error) {
    return { announced: null, rawStatus: null, messages: [], degraded: true, detail: `Latarnia unreachable: ${(error as Error).message}` };
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
