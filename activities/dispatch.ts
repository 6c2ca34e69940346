/**
 * Activities of the per-seller KSeF dispatcher. The queue and the payloads live in the
 * `ksef_documents` table; these activities move invoices from the queue to KSeF (online or batch),
 * collect final statuses session by session, and report each outcome to its invoice workflow.
 * Each one reports how many requests of which endpoint group it made, so the dispatcher can keep
 * the context inside KSeF's limits.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { KsefError, isFinalInvoiceStatus, isFinalSessionStatus, type SessionInvoiceStatusResponse } from '../ksef-client';
import { describeInvoiceStatus, permissionFailureOf } from '../ksef-client/rejection-reasons';
import type { Logger } from '../config/logger';
import type { PrismaClient } from '../prisma/client';
import {
  DISPATCHER_WORKFLOW_PREFIX,
  ksefOutcomeSignal,
  ksefSentSignal,
  wakeDispatcherSignal,
  type DispatcherSettings,
  type KsefOutcomeSignal,
} from '../workflows/contracts';
import type { EndpointGroup } from '../workflows/rate-budget';
import type { StatusProjection } from '../domain/lifecycle';
import { recordSentToKsef, type SentToKsef } from '../prisma/invoice-registry';
import type { KsefContexts } from './ksef-sessions';
import { SENT_EVENT_KEY, statusWebhooksAlongside } from './webhooks/outbox';

export interface DispatchDeps {
  prisma: PrismaClient;
  temporal: Client;
  taskQueue: string;
  /** Clients without in-process retries: every request must be counted by the dispatcher. */
  ksef: KsefContexts;
  logger: Logger;
  dispatcher: DispatcherSettings;
  /** Dispatcher workflow ids are `<prefix><seller NIP>`; tests sharing one server use their own prefix. */
  dispatcherIdPrefix?: string;
}

/** What the invoice activities give the dispatch activities: the registry projection, one definition. */
export type ProjectStatus = (registryId: string, projection: StatusProjection) => Promise<void>;

/** The document staged by validation is gone or differs from what this attempt validated. */
export const STAGED_DOCUMENT_MISSING = 'KSEFOPS_STAGED_DOCUMENT_MISSING';
/** KSeF closed a session without a status for the invoice (the batch failed as a whole). */
export const SESSION_FAILED = 'KSEF_SESSION_FAILED';
/** The credential may not send in this context (auth 415/450, session 403 missing-permissions). */
export const PERMISSION_DENIED = 'KSEF_PERMISSION_DENIED';

export interface EnqueueRequest {
  registryId: string;
  workflowId: string;
  sellerNip: string;
  dispatchId: string;
  /** Absent: queue the document validation staged (validateForSending) instead of carrying it through history. */
  xml?: string;
  invoiceHash: string;
  offlineMode?: boolean;
  /** Technical correction of a rejected offline invoice (online sessions only). */
  hashOfCorrectedInvoice?: string | null;
  /** Zalacznik: KSeF takes it only in a batch session. */
  batchOnly?: boolean;
  /** The registry status that goes with being queued (SENDING), written by this activity. */
  projection?: StatusProjection;
  /**
   * false: the dispatcher writes SENT to the registry (with its audit row and webhooks) in the statement
   * that records the send, and signals only the outcome. Absent (runs before 'sent-by-dispatcher'): a
   * ksefSent signal, and the workflow projects SENT itself.
   */
  reportSent?: boolean;
}

/**
 * Validation keeps the rendered XML next to the queue, not queued yet: the workflow then passes only
 * its hash to `enqueueForKsef`. A new validation replaces the previous attempt's document.
 */
export async function stageValidatedDocument(prisma: PrismaClient, doc: { registryId: string; workflowId: string; sellerNip: string; xml: string; invoiceHash: string }) {
  const staged = { workflowId: doc.workflowId, sellerNip: doc.sellerNip, xml: doc.xml, invoiceHash: doc.invoiceHash, batchOnly: hasZalacznik(doc.xml), queuedAt: null };
  await prisma.ksefDocument.upsert({
    where: { registryId: doc.registryId },
    create: { registryId: doc.registryId, dispatchId: `${doc.registryId}:validated`, ...staged },
    update: staged,
    select: { registryId: true },
  });
}

