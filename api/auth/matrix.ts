import type { RoleName } from '../../prisma/access-repository';
import type { Principal } from './principal';

/**
 * The authorisation matrix: action → roles allowed. The one table the API consults (per route,
 * api/auth/route-policy.ts) and the one the docs and the matrix test print. Separation of duties:
 * who corrects does not approve, who approves does not correct; admins manage access, not invoices.
 */
export const PERMISSIONS = {
  'invoice.submit': ['sender'],
  'invoice.read': ['sender', 'corrector', 'monitor', 'approver', 'admin'],
  'invoice.list': ['corrector', 'monitor', 'approver', 'admin'],
  'dashboard.read': ['corrector', 'monitor', 'approver', 'admin'],
  'invoice.correct': ['corrector'],
  'invoice.force-retry': ['corrector'],
  'invoice.request-manual-exception': ['corrector'],
  'invoice.approve-manual-exception': ['approver'],
  'invoice.approve': ['approver'],
  'invoice.reject-approval': ['approver'],
  'invoice.cancel': ['corrector', 'approver'],
  'audit.read': ['monitor', 'admin'],
  'reports.read': ['monitor', 'approver', 'admin'],
  'alerts.read': ['monitor', 'admin'],
  'users.manage': ['admin'],
  'api-keys.manage': ['admin'],
  'responsibility.read': ['monitor', 'admin'],
  'responsibility.manage': ['admin'],
  'rules.read': ['approver', 'monitor', 'admin'],
  'rules.manage': ['admin'],
  'webhooks.read': ['monitor', 'admin'],
  'webhooks.manage': ['admin'],
  /** Purchase-invoice import state and backfills: operations (monitor) and admins, not invoice editors. */
  'imports.manage': ['monitor', 'admin'],
  /** Documents travel with invoices from source systems (API keys) and from finance (correctors). */
  'attachments.manage': ['sender', 'corrector'],
  'counterparties.read': ['sender', 'corrector', 'monitor', 'approver', 'admin'],
  /** Master data comes from source systems (API keys) and is fixed by finance (correctors). */
  'counterparties.manage': ['sender', 'corrector'],
  /** Read-only API endpoints not named above (new registry views): every person, no source system. */
  'registry.read': ['corrector', 'monitor', 'approver', 'admin'],
} as const satisfies Record<string, readonly RoleName[]>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

export function rolesFor(action: Action): readonly RoleName[] {
  return PERMISSIONS[action];
}

export function can(principal: Pick<Principal, 'roles'>, action: Action): boolean {
  const allowed: readonly RoleName[] = PERMISSIONS[action];
  return principal.roles.some((r) => allowed.includes(r));
}
