import nodemailer from 'nodemailer';

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
}

const isMailbox = (s: string) => /^[^@\s]+@[^@\s]+$/.test(s);

export function createChannels(options: { smtp?: { url: string; from: string }; webhookTimeoutMs?: number }): Channels {
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
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(options.webhookTimeoutMs ?? 10000),
        });
      } catch (error) {
        throw new AlertDeliveryError(`webhook ${url} failed: ${(error as Error).message}`);
      }
      if (!response.ok) throw new AlertDeliveryError(`webhook ${url} answered ${response.status}`);
    },
  };
}