export type RequestCounts = Partial<Record<EndpointGroup, number>>;

export interface RoundResult {
  sent: number;
  requests: RequestCounts;
  /** Wall-clock times of the online sends (the per-second window needs them exactly). */
  sendTimes: number[];
  /** A transient KSeF failure stopped the round; what was sent stays sent. */
  transientError: string | null;
  retryAfterSeconds: number | null;
}

export interface DispatcherSnapshot {
  queued: number;
  /** Queued invoices KSeF takes only in a batch session (Zalacznik); part of `queued`. */
  batchOnlyQueued: number;
  sessionsInFlight: Array<{ sessionRef: string; mode: string; waiting: number }>;
}

export function createDispatchActivities(deps: DispatchDeps & { project: ProjectStatus }) {
  const { prisma } = deps;

  const signalInvoice = async <T>(workflowId: string, signal: SignalDefinition<[T]>, payload: T) => {
    try {
      await deps.temporal.workflow.getHandle(workflowId).signal(signal, payload);
    } catch (error) {
      // A closed invoice workflow (cancelled meanwhile) no longer needs the news.
      if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
    }
  };

  const failureOutcome = (dispatchId: string, code: string, reason: string): KsefOutcomeSignal => ({
    dispatchId,
    sessionRef: null,
    invoiceRef: null,
    code: null,
    description: reason,
    details: [],
    ksefNumber: null,
    originalKsefNumber: null,
    failure: { code, reason },
  });

  /** Count a failed send; at the limit the invoice leaves the queue and goes to triage. */
  const countFailures = async (docs: Array<{ registryId: string; workflowId: string; dispatchId: string; sendFailures: number }>, reason: string) => {
    for (const doc of docs) {
      const failures = doc.sendFailures + 1;
      const exhausted = failures >= deps.dispatcher.maxSendFailures;
      await prisma.ksefDocument.updateMany({ where: { registryId: doc.registryId }, data: { sendFailures: failures, ...(exhausted ? { queuedAt: null } : {}) } });
      if (exhausted) {
        await signalInvoice(doc.workflowId, ksefOutcomeSignal, failureOutcome(doc.dispatchId, 'KSEF_UNAVAILABLE', `KSeF did not take the invoice after ${failures} attempts (last: ${reason})`));
      }
    }
  };

  /**
   * KSeF refused the credential itself (auth 415/450, session 403 missing-permissions): no retry can
   * help, so the invoices leave the queue and go to triage now with a reason naming the context.
   */
  const refuseForPermission = async (docs: Array<{ registryId: string; workflowId: string; dispatchId: string }>, reason: string) => {
    await prisma.ksefDocument.updateMany({ where: { registryId: { in: docs.map((d) => d.registryId) } }, data: { queuedAt: null } });
    await forEachConcurrently(docs, SIGNAL_CONCURRENCY, (doc) => signalInvoice(doc.workflowId, ksefOutcomeSignal, failureOutcome(doc.dispatchId, PERMISSION_DENIED, reason)));
  };

  /**
   * KSeF closed the session and has said all it will: an invoice of ours it never reported on (a batch
   * session failed as a whole — package not decryptable, too many invoices, cancelled as empty) will
   * not get a status. Its workflow hears why and goes to triage instead of waiting forever.
   */
  const failUnreported = async (sessionRef: string, session: { code: number; description: string; details?: string[] | null }) => {
    const left = await prisma.ksefDocument.findMany({ where: { sessionRef, outcomeDeliveredAt: null }, select: { registryId: true, workflowId: true, dispatchId: true } });
    if (left.length === 0) return 0;
    const why = [session.description, ...(session.details ?? [])].filter(Boolean).join(': ');
    const reason = `KSeF closed session ${sessionRef} with status ${session.code} (${why}) without a status for this invoice; it was not accepted — send it again (force retry) once the cause is clear`;
    deps.logger.warn({ sessionRef, sessionCode: session.code, invoices: left.length, errorCode: SESSION_FAILED }, 'session closed without a status for some invoices');
    await forEachConcurrently(left, SIGNAL_CONCURRENCY, (doc) => signalInvoice(doc.workflowId, ksefOutcomeSignal, failureOutcome(doc.dispatchId, SESSION_FAILED, reason)));
    await prisma.ksefDocument.updateMany({ where: { registryId: { in: left.map((d) => d.registryId) } }, data: { finalCode: session.code, outcomeDeliveredAt: new Date() } });
    return left.length;
  };

  /** The send recorded; returns the registry ids whose workflows want a ksefSent signal. */
  const recordSent = async (sent: SentToKsef): Promise<Set<string>> =>
    new Set((await recordSentToKsef(prisma, sent, [statusWebhooksAlongside(SENT_EVENT_KEY)])).signalSent);

  return {
    /**
     * Put the invoice's XML in its seller's queue and wake (or start) the seller's dispatcher.
     * Re-enqueueing (retry) replaces the previous attempt's row.
     */
    async enqueueForKsef(input: EnqueueRequest) {
      const fresh = {
        dispatchId: input.dispatchId,
        offlineMode: input.offlineMode ?? false,
        hashOfCorrectedInvoice: input.hashOfCorrectedInvoice ?? null,
        queuedAt: new Date(),
        sendFailures: 0,
        sendMode: null,
        sessionRef: null,
        invoiceRef: null,
        sentAt: null,
        finalCode: null,
        outcomeDeliveredAt: null,
        reportSent: input.reportSent ?? true,
      };
      // A retry of an attempt the dispatcher already sent must not put the registry back to SENDING.
      let alreadySent = false;
      if (input.xml === undefined) {
        // The XML was staged by validation (validateForSending): queue exactly that document, and
        // only if it is still the one this attempt validated (same hash). One statement; a retry of an
        // attempt already queued or sent matches nothing and leaves it alone.
        const { count } = await prisma.ksefDocument.updateMany({
          where: { registryId: input.registryId, invoiceHash: input.invoiceHash, NOT: { dispatchId: input.dispatchId } },
          // KSEF-API-FACTS §3.3: a technical correction of an offline invoice may go online even with a Zalacznik.
          data: { ...fresh, workflowId: input.workflowId, ...(input.hashOfCorrectedInvoice ? { batchOnly: false } : {}) },
        });
        if (count === 0) {
          const queued = await prisma.ksefDocument.findFirst({ where: { registryId: input.registryId, dispatchId: input.dispatchId }, select: { sentAt: true } });
          alreadySent = queued?.sentAt != null;
          if (!queued) {
            throw ApplicationFailure.create({
              type: STAGED_DOCUMENT_MISSING,
              message: `Invoice ${input.registryId}: no validated FA(3) document with hash ${input.invoiceHash} is staged for sending; it must be validated again`,
              nonRetryable: true,
            });
          }
        }
      } else {
        const data = {
          ...fresh,
          workflowId: input.workflowId,
          sellerNip: input.sellerNip,
          xml: input.xml,
          invoiceHash: input.invoiceHash,
          // KSEF-API-FACTS §3.3: "Invoices with attachments (Zalacznik) may be sent only in batch, except a
          // technical correction of an offline invoice" (online status 415 otherwise). Read from the XML
          // itself, which is what KSeF judges, so XML and JSON submissions are routed alike.
          batchOnly: (input.batchOnly ?? hasZalacznik(input.xml)) && !input.hashOfCorrectedInvoice,
        };
        // Idempotent under activity retries: the same dispatchId already queued or sent is left alone.
        const existing = await prisma.ksefDocument.findUnique({ where: { registryId: input.registryId }, select: { dispatchId: true } });
        if (existing?.dispatchId !== input.dispatchId) {
          await prisma.ksefDocument.upsert({ where: { registryId: input.registryId }, create: { registryId: input.registryId, ...data }, update: data, select: { registryId: true } });
        }
      }
      // The registry says SENDING exactly when the document is in the queue (and its webhook with it).
      if (input.projection && !alreadySent) await deps.project(input.registryId, input.projection);
      await deps.temporal.workflow.signalWithStart('ksefDispatcherWorkflow', {
        workflowId: `${deps.dispatcherIdPrefix ?? DISPATCHER_WORKFLOW_PREFIX}${input.sellerNip}`,
        taskQueue: deps.taskQueue,
        args: [{ sellerNip: input.sellerNip, settings: deps.dispatcher }],
        signal: wakeDispatcherSignal,
        signalArgs: [],
      });
    },

    /** Where an attempt went, for a workflow whose watchdog fired (it is not told when its invoice is sent). */
    async dispatchedAttempt({ registryId, dispatchId }: { registryId: string; dispatchId: string }): Promise<{ sessionRef: string; invoiceRef: string | null; mode: string } | null> {
      const doc = await prisma.ksefDocument.findFirst({ where: { registryId, dispatchId, sessionRef: { not: null } }, select: { sessionRef: true, invoiceRef: true, sendMode: true } });
      return doc ? { sessionRef: doc.sessionRef as string, invoiceRef: doc.invoiceRef, mode: doc.sendMode ?? 'ONLINE' } : null;
    },

    async dispatcherSnapshot({ sellerNip }: { sellerNip: string }): Promise<DispatcherSnapshot> {
      const queued = await prisma.ksefDocument.count({ where: { sellerNip, queuedAt: { not: null } } });
      const batchOnlyQueued = await prisma.ksefDocument.count({ where: { sellerNip, queuedAt: { not: null }, batchOnly: true } });
      const inFlight = await prisma.ksefDocument.groupBy({
        by: ['sessionRef', 'sendMode'],
        where: { sellerNip, sessionRef: { not: null }, outcomeDeliveredAt: null },
        _count: { _all: true },
      });
      return {
        queued,
        batchOnlyQueued,
        sessionsInFlight: inFlight.map((g) => ({ sessionRef: g.sessionRef as string, mode: g.sendMode ?? 'ONLINE', waiting: g._count._all })),
      };
    },

    /** Send up to `max` queued invoices through the (reused) online session, paced per second. */
    async sendQueuedOnline({ sellerNip, max }: { sellerNip: string; max: number }): Promise<RoundResult> {
      const result: RoundResult = { sent: 0, requests: {}, sendTimes: [], transientError: null, retryAfterSeconds: null };
      const docs = await prisma.ksefDocument.findMany({ where: { sellerNip, queuedAt: { not: null }, batchOnly: false }, orderBy: { queuedAt: 'asc' }, take: max });
      if (docs.length === 0) return result;
      const client = deps.ksef.client(sellerNip);
      const gapMs = Math.ceil(1000 / deps.dispatcher.onlineSendsPerSecond);
      let current: (typeof docs)[number] | undefined;
      try {
        const { handle, opened } = await deps.ksef.onlineSessionWithInfo(sellerNip);
        if (opened) result.requests.onlineSession = 1;
        let last = 0;
        for (const doc of docs) {
          current = doc;
          const wait = last + gapMs - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          last = Date.now();
          result.requests.onlineSend = (result.requests.onlineSend ?? 0) + 1;
          result.sendTimes.push(last);
          try {
            const sent = await client.sendInvoice(handle, doc.xml, {
              offlineMode: doc.offlineMode,
              ...(doc.hashOfCorrectedInvoice ? { hashOfCorrectedInvoice: doc.hashOfCorrectedInvoice } : {}),
            });
            const wantSignal = await recordSent({ mode: 'ONLINE', sessionRef: handle.referenceNumber, documents: [{ registryId: doc.registryId, invoiceRef: sent.referenceNumber }] });
            result.sent += 1;
            if (wantSignal.has(doc.registryId)) {
              await signalInvoice(doc.workflowId, ksefSentSignal, { dispatchId: doc.dispatchId, sessionRef: handle.referenceNumber, invoiceRef: sent.referenceNumber, mode: 'ONLINE' });
            }
          } catch (error) {
            if (error instanceof KsefError && !error.retryable) {
              // KSeF refused this request for this invoice (e.g. 21405): it goes to triage, the queue moves on.
              await prisma.ksefDocument.updateMany({ where: { registryId: doc.registryId }, data: { queuedAt: null } });
              await signalInvoice(doc.workflowId, ksefOutcomeSignal, failureOutcome(doc.dispatchId, error.code, error.message)); 
              continue;
            }
            throw error;
          }
          Context.current().heartbeat(result.sent);
        }
      } catch (error) {
        if (!(error instanceof KsefError)) throw error;
        deps.ksef.forgetSession(sellerNip);
        const denied = permissionFailureOf(error, sellerNip);
        if (denied) {
          await refuseForPermission(current ? [current] : docs, denied);
          return result;
        }
        result.transientError = `${error.code}: ${error.message}`;
        result.retryAfterSeconds = 'retryAfterSeconds' in error ? ((error as { retryAfterSeconds?: number }).retryAfterSeconds ?? null) : null;
        // The session could not even be opened: every invoice of this round failed to go out.
        await countFailures(current ? [current] : docs, result.transientError);
      }
      return result;
    },

    /** Send up to `max` queued invoices in one batch session (zip, encrypted parts, close). */
    async sendQueuedBatch({ sellerNip, max }: { sellerNip: string; max: number }): Promise<RoundResult> {
      const result: RoundResult = { sent: 0, requests: {}, sendTimes: [], transientError: null, retryAfterSeconds: null };
      let offlineMode = false;
      let docs = await prisma.ksefDocument.findMany({
        where: { sellerNip, queuedAt: { not: null }, offlineMode: false },
        orderBy: { queuedAt: 'asc' },
        take: max,
      });
      if (docs.length === 0) {
        // offlineMode is session-wide in batch, so invoices issued offline go in a batch session of their
        // own. Whenever the dispatcher chose batch they must: it chooses it from the whole queue, and a
        // queue of offline invoices alone (after an outage) would otherwise be chosen and skipped forever.
        docs = await prisma.ksefDocument.findMany({
          where: { sellerNip, queuedAt: { not: null }, offlineMode: true },
          orderBy: { queuedAt: 'asc' },
          take: max,
        });
        offlineMode = true;
      }
      if (docs.length === 0) return result;
      try {
        // open + close of the batch session; part uploads are not rate-limited
        result.requests.batchSession = 2;
        const batch = await deps.ksef.client(sellerNip).sendBatch(
          docs.map((d) => ({ fileName: `${d.registryId}.xml`, xml: d.xml })),
          offlineMode ? { offlineMode: true } : undefined,
        );
        const wantSignal = await recordSent({ mode: 'BATCH', sessionRef: batch.referenceNumber, documents: docs.map((d) => ({ registryId: d.registryId, invoiceRef: null })) });
        result.sent = docs.length;
        await forEachConcurrently(docs.filter((d) => wantSignal.has(d.registryId)), SIGNAL_CONCURRENCY, (doc) =>
          signalInvoice(doc.workflowId, ksefSentSignal, { dispatchId: doc.dispatchId, sessionRef: batch.referenceNumber, invoiceRef: null, mode: 'BATCH' }),
        );
      } catch (error) {
        if (!(error instanceof KsefError)) throw error;
        const denied = permissionFailureOf(error, sellerNip);
        if (denied) {
          await refuseForPermission(docs, denied);
          return result;
        }
        result.transientError = `${error.code}: ${error.message}`;
        result.retryAfterSeconds = 'retryAfterSeconds' in error ? ((error as { retryAfterSeconds?: number }).retryAfterSeconds ?? null) : null;
        await countFailures(docs, result.transientError);
      }
      return result;
    },

    /**
     * Check one session: its status (cheap), then — only when something finished — the list of its
     * invoices, and report every new final status to the invoice's workflow.
     */
    async collectSessionOutcomes({ sellerNip, sessionRef, knownFinished }: { sellerNip: string; sessionRef: string; knownFinished: number }) {
      const requests: RequestCounts = { sessionStatus: 1 };
      const client = deps.ksef.client(sellerNip);
      try {
        const status = await client.getSessionStatus(sessionRef);
        const finished = (status.successfulInvoiceCount ?? 0) + (status.failedInvoiceCount ?? 0);
        const sessionClosed = isFinalSessionStatus(status.status.code);
        if (finished <= knownFinished && !sessionClosed) return { requests, finished, delivered: 0, transientError: null as string | null };
        const waiting = await prisma.ksefDocument.findMany({
          where: { sessionRef, outcomeDeliveredAt: null },
          select: { registryId: true, workflowId: true, dispatchId: true, invoiceRef: true },
        });
        const byRef = new Map(waiting.filter((d) => d.invoiceRef).map((d) => [d.invoiceRef as string, d]));
        const byFile = new Map(waiting.map((d) => [`${d.registryId}.xml`, d]));
        let delivered = 0;
        let continuationToken: string | undefined;
        // A session that failed as a whole lists nothing: no page to read.
        if (finished > 0) do {
          requests.sessionInvoices = (requests.sessionInvoices ?? 0) + 1;
          const page = await client.listSessionInvoices(sessionRef, { pageSize: 1000, continuationToken });
          const outcomes = page.invoices.flatMap((entry) => {
            if (!isFinalInvoiceStatus(entry.status.code)) return [];
            const doc = byRef.get(entry.referenceNumber) ?? (entry.invoiceFileName ? byFile.get(entry.invoiceFileName) : undefined);
            return doc ? [{ doc, entry }] : [];
          });
          // Signal first, mark delivered after: a crash in between re-sends an outcome the workflow
          // already has (it ignores a repeat of its dispatch id) instead of losing one.
          await forEachConcurrently(outcomes, SIGNAL_CONCURRENCY, ({ doc, entry }) => signalInvoice(doc.workflowId, ksefOutcomeSignal, outcomeOf(doc.dispatchId, sessionRef, entry, sellerNip)));
          if (outcomes.length > 0) await markOutcomesDelivered(prisma, outcomes.map(({ doc, entry }) => ({ registryId: doc.registryId, finalCode: entry.status.code, invoiceRef: entry.referenceNumber })));
          delivered += outcomes.length;
          continuationToken = page.continuationToken ?? undefined;
          Context.current().heartbeat(delivered);
        } while (continuationToken);
        if (sessionClosed) delivered += await failUnreported(sessionRef, status.status);
        return { requests, finished, delivered, transientError: null as string | null };
      } catch (error) {
        if (!(error instanceof KsefError)) throw error;
        return { requests, finished: knownFinished, delivered: 0, transientError: `${error.code}: ${error.message}` };
      }
    },
  };
}

