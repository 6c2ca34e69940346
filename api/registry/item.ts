import type { RegistryRow } from '../../prisma/registry-list';
import { statusGroupOf } from './list-query';

/** One registry row as the API shows it: plain JSON types, amounts as decimal strings, age in seconds. */
export function registryItem(row: RegistryRow, now = Date.now()) {
  return {
    id: row.id,
    invoiceNumber: row.invoiceNumber,
    status: row.status,
    statusGroup: statusGroupOf(row.status),
    step: row.step,
    direction: row.direction,
    sourceSystem: row.sourceSystem,
    type: row.invoiceType,
    sellerNip: row.sellerNip,
    sellerName: row.sellerName,
    buyerIdentifier: row.buyerIdentifier,
    buyerName: row.buyerName,
    issueDate: row.issueDate.toISOString().slice(0, 10),
    grossAmount: row.grossAmount.toFixed(2),
    currency: row.currency,
    ksefNumber: row.ksefNumber,
    rejectionCode: row.rejectionCode,
    rejectionReason: row.rejectionReason,
    nextAction: row.nextAction,
    owner: row.owner,
    attempts: row.attempts,
    receivedAt: row.receivedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    acceptedAt: row.acceptedAt?.toISOString() ?? null,
    ageSeconds: Math.max(0, Math.round((now - row.receivedAt.getTime()) / 1000)),
  };
}
export type RegistryItem = ReturnType<typeof registryItem>;
