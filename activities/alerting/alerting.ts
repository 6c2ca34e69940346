import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Logger } from '../../config/logger';
import type { PrismaClient } from '../../prisma/client';
import { claimForDigest, claimThrottleWindow } from '../../prisma/alert-repository';
import { appendAudit } from '../../prisma/invoice-registry';
import { createChannels, type Channels } from './channels';
import { matchingClassesOf } from './classify';
import { nextStepOf, titleOf } from './messages';
import { resolveResponsibility } from './responsibility';
import type { OutboundTargetPolicy } from '../webhooks/target-policy';
import type { AlertOutcome, AlertRequest } from './types';

export interface AlertingOptions {
  prisma: PrismaClient;
  logger: Logger;
  /** Fallback when no responsibility rule matches: owner, then escalation levels 1, 2, … */
  escalationChain?: string[];
  smtp?: { url: string; from: string };
  /** Chat-compatible webhook every alert is posted to (in addition to a rule's own webhook). */
  webhookUrl?: string;
  /** Where chat webhooks may go (default: https to public addresses only). */
  targets?: OutboundTargetPolicy;
  publicUrl?: string;
  /** The sweeper that owns these alerts' digests: one per worker task queue. */
  scope?: string;
  /** Within this window, alerts with the same dedup key after the first are folded into a digest. */
  dedupWindowMs?: number;
  channels?: Channels;
}

export interface RaiseOptions {
  /** For periodic checks: while the window is open, drop the repeat instead of folding it. */
  suppressWhenThrottled?: boolean;
  /** Overrides the dedup window (periodic checks repeat less often than invoice alerts). */
  windowMs?: number;
  /** One alert per key: for callers that raise several alerts in one activity execution (the stuck-invoice sweep). */
  idempotencyKey?: string;
}

export interface DigestResult {
  digests: number;
  alerts: number;
  failed: number;
}

export interface Alerting {
  raise(request: AlertRequest, options?: RaiseOptions): Promise<AlertOutcome>;
  sweepDigests(): Promise<DigestResult>;
  readonly scope: string;
}

export const DEFAULT_DEDUP_WINDOW_MS = 15 * 60 * 1000;

/**
 * One alert per activity execution and problem: Temporal retries of the same execution share the key,
 * while the different problems one execution reports (the periodic checks: one alert per role, per
 * source system) each keep their own — with the execution alone, all but the first were lost.
 */
function activityKey(dedupKey: string): string | null {
  try {
    const info = Context.current().info;
    const run = info.workflowExecution;
    return run ? `${run.workflowId}/${run.runId}/${info.activityId}/${dedupKey}` : null;
  } catch {
    return null;
  }
}

/**
 * Every alert names a person from the responsibility map (fallback: the configured chain), is stored,
 * written to the audit log, and goes out by mail/webhook — the first of its kind in a window at once,
 * the rest folded into one digest by the periodic sweep. Delivery failures never fail the caller: the
 * invoice must not wait for a mail server; failed alerts are retried in the next digest.
 */
