import { ACTION_NAMES } from '../registry/actions';
import type { Action } from './matrix';

/**
 * Every request is mapped to one matrix action (or public / any signed-in caller) here, before any
 * route runs — so a route cannot forget its check. Unlisted read-only API paths need a person
 * (registry.read); unlisted writes are refused until they are added to this table.
 */
export type Requirement = { kind: 'public' } | { kind: 'authenticated' } | { kind: 'action'; action: Action } | { kind: 'not-in-matrix' };

const pub = { kind: 'public' } as const;
const anyone = { kind: 'authenticated' } as const;
const act = (action: Action) => ({ kind: 'action', action }) as const;
const read = (m: string) => m === 'GET' || m === 'HEAD';

export function requirementOf(method: string, path: string): Requirement {
  const m = method.toUpperCase();
  if (!path.startsWith('/api/')) return pub; // health, metrics, the UI shell: the UI's data comes from /api
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/api/v1/auth/login') return pub;
  if (p.startsWith('/api/v1/auth/')) return anyone;
  if (p === '/api/v1/invoices') return m === 'POST' ? act('invoice.submit') : read(m) ? act('invoice.list') : { kind: 'not-in-matrix' };
  // Cancelling an invoice KSeF holds means issuing a correction to zero: the same people as "cancel".
  if (/^\/api\/v1\/invoices\/[^/]+\/actions\/cancel-by-correction$/.test(p)) return act('invoice.cancel');
  const action = /^\/api\/v1\/invoices\/[^/]+\/actions\/([^/]+)$/.exec(p);
  if (action) {
    const name = action[1] as (typeof ACTION_NAMES)[number];
    // An unknown action name reaches the route, which answers 404 UNKNOWN_ACTION.
    return ACTION_NAMES.includes(name) ? act(`invoice.${name}` as Action) : anyone;
  }
  if (/^\/api\/v1\/invoices\/[^/]+(\/[^/]+)?$/.test(p) && read(m)) return act('invoice.read');
  if (p.startsWith('/api/v1/dashboard') && read(m)) return act('dashboard.read');
  // Writes to the audit log are answered 405 by its route: append-only, whoever asks.
  if (p.startsWith('/api/v1/audit')) return read(m) ? act('audit.read') : anyone;
  // A fresh counterparty audit recomputes a report and changes no data: whoever may read reports may run it.
  if (p === '/api/v1/reports/counterparties/run' && m === 'POST') return act('reports.read');
  if (p.startsWith('/api/v1/reports/') && read(m)) return act('reports.read');
  if (p.startsWith('/api/v1/counterparties')) return act(read(m) ? 'counterparties.read' : 'counterparties.manage');
  if (p.startsWith('/api/v1/imports')) return read(m) ? act('registry.read') : act('imports.manage');
  if (p.startsWith('/api/v1/attachments')) return read(m) ? act('registry.read') : act('attachments.manage');
  if (p.startsWith('/api/v1/alerts') && read(m)) return act('alerts.read');
  if (p.startsWith('/api/v1/users')) return act('users.manage');
  if (p.startsWith('/api/v1/api-keys')) return act('api-keys.manage');
  if (p.startsWith('/api/v1/responsibility-rules')) return act(read(m) ? 'responsibility.read' : 'responsibility.manage');
  if (p.startsWith('/api/v1/approval-rules')) return act(read(m) ? 'rules.read' : 'rules.manage');
  if (p.startsWith('/api/v1/webhooks')) return act(read(m) ? 'webhooks.read' : 'webhooks.manage');
  return read(m) ? act('registry.read') : { kind: 'not-in-matrix' };
}
