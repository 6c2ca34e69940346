import { WEBHOOK_URL_FORBIDDEN, checkTargetUrl, type OutboundTargetPolicy } from '../../activities/webhooks/target-policy';
import { ProblemError } from '../problem';

/**
 * A URL the worker will post to (status webhook, chat alert): refused at registration when the rules
 * already say no — scheme, credentials, an address literal in any spelling (the URL parser turns
 * `0x7f000001`, `127.1` and `2130706433` into 127.0.0.1 first). Names are checked again after
 * resolution at send time, where DNS can no longer change its answer.
 */
export function assertOutboundUrl(url: string, policy: OutboundTargetPolicy, field: string): void {
  const checked = checkTargetUrl(url, policy);
  if (checked.ok) return;
  const message = `${checked.reason}; webhooks go to https: URLs of public hosts`;
  throw new ProblemError(422, WEBHOOK_URL_FORBIDDEN, 'Webhook URL not allowed', `${field}: ${message}.`, {
    errors: [{ path: [field], field, code: WEBHOOK_URL_FORBIDDEN, message }],
  });
}

export const OUTBOUND_URL_DESCRIPTION = 'https: URL of a public host, no credentials (http: and private hosts only as WEBHOOK_ALLOW_INSECURE_TARGETS allows, never in production)';
