/**
 * Offline mode I/O: is KSeF taking invoices, the legal deadline, the QR codes of the visualisation,
 * and the long wait for KSeF's return (one heartbeating activity instead of thousands of timers).
 */
import { Context } from '@temporalio/activity';
import { offlineSendingDeadline, warsawDateOf, type OfflineMode } from '../../domain/business-days';
import { checkKsefAvailability, isAnnouncedOutage, type KsefAvailability } from '../../ksef-client/availability';
import type { Alerting } from '../alerting/alerting';
import { buildCertificateVerificationUrl, buildInvoiceVerificationUrl, qrLabel } from '../../ksef-client/qr';
import type { PrismaClient } from '../../prisma/client';

export interface OfflineSettings {
  /** KSeF API base (with /v2): probed for reachability. */
  apiBaseUrl: string;
  /** Latarnia base URL (…/latarnia); null = not asked. */
  latarniaUrl: string | null;
  /** QR host of the environment, e.g. https://qr-test.ksef.mf.gov.pl. */
  qrBaseUrl: string;
  /** KSeF offline certificate (PEM) and its private key (PEM), for KOD II; absent = no KOD II. */
  certificate?: { certificatePem: string; privateKeyPem: string } | null;
  probeTimeoutMs?: number;
}

export interface OfflineEntry {
  mode: OfflineMode;
  deadline: string;
  alertAt: string;
  qrCodeI: string;
  qrCodeII: string | null;
  qrLabel: string;
}

/**
 * Latarnia's status → the legal offline mode (facts §9): announced maintenance = offline mode
 * (art. 106nh, deadline from the period's end), failure = emergency mode (art. 106nf, 7 business
 * days). A total failure lifts the duty to send at all; the product still sends once KSeF is back,
 * under the emergency deadline, which is allowed and keeps the registry complete.
 */
export function modeOf(availability: Pick<KsefAvailability, 'announced'>): OfflineMode {
  if (availability.announced === 'MAINTENANCE') return 'UNAVAILABILITY';
  if (availability.announced === 'FAILURE' || availability.announced === 'TOTAL_FAILURE') return 'EMERGENCY';
  // Unannounced (or a Latarnia answer we do not understand): the taxpayer may always issue offline24.
  return 'OFFLINE24';
}

/** A degraded Latarnia answer repeats on every probe: one alert an hour is enough. */
const DEGRADED_ALERT_WINDOW_MS = 60 * 60 * 1000;

