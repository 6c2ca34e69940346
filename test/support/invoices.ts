import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { InvoiceInput } from '../../domain/invoice';

const EXAMPLE = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'examples', 'invoice.json'), 'utf8')) as InvoiceInput;

/** The README's example invoice with a unique number (and any overrides), ready to submit. */
export function sampleInvoice(overrides: Partial<InvoiceInput> = {}): InvoiceInput {
  return structuredClone({ ...EXAMPLE, invoiceNumber: `FV/TEST/${randomUUID().slice(0, 13)}`, ...overrides });
}

export const SELLER_NIP = '5260001246';
