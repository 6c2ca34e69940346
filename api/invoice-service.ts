import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { contentHash, registryIdFor, workflowIdOf } from '../domain/identity';
import type { Invoice } from '../domain/invoice';
import { toGrosze } from '../domain/money';
import { grossTotal } from '../domain/totals';
import type { PrismaClient } from '../prisma/client';
import { findKsefDuplicate, recordSubmission } from '../prisma/invoice-registry';
import { GrossAmountKey, InvoiceTypeKey, KsefStatusKey, SellerNipKey, SourceSystemKey } from '../infra/search-attributes';
import type { InvoiceWorkflowInput, LifecycleSettings } from '../workflows/contracts';
import { ProblemError } from './problem';

export interface SubmitResult {
  id: string;
  workflowId: string;
  created: boolean;
}

/**
 * The one control point: every source system submits here. The registry row is the gate (one row
 * per seller + source system + number, and one per KSeF duplicate key across all source systems),
 * the workflow id is derived from the first triple, so a repeat is harmless and a conflicting
 * repeat or another system's use of the same number is refused.
 */
export class InvoiceService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly settings: LifecycleSettings,
  ) {}

  async submit(invoice: Invoice, submittedBy: string): Promise<SubmitResult> {
    const workflowId = workflowIdOf(invoice);
    const id = registryIdFor(workflowId);
    const hash = contentHash(invoice);

    // The insert is the gate: a new invoice costs one statement; only a repeat reads the row it met.
    const receivedAt = new Date();
    const created = await recordSubmission(this.prisma, { id, workflowId, invoice, contentHash: hash, receivedAt });
    let submittedAt = receivedAt;
    if (!created) {
      const row = await this.prisma.invoice.findUnique({ where: { id }, select: { contentHash: true, receivedAt: true } });
      if (!row) {
        // Not our own row: KSeF's duplicate key (seller + type + number, any source system) blocked the insert.
        const other = await findKsefDuplicate(this.prisma, invoice);
        if (other) throw duplicate(invoice, other);
        // The row that blocked the insert is gone again: a concurrent submission whose workflow start failed.
        throw new ProblemError(503, 'SUBMISSION_RACE', 'Service unavailable', 'The same invoice was being submitted concurrently and that attempt failed; nothing was stored. Retry the same request.');
      }
      // A different invoice under the same number (or two different submissions raced and the other won).
      if (row.contentHash !== hash) throw conflict(invoice, id);
      submittedAt = row.receivedAt;
    }

    const input: InvoiceWorkflowInput = {
      registryId: id,
      invoice,
      contentHash: hash,
      submittedBy,
      submittedAt: submittedAt.toISOString(),
      settings: this.settings,
    };
    try {
      await this.temporal.workflow.start('invoiceLifecycleWorkflow', {
        workflowId,
        taskQueue: this.taskQueue,
        args: [input],
        // A repeat of the same submission joins the running workflow; a closed one is not restarted.
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        memo: { contentHash: hash, registryId: id },
        typedSearchAttributes: new TypedSearchAttributes([
          { key: KsefStatusKey, value: 'RECEIVED' },
          { key: SourceSystemKey, value: invoice.sourceSystem },
          { key: SellerNipKey, value: invoice.seller.nip },
          { key: InvoiceTypeKey, value: invoice.type },
          { key: GrossAmountKey, value: Number(toGrosze(invoice.grossAmount ?? '0') || grossTotal(invoice)) / 100 },
        ]),
      });
    } catch (error) {
      if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') return { id, workflowId, created: false };
      // Nothing may stay half-written: a row we just created without its workflow is removed.
      if (created) await this.prisma.invoice.deleteMany({ where: { id, status: 'RECEIVED' } });
      throw new ProblemError(503, 'WORKFLOW_START_FAILED', 'Service unavailable', 'The invoice could not be handed to the workflow engine; nothing was stored. Retry the same request.');
    }
    return { id, workflowId, created };
  }
}

/**
 * KSeF refuses a second invoice with the same seller NIP + RodzajFaktury + P_2 whoever sends it
 * (KSEF-API-FACTS.md §10), so the control point refuses it first: one accepted invoice per key
 * instead of a 440 for one source system after its invoice waited in a queue. Names the invoice
 * that holds the key, so the two source systems' owners can tell which one is real.
 */
function duplicate(invoice: Invoice, other: { id: string; sourceSystem: string; status: string; invoiceNumber: string }): ProblemError {
  return new ProblemError(
    409,
    'INVOICE_DUPLICATE',
    'Invoice number already used for this seller',
    `Invoice ${invoice.type} ${JSON.stringify(invoice.invoiceNumber)} of seller ${invoice.seller.nip} is already invoice ${other.id} from source system "${other.sourceSystem}" (status ${other.status}). ` +
      'KSeF accepts one invoice per seller NIP, invoice type and number (spaces compared as KSeF does), whichever system sends it; nothing was stored. ' +
      'If this is a different invoice, give it its own number; if it is the same one, only one system should send it.',
    {
      existingId: other.id,
      existingSourceSystem: other.sourceSystem,
      existingStatus: other.status,
      errors: [{ path: ['invoiceNumber'], field: 'invoiceNumber', code: 'INVOICE_DUPLICATE', message: `already used by invoice ${other.id} from source system "${other.sourceSystem}" (${other.status})` }],
    },
  );
}

function conflict(invoice: Invoice, id: string): ProblemError {
  return new ProblemError(
    409,
    'INVOICE_CONFLICT',
    'Invoice number already used with different content',
    `Invoice ${invoice.invoiceNumber} from source system "${invoice.sourceSystem}" for seller ${invoice.seller.nip} was already submitted with different content. ` +
      'To change data before it is accepted, submit a correction through POST /api/v1/invoices/{id}/actions/correct; ' +
      'to change an invoice already accepted by KSeF, issue a correcting invoice (type KOR) with its own number that references the original.',
    { existingId: id, errors: [{ path: ['invoiceNumber'], field: 'invoiceNumber', code: 'INVOICE_CONFLICT', message: 'already submitted with different content' }] },
  );
}