export function createAlerting(options: AlertingOptions): Alerting {
  const { prisma, logger } = options;
  const fallbackChain = options.escalationChain?.length ? options.escalationChain : ['ksef-process-owner'];
  const channels = options.channels ?? createChannels({ smtp: options.smtp, targets: options.targets });
  const scope = options.scope ?? 'default';
  const windowMs = options.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS;
  const linkOf = (registryId?: string | null) =>
    registryId ? (options.publicUrl ? `${options.publicUrl}/ui/invoices/${registryId}` : `/api/v1/invoices/${registryId}`) : options.publicUrl ?? '';

  async function deliver(webhooks: Array<string | null | undefined>, mail: { to: string[]; cc?: string[]; subject: string; text: string }, payload: Record<string, unknown>) {
    await channels.mail(mail);
    const urls = [...new Set([options.webhookUrl, ...webhooks].filter((u): u is string => !!u))];
    for (const url of urls) await channels.webhook(url, { text: `${mail.subject}\n${mail.text}`, ...payload });
  }

  return {
    scope,

    async raise(request, raiseOptions = {}) {
      const classes = matchingClassesOf(request);
      const errorClass = classes[classes.length - 1];
      const responsibility = await resolveResponsibility(
        prisma,
        { sourceSystem: request.sourceSystem, sellerNip: request.sellerNip, errorClasses: classes, errorCode: request.errorCode },
        fallbackChain,
      );
      const level = Math.min(Math.max(request.escalationLevel, 0), responsibility.chain.length - 1);
      const owner = responsibility.chain[level];
      // The original owner stays informed when the alert climbs the chain.
      const cc = level > 0 && responsibility.chain[0] !== owner ? [responsibility.chain[0]] : [];
      const dedupKey = [scope, request.kind, errorClass, request.errorCode, request.sourceSystem ?? '*', request.sellerNip ?? '*', `L${request.escalationLevel}`, owner].join('|');

      const idempotencyKey = raiseOptions.idempotencyKey ?? activityKey(dedupKey);
      if (idempotencyKey) {
        const existing = await prisma.alert.findUnique({ where: { idempotencyKey } });
        if (existing) return { owner: existing.owner, delivery: existing.state === 'SENT' ? 'sent' : existing.state === 'FAILED' ? 'failed' : 'folded', alertId: existing.id };
      }

      const now = new Date();
      const first = await claimThrottleWindow(prisma, dedupKey, now, raiseOptions.windowMs ?? windowMs);
      const target = request.registryId ? { targetType: 'invoice', targetId: request.registryId } : { targetType: 'alert', targetId: dedupKey };
      if (!first && raiseOptions.suppressWhenThrottled) {
        logger.debug({ alert: request.kind, dedupKey }, 'alert suppressed: already raised in this window');
        return { owner, delivery: 'suppressed', alertId: null };
      }

      const alert = await prisma.alert.create({
        data: {
          idempotencyKey,
          scope,
          dedupKey,
          kind: request.kind,
          errorClass,
          errorCode: request.errorCode,
          registryId: request.registryId ?? null,
          invoiceNumber: request.invoiceNumber ?? null,
          sourceSystem: request.sourceSystem ?? null,
          sellerNip: request.sellerNip ?? null,
          reason: request.reason,
          owner,
          recipients: [owner, ...cc],
          webhookUrl: responsibility.webhookUrl,
          escalationLevel: request.escalationLevel,
          ruleId: responsibility.ruleId,
          state: first ? 'SENT' : 'FOLDED',
          details: (request.details ?? undefined) as object | undefined,
        },
      });

      let delivery: AlertOutcome['delivery'] = first ? 'sent' : 'folded';
      if (first) {
        const title = titleOf(request.kind, errorClass, request.escalationLevel);
        const subject = `[ksef-ops] ${title}${request.invoiceNumber ? `: invoice ${request.invoiceNumber}` : ''} (${request.errorCode})`;
        const text = [
          request.invoiceNumber
            ? `Invoice ${request.invoiceNumber} from ${request.sourceSystem ?? '?'}, seller NIP ${request.sellerNip ?? '?'}.`
            : [request.sourceSystem && `Source system ${request.sourceSystem}.`, request.sellerNip && `Seller NIP ${request.sellerNip}.`].filter(Boolean).join(' '),
          `What happened: ${request.errorCode} — ${request.reason}`,
          `Responsible: ${owner}${responsibility.role ? ` (role ${responsibility.role})` : ''}.`,
          request.escalationLevel > 0 ? `Escalation level ${request.escalationLevel}: ${cc[0] ?? 'the previous owner'} did not react in time.` : '',
          `Next step: ${nextStepOf(request.kind, errorClass)}`,
          linkOf(request.registryId) ? `Open: ${linkOf(request.registryId)}` : '',
          `Alert ${alert.id}`,
        ]
          .filter(Boolean)
          .join('\n');
        try {
          await deliver([responsibility.webhookUrl], { to: [owner], cc, subject, text }, {
            alert: { id: alert.id, kind: request.kind, errorClass, errorCode: request.errorCode, registryId: request.registryId ?? null, invoiceNumber: request.invoiceNumber ?? null, sourceSystem: request.sourceSystem ?? null, sellerNip: request.sellerNip ?? null, reason: request.reason, owner, escalationLevel: request.escalationLevel, link: linkOf(request.registryId) || null },
          });
          await prisma.alert.update({ where: { id: alert.id }, data: { sentAt: new Date() } });
        } catch (error) {
          delivery = 'failed';
          logger.error({ err: error, alertId: alert.id, alert: request.kind }, 'alert delivery failed; it will go out with the next digest');
          await prisma.alert.update({ where: { id: alert.id }, data: { state: 'FAILED', deliveryError: (error as Error).message } });
        }
      }
      logger.warn({ alert: request.kind, owner, delivery, registryId: request.registryId, errorCode: request.errorCode }, 'alert raised');
      await appendAudit(prisma, {
        actor: 'system',
        action: `alert.${request.kind}`,
        ...target,
        result: delivery === 'folded' ? `folded for ${owner}` : delivery === 'failed' ? `delivery to ${owner} failed` : `notified ${owner}`,
        details: { alertId: alert.id, errorClass, ruleId: responsibility.ruleId, ...request },
      });
      return { owner, delivery, alertId: alert.id };
    },

    async sweepDigests() {
      const digestId = randomUUID();
      const alerts = await claimForDigest(prisma, scope, digestId);
      if (alerts.length === 0) return { digests: 0, alerts: 0, failed: 0 };
      const byRecipient = new Map<string, typeof alerts>();
      for (const a of alerts) byRecipient.set(a.owner, [...(byRecipient.get(a.owner) ?? []), a]);
      let digests = 0;
      let failed = 0;
      for (const [recipient, group] of byRecipient) {
        const byKey = new Map<string, typeof alerts>();
        for (const a of group) byKey.set(a.dedupKey, [...(byKey.get(a.dedupKey) ?? []), a]);
        const lines: string[] = [];
        for (const same of byKey.values()) {
          const a = same[0];
          const numbers = same.map((s) => s.invoiceNumber).filter((n): n is string => !!n);
          lines.push(
            `- ${same.length} × ${titleOf(a.kind as AlertRequest['kind'], a.errorClass as never, a.escalationLevel)} (${a.errorCode}` +
              `${a.sourceSystem ? `, source ${a.sourceSystem}` : ''}${a.sellerNip ? `, seller NIP ${a.sellerNip}` : ''})` +
              `, ${same[0].createdAt.toISOString()} … ${same[same.length - 1].createdAt.toISOString()}` +
              (numbers.length ? `\n  invoices: ${numbers.slice(0, 20).join(', ')}${numbers.length > 20 ? ` (+${numbers.length - 20} more)` : ''}` : '') +
              `\n  e.g. ${a.reason}`,
          );
        }
        const subject = `[ksef-ops] Digest: ${group.length} alert${group.length === 1 ? '' : 's'} for ${recipient}`;
        const text = [`${group.length} alerts were folded into this digest (the first of each kind was sent at once).`, '', ...lines, '', `Digest ${digestId}`].join('\n');
        try {
          await deliver(
            group.map((a) => a.webhookUrl),
            { to: [recipient], subject, text },
            { digest: { id: digestId, recipient, count: group.length, groups: [...byKey.values()].map((s) => ({ kind: s[0].kind, errorCode: s[0].errorCode, count: s.length })) } },
          );
          await prisma.alert.updateMany({ where: { id: { in: group.map((a) => a.id) } }, data: { sentAt: new Date(), deliveryError: null } });
          digests += 1;
        } catch (error) {
          failed += group.length;
          logger.error({ err: error, digestId, recipient }, 'digest delivery failed; retried by the next sweep');
          await prisma.alert.updateMany({ where: { id: { in: group.map((a) => a.id) } }, data: { state: 'FAILED', digestId: null, deliveryError: (error as Error).message } });
        }
        await appendAudit(prisma, {
          actor: 'system',
          action: 'alert.digest',
          targetType: 'alert-digest',
          targetId: digestId,
          result: failed ? `delivery to ${recipient} failed` : `notified ${recipient}`,
          details: { recipient, count: group.length, alertIds: group.map((a) => a.id).slice(0, 1000) },
        });
      }
      return { digests, alerts: alerts.length, failed };
    },
  };
}
