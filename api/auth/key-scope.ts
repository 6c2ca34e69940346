import type { Principal } from './principal';

export type KeyPrincipal = Extract<Principal, { kind: 'api-key' }>;

/**
 * The one rule for what a source system's key may see of the registry: invoices of its own source
 * system and seller NIPs. Everything hanging off an invoice (attachments) follows it, and whatever
 * it may not see answers exactly like something that does not exist.
 */
export function keySeesInvoice(key: KeyPrincipal, invoice: { sourceSystem: string; sellerNip: string }): boolean {
  return invoice.sourceSystem === key.sourceSystem && key.sellerNips.includes(invoice.sellerNip);
}