export function createOfflineActivities(deps: { prisma: PrismaClient; offline?: OfflineSettings; alerting?: Alerting }) {
  const settings = () => {
    if (!deps.offline) throw new Error('KSEFOPS_OFFLINE_NOT_CONFIGURED: the worker was created without offline settings');
    return deps.offline;
  };
  const look = async () => {
    const a = await checkKsefAvailability({ apiBaseUrl: settings().apiBaseUrl, latarniaUrl: settings().latarniaUrl, timeoutMs: settings().probeTimeoutMs });
    // Not understanding Latarnia means an announced outage could go unnoticed (wrong offline mode
    // and deadline): someone must look, but the invoice itself goes on by the API probe.
    if (a.degraded && deps.alerting) {
      await deps.alerting
        .raise(
          {
            kind: 'ksef-availability',
            errorCode: 'KSEF_AVAILABILITY_UNKNOWN',
            reason: `${a.detail}. Offline decisions fall back to the API probe (offline24) until Latarnia answers with AVAILABLE, MAINTENANCE, FAILURE or TOTAL_FAILURE.`,
            escalationLevel: 0,
            details: { rawStatus: a.rawStatus, latarniaUrl: settings().latarniaUrl },
          },
          { suppressWhenThrottled: true, windowMs: DEGRADED_ALERT_WINDOW_MS },
        )
        .catch(() => undefined);
    }
    return a;
  };

  return {
    async checkKsefAvailability(): Promise<{ available: boolean; mode: OfflineMode; detail: string }> {
      const a = await look();
      return { available: a.available, mode: modeOf(a), detail: a.detail };
    },

    /** Record the invoice as issued offline: deadline (or the test override) and QR codes. Idempotent. */
    async enterOfflineMode(input: {
      registryId: string;
      sellerNip: string;
      issueDate: string;
      invoiceHash: string;
      mode: OfflineMode;
      reason: string;
      /** Tests: the deadline is this long after now instead of the legal one. */
      deadlineOverrideMs: number | null;
      alertBeforeMs: number;
    }): Promise<OfflineEntry> {
      const existing = await deps.prisma.offlineInvoice.findUnique({ where: { registryId: input.registryId } });
      if (existing && existing.invoiceHash === input.invoiceHash && existing.mode === input.mode) return entryOf(existing);
      const now = new Date();
      const deadline = input.deadlineOverrideMs !== null ? new Date(now.getTime() + input.deadlineOverrideMs) : offlineSendingDeadline(input.mode, input.issueDate, warsawDateOf(now));
      const alertAt = new Date(Math.max(now.getTime(), deadline.getTime() - input.alertBeforeMs));
      const s = settings();
      const qrCodeI = buildInvoiceVerificationUrl({ environment: s.qrBaseUrl, sellerNip: input.sellerNip, issueDate: input.issueDate, invoiceHash: input.invoiceHash });
      const qrCodeII = s.certificate
        ? buildCertificateVerificationUrl({
            environment: s.qrBaseUrl,
            contextType: 'Nip',
            contextValue: input.sellerNip,
            sellerNip: input.sellerNip,
            invoiceHash: input.invoiceHash,
            certificatePem: s.certificate.certificatePem,
            privateKeyPem: s.certificate.privateKeyPem,
          })
        : null;
      const data = { mode: input.mode, reason: input.reason, invoiceHash: input.invoiceHash, qrCodeI, qrCodeII, qrLabel: qrLabel(undefined), deadline, alertAt };
      const row = await deps.prisma.offlineInvoice.upsert({ where: { registryId: input.registryId }, create: { registryId: input.registryId, ...data }, update: data });
      return entryOf(row);
    },

    /**
     * Announced unavailability/failure: the legal deadline runs from the end of the period (facts §9:
     * next business day after it ends; 7 business days for a failure), so it is fixed only once the
     * period has ended. While it goes on, the deadline is at least the one counted from today.
     * OFFLINE24 keeps its issue-date deadline. With the test override the deadline is `override`
     * after the period's end (or after now while it goes on).
     */
    async refreshOfflineDeadline(input: {
      registryId: string;
      issueDate: string;
      mode: OfflineMode;
      deadlineOverrideMs: number | null;
      alertBeforeMs: number;
    }): Promise<{ deadline: string; alertAt: string; changed: boolean }> {
      const row = await deps.prisma.offlineInvoice.findUniqueOrThrow({ where: { registryId: input.registryId } });
      if (input.mode === 'OFFLINE24') return { deadline: row.deadline.toISOString(), alertAt: row.alertAt.toISOString(), changed: false };
      const now = new Date();
      const deadline = input.deadlineOverrideMs !== null ? new Date(now.getTime() + input.deadlineOverrideMs) : offlineSendingDeadline(input.mode, input.issueDate, warsawDateOf(now));
      if (deadline.getTime() <= row.deadline.getTime()) return { deadline: row.deadline.toISOString(), alertAt: row.alertAt.toISOString(), changed: false };
      const alertAt = new Date(Math.max(now.getTime(), deadline.getTime() - input.alertBeforeMs));
      await deps.prisma.offlineInvoice.update({ where: { registryId: input.registryId }, data: { deadline, alertAt, deadlineAlertedAt: null, deadlineMissedAt: null } });
      return { deadline: deadline.toISOString(), alertAt: alertAt.toISOString(), changed: true };
    },

    async noteOfflineEvent(input: { registryId: string; event: 'deadline-alerted' | 'deadline-missed' | 'sent'; ksefNumber?: string | null; technicalCorrectionOf?: string | null }): Promise<void> {
      const at = new Date();
      const data =
        input.event === 'deadline-alerted'
          ? { deadlineAlertedAt: at }
          : input.event === 'deadline-missed'
            ? { deadlineMissedAt: at }
            : { sentAt: at, ...(input.ksefNumber ? { qrLabel: input.ksefNumber } : {}), ...(input.technicalCorrectionOf ? { technicalCorrectionOf: input.technicalCorrectionOf } : {}) };
      await deps.prisma.offlineInvoice.updateMany({ where: { registryId: input.registryId }, data });
    },

    /** Probe until KSeF takes invoices again or `untilMs` passes; heartbeats keep a long wait alive and cancellable. */
    async awaitKsefAvailability(input: {
      untilMs: number;
      probeEveryMs: number;
      /** Also return as soon as Latarnia no longer announces an unavailability/failure (its end starts the deadline). */
      untilAnnouncementEnds?: boolean;
    }): Promise<{ available: boolean; detail: string; announcementOngoing?: boolean }> {
      const ctx = Context.current();
      for (;;) {
        const a = await look();
        ctx.heartbeat(a.detail);
        const announcementOngoing = isAnnouncedOutage(a.announced);
        if (a.available) return { available: true, detail: a.detail, announcementOngoing };
        if (input.untilAnnouncementEnds && !announcementOngoing) return { available: false, detail: a.detail, announcementOngoing };
        const left = input.untilMs - Date.now();
        if (left <= 0) return { available: false, detail: a.detail, announcementOngoing };
        await ctx.sleep(Math.min(left, input.probeEveryMs));
      }
    },
  };
}

function entryOf(row: { mode: string; deadline: Date; alertAt: Date; qrCodeI: string; qrCodeII: string | null; qrLabel: string }): OfflineEntry {
  return { mode: row.mode as OfflineMode, deadline: row.deadline.toISOString(), alertAt: row.alertAt.toISOString(), qrCodeI: row.qrCodeI, qrCodeII: row.qrCodeII, qrLabel: row.qrLabel };
}

export type OfflineActivities = ReturnType<typeof createOfflineActivities>;
