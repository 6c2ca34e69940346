import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { InvoiceInput } from '../../domain/invoice';
import { nipWithChecksum } from '../../domain/nip';
import { warsawDateOf } from '../../domain/business-days';
import { ROOT } from './infra';

const EXAMPLE = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'invoice.json'), 'utf8')) as InvoiceInput;

/** Today in Warsaw: KSeF rejects an issue date after the day of receipt. */
function today(): string {
  return warsawDateOf(new Date());
}

/** The README's example invoice for `sellerNip`, numbered `<prefix><i>`. */
export function benchInvoice(sellerNip: string, prefix: string, i: number): InvoiceInput {
  const issueDate = today();
  const invoice = structuredClone(EXAMPLE);
  return {
    ...invoice,
    invoiceNumber: `${prefix}${String(i).padStart(6, '0')}`,
    issueDate,
    seller: { ...invoice.seller, nip: sellerNip },
    payment: invoice.payment ? { ...invoice.payment, dueDate: issueDate } : invoice.payment,
  };
}

/** Distinct valid seller NIPs per measurement: KSeF limits and dispatchers are per seller. */
export function sellerNips(block: number, count: number): string[] {
  const out: string[] = [];
  for (let n = 0; out.length < count; n++) {
    const nip = nipWithChecksum(String(731000000 + block * 1000 + n));
    if (nip) out.push(nip);
  }
  return out;
}
