/**
 * MF's availability service ("Latarnia") as the official clients read it: `GET /status` →
 * `{status, messages}` with status AVAILABLE | MAINTENANCE | FAILURE | TOTAL_FAILURE, and
 * `GET /messages` → every published message. Message fields, categories and types follow
 * CIRFMF/ksef-client-csharp KSeF.Client.Core/Models/Lighthouse/*.cs (see README).
 *
 * The board holds events (a maintenance window, a failure) with a start and an optional end; the
 * status is computed at the time of the request, so an announced window starts and ends by itself.
 */
import type { NextFunction, Request, Response } from 'express';
import { traceId } from './errors';

export const LATARNIA_STATUSES = ['AVAILABLE', 'MAINTENANCE', 'FAILURE', 'TOTAL_FAILURE'] as const;
export type LatarniaStatus = (typeof LATARNIA_STATUSES)[number];
export type EventCategory = Exclude<LatarniaStatus, 'AVAILABLE'>;
export type MessageType = 'MAINTENANCE_ANNOUNCEMENT' | 'FAILURE_START' | 'FAILURE_END';

export interface LatarniaMessage {
  id: string;
  eventId: number;
  category: EventCategory;
  type: MessageType;
  title: string;
  text: string;
  start: string;
  end: string | null;
  version: number;
  published: string;
}

export interface AvailabilityEvent {
  eventId: number;
  category: EventCategory;
  title: string;
  text: string;
  start: Date;
  end: Date | null;
  /** false (default): the simulator's /v2 answers 503 while the event goes on, as KSeF would. */
  apiAvailable: boolean;
  messages: LatarniaMessage[];
}

export interface EventInput {
  category: EventCategory;
  start?: Date;
  end?: Date | null;
  title?: string;
  text?: string;
  apiAvailable?: boolean;
}

const SEVERITY: Record<LatarniaStatus, number> = { AVAILABLE: 0, MAINTENANCE: 1, FAILURE: 2, TOTAL_FAILURE: 3 };
const DEFAULT_TITLE: Record<EventCategory, string> = {
  MAINTENANCE: 'Planowana niedostępność KSeF',
  FAILURE: 'Awaria KSeF',
  TOTAL_FAILURE: 'Awaria całkowita KSeF',
};

export class AvailabilityBoard {
  private events: AvailabilityEvent[] = [];
  private nextEventId = 1;
  /** Tolerance tests: serve this status string, or this whole body, instead of the computed one. */
  override: { status?: string; body?: unknown } | null = null;

  announce(input: EventInput, now = new Date()): AvailabilityEvent {
    const event: AvailabilityEvent = {
      eventId: this.nextEventId++,
      category: input.category,
      title: input.title ?? DEFAULT_TITLE[input.category],
      text: input.text ?? '',
      start: input.start ?? now,
      end: input.end ?? null,
      apiAvailable: input.apiAvailable ?? false,
      messages: [],
    };
    this.events.push(event);
    this.publish(event, event.category === 'MAINTENANCE' ? 'MAINTENANCE_ANNOUNCEMENT' : 'FAILURE_START', now);
    return event;
  }

  /** Ends an event at `at` (default now): a failure publishes FAILURE_END, a window a new version of its announcement. */
  end(eventId: number, at = new Date(), now = new Date()): AvailabilityEvent | undefined {
    const event = this.events.find((e) => e.eventId === eventId);
    if (!event) return undefined;
    event.end = at;
    this.publish(event, event.category === 'MAINTENANCE' ? 'MAINTENANCE_ANNOUNCEMENT' : 'FAILURE_END', now);
    return event;
  }

  /** Ends every event still going on (or still to come) at `now`. */
  endAll(now = new Date()): void {
    for (const e of this.events) if (e.end === null || e.end > now) this.end(e.eventId, new Date(Math.max(now.getTime(), e.start.getTime())), now);
  }

  clear(): void {
    this.events = [];
    this.override = null;
  }

  ongoing(now = new Date()): AvailabilityEvent[] {
    return this.events.filter((e) => e.start <= now && (e.end === null || now < e.end));
  }

  statusAt(now = new Date()): { status: LatarniaStatus; messages: LatarniaMessage[] } {
    const ongoing = this.ongoing(now);
    const status = ongoing.reduce<LatarniaStatus>((worst, e) => (SEVERITY[e.category] > SEVERITY[worst] ? e.category : worst), 'AVAILABLE');
    return { status, messages: ongoing.flatMap((e) => latestVersions(e.messages)) };
  }

  /** What `GET /status` serves. */
  statusBody(now = new Date()): unknown {
    if (this.override?.body !== undefined) return this.override.body;
    const computed = this.statusAt(now);
    return this.override?.status !== undefined ? { ...computed, status: this.override.status } : computed;
  }

  allMessages(): LatarniaMessage[] {
    return this.events.flatMap((e) => latestVersions(e.messages)).sort((a, b) => a.published.localeCompare(b.published));
  }

  apiBlockedAt(now = new Date()): AvailabilityEvent | undefined {
    return this.ongoing(now).find((e) => !e.apiAvailable);
  }

  describe(now = new Date()) {
    return {
      status: this.statusAt(now).status,
      override: this.override,
      events: this.events.map((e) => ({ ...e, start: e.start.toISOString(), end: e.end?.toISOString() ?? null, messages: latestVersions(e.messages) })),
    };
  }

  private publish(event: AvailabilityEvent, type: MessageType, now: Date): void {
    const id = `SIM-${event.eventId}-${type}`;
    const previous = event.messages.filter((m) => m.id === id).length;
    event.messages.push({
      id,
      eventId: event.eventId,
      category: event.category,
      type,
      title: event.title,
      text: event.text,
      start: event.start.toISOString(),
      end: event.end?.toISOString() ?? null,
      version: previous + 1,
      published: now.toISOString(),
    });
  }
}

function latestVersions(messages: LatarniaMessage[]): LatarniaMessage[] {
  const latest = new Map<string, LatarniaMessage>();
  for (const m of messages) if ((latest.get(m.id)?.version ?? 0) < m.version) latest.set(m.id, m);
  return [...latest.values()];
}

/** While an announced event without `apiAvailable` goes on, /v2 is down (503), as real KSeF would be. */
export function availabilityGate(board: () => AvailabilityBoard) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const blocking = board().apiBlockedAt();
    if (!blocking) return next();
    if (blocking.end) res.setHeader('Retry-After', String(Math.max(1, Math.ceil((blocking.end.getTime() - Date.now()) / 1000))));
    res
      .status(503)
      .type('application/problem+json')
      .send(JSON.stringify({ title: 'Service Unavailable', status: 503, detail: `KSeF jest niedostępny: ${blocking.title} (Latarnia, zdarzenie ${blocking.eventId}).`, traceId: traceId() }));
  };
}
