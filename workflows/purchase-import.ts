/**
 * Import of purchase invoices for one buyer NIP: run by a Temporal Schedule every N minutes
 * (incremental from the stored high-water mark) or started on demand for a backfill range.
 * A failure alerts the responsible person and fails the run; the next scheduled run starts again
 * from the last complete mark.
 */
import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ImportActivities, ImportResult } from '../activities/imports';
import type { LifecycleActivities } from '../activities';
import { activityOptions } from './retry-policies';

export interface PurchaseImportInput {
  buyerNip: string;
  /** Backfill range (ISO); absent = incremental. */
  from?: string;
  to?: string;
}

export async function purchaseImportWorkflow(input: PurchaseImportInput): Promise<ImportResult> {
  const imports = proxyActivities<ImportActivities>(activityOptions('purchaseImport'));
  const local = proxyActivities<LifecycleActivities>(activityOptions('importAlert'));
  try {
    return await imports.importPurchaseInvoices({ buyerNip: input.buyerNip, from: input.from, to: input.to, importedBy: workflowInfo().workflowId });
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    await local.raiseAlert({
      kind: 'retries-exhausted',
      registryId: null,
      invoiceNumber: null,
      sellerNip: null,
      sourceSystem: 'ksef-import',
      errorCode: 'PURCHASE_IMPORT_FAILED',
      reason: `Import of purchase invoices for buyer ${input.buyerNip} failed: ${reason}`,
      escalationLevel: 0,
      details: { buyerNip: input.buyerNip, from: input.from, to: input.to },
    });
    throw ApplicationFailure.create({ type: 'PURCHASE_IMPORT_FAILED', message: reason, nonRetryable: true });
  }
}
