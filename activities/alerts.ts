import nodemailer from 'nodemailer';
import type { Logger } from '../config/logger';
import type { PrismaClient } from '../prisma/client';
import { appendAudit } from '../prisma/invoice-registry';

export type AlertKind = 'triage' | 'sla-missed' | 'approval-needed' | 'stuck-processing';

export interface AlertRequest {
  kind: AlertKind;
  registryId: string;
  invoiceNumber: string;
  sellerNip: string;
  sourceSystem: string;
  errorCode: string;
  reason: string;
  escalationLevel: number;
}

export interface AlertingOptions {
  prisma: PrismaClient;
  logger: Logger;
  /** Who reacts first, then who is told when the SLA is missed (level 1, 2, …). */
  escalationChain?: string[];
  smtp?: { url: string; from: string };
  publicUrl?: string;
}

export interface Alerting {
  raise(request: AlertRequest): Promise<{ owner: string }>;
}

/**
 * Every alert names a person (the escalation chain picks one by level), is written to the audit
 * log, and is mailed when SMTP is configured. Without SMTP the alert still reaches the registry
 * (owner + next action) and the logs.
 */
export function createAlerting(options: AlertingOptions): Alerting {
  const chain = options.escalationChain?.length ? options.escalationChain : ['ksef-process-owner'];
  const transport = options.smtp ? nodemailer.createTransport(options.smtp.url) : null;
  return {
    async raise(request) {
      const owner = chain[Math.min(request.escalationLevel, chain.length - 1)];
      options.logger.warn({ alert: request.kind, owner, ...request }, 'alert raised');
      if (transport && options.smtp && owner.includes('@')) {
        const link = options.publicUrl ? `${options.publicUrl}/ui/invoices/${request.registryId}` : request.registryId;
        await transport.sendMail({
          from: options.smtp.from,
          to: owner,
          subject: `[ksef-ops] ${request.kind}: invoice ${request.invoiceNumber} (${request.errorCode})`,
          text: [
            `Invoice ${request.invoiceNumber} from ${request.sourceSystem}, seller NIP ${request.sellerNip}.`,
            `What happened: ${request.errorCode} — ${request.reason}`,
            request.escalationLevel > 0 ? `Escalation level ${request.escalationLevel}: the previous owner did not react in time.` : '',
            `Open: ${link}`,
          ]
            .filter(Boolean)
            .join('\n'),
        });
      }
      await appendAudit(options.prisma, {
        actor: 'system',
        action: `alert.${request.kind}`,
        targetType: 'invoice',
        targetId: request.registryId,
        result: `notified ${owner}`,
        details: { ...request },
      });
      return { owner };
    },
  };
}
