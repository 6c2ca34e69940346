import type { Invoice, InvoiceType } from '../../domain/invoice';
import { fromGrosze } from '../../domain/money';
import { declaredOrImpliedGross } from '../../domain/validation/amounts';

/**
 * "Cancelling" an invoice KSeF already holds: the law allows no deletion, only a correcting invoice
 * to zero that cites the original's KSeF number. Every original line appears as it was (StanPrzed)
 * and again with quantity and value zero, so the totals carry minus the original.
 */
const CORRECTION_OF: Partial<Record<InvoiceType, InvoiceType>> = { VAT: 'KOR', UPR: 'KOR', ZAL: 'KOR_ZAL', ROZ: 'KOR_ROZ' };

export function canCancelByCorrection(type: InvoiceType): boolean {
  return type in CORRECTION_OF;
}

export function cancellingCorrection(
  original: Invoice,
  originalKsefNumber: string,
  options: { invoiceNumber: string; issueDate: string; reason: string },
): Invoice {
  const type = CORRECTION_OF[original.type];
  if (!type) throw new Error(`KSEFOPS_CANCEL_NOT_SUPPORTED: ${original.type}`);
  const before = original.lines.filter((l) => !l.beforeCorrection).map((l) => ({ ...l, beforeCorrection: true }));
  const after = before.map(({ beforeCorrection: _b, ...l }) => ({ ...l, quantity: '0', netAmount: '0.00' }));
  // The correction is issued online now, whatever the original was.
  const { grossAmount: _gross, payment: _payment, offline: _offline, ...rest } = original;
  return {
    ...rest,
    type,
    invoiceNumber: options.invoiceNumber,
    issueDate: options.issueDate,
    saleDate: original.saleDate,
    lines: [...before, ...after],
    // Declared, so P_15 and the registry both show minus the original's total (after − before).
    grossAmount: fromGrosze(-declaredOrImpliedGross(original)),
    correction: {
      reason: options.reason,
      effect: '1',
      correctedInvoices: [{ issueDate: original.issueDate, number: original.invoiceNumber, ksefNumber: originalKsefNumber }],
    },
  };
}
