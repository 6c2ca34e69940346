import nodemailer from 'nodemailer';
import { postJson } from '../webhooks/safe-post';
import { STRICT_TARGET_POLICY, type OutboundTargetPolicy } from '../webhooks/target-policy';

/** Where alerts go out: e-mail (SMTP) and a JSON webhook that chat tools accept (`{text}`). */
export interface MailMessage {
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
}

export interface Channels {
  mail(message: MailMessage): Promise<void>;
  webhook(url: string, payload: { text: string } & Record<string, unknown>): Promise<void>;
  readonly mailEnabled: boolean;
}

export class AlertDeliveryError extends Error {
  readonly code = 'KSEFOPS_ALERT_DELIVERY_FAILED';
  /** What really happened, for the server log only (the message is what the API shows). */
  constructor(message: string, readonly detail?: string) {
    super(message);
  }
}

const isMailbox = (s: string) => /^[^@\s]+@[^@\s]+$/.test(s);

/** Where a chat webhook may point: scheme and origin only, since chat URLs carry their token in the path. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}

export function createChannels(options: { smtp?: { url: string; from: string }; webhookTimeoutMs?: number; targets?: OutboundTargetPolicy }): Channels {
  const transport = options.smtp ? nodemailer.createTransport(options.smtp.url) : null;
  return {
    mailEnabled: transport !== null,
    async mail(message) {
      const to = message.to.filter(isMailbox);
      if (!transport || !options.smtp || to.length === 0) return;
      const cc = (message.cc ?? []).filter((a) => isMailbox(a) && !to.includes(a));
      try {
        await transport.sendMail({ from: options.smtp.from, to, ...(cc.length ? { cc } : {}), subject: message.subject, text: message.text });
      } catch (error) {
        throw new AlertDeliveryError(`mail to ${to.join(', ')} failed: ${(error as Error).message}`);
      }
    },
    async webhook(url, payload) {
      // Same rules as status webhooks: https, public addresses pinned at send time, no redirects, and a
      // reason that does not tell open ports from closed ones (alerts are readable over the API).
      const outcome = await postJson(url, JSON.stringify(payload), { policy: options.targets ?? STRICT_TARGET_POLICY, timeoutMs: options.webhookTimeoutMs ?? 10000 });
      if (!outcome.ok) throw new AlertDeliveryError(`webhook ${originOf(url)}: ${outcome.reason}`, `${outcome.code}: ${outcome.detail}`);
    },
  };
}