/** Signals to distinct workflows are independent: a batch of 10 000 must not pay for them one by one. */
const SIGNAL_CONCURRENCY = 32;

async function forEachConcurrently<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** One statement for a whole page of outcomes (a batch session lists up to 1000 invoices a page). */
async function markOutcomesDelivered(prisma: PrismaClient, rows: Array<{ registryId: string; finalCode: number; invoiceRef: string }>): Promise<void> {
  await prisma.$executeRaw`
    UPDATE ksef_documents AS d
    SET "finalCode" = o.code, "invoiceRef" = o.ref, "outcomeDeliveredAt" = (now() AT TIME ZONE 'UTC')
    FROM unnest(${rows.map((r) => r.registryId)}::uuid[], ${rows.map((r) => r.finalCode)}::int[], ${rows.map((r) => r.invoiceRef)}::text[]) AS o(id, code, ref)
    WHERE d."registryId" = o.id`;
}

/** The FA(3) Zalacznik element (any namespace prefix); its absence is the common case. */
export function hasZalacznik(xml: string): boolean {
  return /<(?:[\w.-]+:)?Zalacznik[\s>/]/.test(xml);
}

/** The dispatcher sends in the seller's own context (KsefContexts), so context = seller here. */
function outcomeOf(dispatchId: string, sessionRef: string, entry: SessionInvoiceStatusResponse, sellerNip: string): KsefOutcomeSignal {
  const extensions = (entry.status.extensions ?? {}) as Record<string, unknown>;
  return {
    dispatchId,
    sessionRef,
    invoiceRef: entry.referenceNumber,
    code: entry.status.code,
    description: describeInvoiceStatus(entry.status, { sellerNip, contextNip: sellerNip }),
    details: entry.status.details ?? [],
    ksefNumber: entry.ksefNumber ?? null,
    originalKsefNumber: typeof extensions.originalKsefNumber === 'string' ? extensions.originalKsefNumber : null,
    failure: null,
  };
}

export type DispatchActivities = ReturnType<typeof createDispatchActivities>;
