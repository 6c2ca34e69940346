import { createHash } from 'node:crypto';
import type { Invoice } from './invoice';

/**
 * The invoice workflow id is derived from what identifies an invoice for its source system, so
 * the same submission always maps to the same workflow: that is what makes submit idempotent.
 * Number characters outside [A-Za-z0-9._-] are percent-encoded to keep the id readable and unique.
 */
export function invoiceWorkflowId(sellerNip: string, sourceSystem: string, invoiceNumber: string): string {
  const safeNumber = invoiceNumber.replace(/[^A-Za-z0-9._-]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  return `invoice-${sellerNip}-${sourceSystem}-${safeNumber}`;
}

export function workflowIdOf(invoice: Invoice): string {
  return invoiceWorkflowId(invoice.seller.nip, invoice.sourceSystem, invoice.invoiceNumber);
}

/** Stable fingerprint of the invoice content: same content → same hash, regardless of key order. */
export function contentHash(invoice: Invoice): string {
  return createHash('sha256').update(canonicalJson(invoice)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The registry row id: a UUID derived from the workflow id, so API and workflow agree without a lookup. */
export function registryIdFor(workflowId: string): string {
  const h = createHash('sha256').update(workflowId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
