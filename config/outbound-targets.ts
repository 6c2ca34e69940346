import { canonicalHost, checkTargetUrl, type OutboundTargetPolicy } from '../activities/webhooks/target-policy';

/**
 * WEBHOOK_ALLOW_INSECURE_TARGETS: the hosts status and chat webhooks may reach over plain http: and on
 * private addresses. It exists for the test receivers on 127.0.0.1 and local development; a production
 * process refuses to start with it, so the exception cannot leak into a deployment by accident.
 */
export function outboundTargetsFrom(env: { NODE_ENV?: string; WEBHOOK_ALLOW_INSECURE_TARGETS?: string; ALERT_WEBHOOK_URL?: string }): OutboundTargetPolicy {
  const entries = (env.WEBHOOK_ALLOW_INSECURE_TARGETS ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  if (entries.length > 0 && env.NODE_ENV === 'production') {
    throw new Error('WEBHOOK_ALLOW_INSECURE_TARGETS must be empty when NODE_ENV=production (webhooks go to https: public addresses only)');
  }
  const insecureHosts = entries.map((entry) => {
    // A bare host only: a scheme, port, path or wildcard would widen the exception beyond what it says.
    const host = /^[\w.-]+$|^\[[0-9a-f:.]+\]$/i.test(entry) ? canonicalHost(entry) : null;
    if (!host) throw new Error(`WEBHOOK_ALLOW_INSECURE_TARGETS: "${entry}" is not a host name or IP address`);
    return host;
  });
  const policy: OutboundTargetPolicy = { insecureHosts };
  if (env.ALERT_WEBHOOK_URL) {
    const checked = checkTargetUrl(env.ALERT_WEBHOOK_URL, policy);
    if (!checked.ok) throw new Error(`ALERT_WEBHOOK_URL: ${checked.reason}`);
  }
  return policy;
}
