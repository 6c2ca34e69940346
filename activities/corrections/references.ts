/**
 * The correction checklist's I/O: resolve what a correcting (KOR, KOR_ZAL, KOR_ROZ) or settlement
 * (ROZ) invoice refers to, store the links, and tell the workflow whether it may go on. The
 * workflow decides; this module only reports facts and suggested completions.
 */
import type { Invoice } from '../../domain/invoice';
import { declaredOrImpliedGross, toPlnGrosze } from '../../domain/validation/amounts';
import { fromGrosze, toGrosze } from '../../domain/money';
import type { PrismaClient } from '../../prisma/client';

export type LinkKind = 'CORRECTS' | 'SETTLES';

export interface ReferenceCheck {
  /** Referenced invoices the registry knows that KSeF has not accepted yet: the correction waits. */
  waitingFor: Array<{ number: string; registryId: string; status: string }>;
  /** The invoice with KSeF numbers filled in from the registry (the law wants the number once known); null = unchanged. */
  completed: Invoice | null;
  /** Set when a person must release the invoice (edge cases of the checklist). */
  approvalReason: string | null;
  /** A reference that can never be satisfied: the invoice goes to triage. */
  refusal: { code: string; reason: string } | null;
}

interface Ref {
  kind: LinkKind;
  index: number;
  number: string;
  issueDate?: string;
  ksefNumber?: string;
  issuedOutsideKsef?: boolean;
}

export function referencesOf(invoice: Invoice): Ref[] {
  const corrected = (invoice.correction?.correctedInvoices ?? []).map((r, index): Ref => ({ kind: 'CORRECTS', index, ...r }));
  const advances = (invoice.advanceInvoices ?? []).map((r, index): Ref => ({ kind: 'SETTLES', index, ...r }));
  return [...corrected, ...advances];
}

export async function checkInvoiceReferences(
  prisma: PrismaClient,
  input: { registryId: string; invoice: Invoice; approvalThresholdGross: string | null },
): Promise<ReferenceCheck> {
  const { invoice } = input;
  const result: ReferenceCheck = { waitingFor: [], completed: null, approvalReason: null, refusal: null };
  const completed: Invoice = structuredClone(invoice);
  const approvals: string[] = [];
  let correctedGross = 0n;

  for (const ref of referencesOf(invoice)) {
    const target = await findTarget(prisma, invoice, ref);
    await prisma.invoiceLink.upsert({
      where: { fromId_kind_targetNumber: { fromId: input.registryId, kind: ref.kind, targetNumber: ref.number } },
      create: {
        fromId: input.registryId,
        kind: ref.kind,
        targetNumber: ref.number,
        targetIssueDate: ref.issueDate ? new Date(`${ref.issueDate}T00:00:00Z`) : null,
        targetKsefNumber: ref.ksefNumber ?? target?.ksefNumber ?? null,
        targetId: target?.id ?? null,
      },
      update: { targetKsefNumber: ref.ksefNumber ?? target?.ksefNumber ?? null, targetId: target?.id ?? null },
    });
    const what = ref.kind === 'CORRECTS' ? 'corrected invoice' : 'advance invoice';
    if (target?.status === 'CANCELLED') {
      result.refusal = { code: 'CORRECTION_ORIGINAL_CANCELLED', reason: `The ${what} ${ref.number} was cancelled before it reached KSeF; there is nothing to correct or settle.` };
      return result;
    }
    if (target && target.status === 'ACCEPTED' && target.ksefNumber) {
      if (ref.ksefNumber && ref.ksefNumber !== target.ksefNumber) {
        result.refusal = {
          code: 'CORRECTION_KSEF_NUMBER_MISMATCH',
          reason: `The ${what} ${ref.number} has KSeF number ${target.ksefNumber}, but the reference gives ${ref.ksefNumber}.`,
        };
        return result;
      }
      if (!ref.ksefNumber) fillKsefNumber(completed, ref, target.ksefNumber);
    } else if (target && target.status !== 'MANUAL_EXCEPTION' && target.direction === 'OUTGOING') {
      // Ours and on its way to KSeF (queued, offline, in triage): a correction must cite its KSeF number.
      result.waitingFor.push({ number: ref.number, registryId: target.id, status: target.status });
    } else if (ref.issuedOutsideKsef) {
      approvals.push(`${what} ${ref.number} was issued outside KSeF`);
    }
    if (ref.kind === 'CORRECTS' && target) correctedGross += toGrosze(target.grossAmount.toFixed(2));
  }

  // A correction that raises the amount above the approval threshold needs the same approval as a big invoice.
  if (input.approvalThresholdGross && invoice.correction) {
    const delta = declaredOrImpliedGross(invoice);
    const deltaPln = toPlnGrosze(delta, invoice) ?? delta;
    const threshold = toGrosze(input.approvalThresholdGross);
    if (deltaPln > 0n && correctedGross + deltaPln >= threshold) {
      approvals.push(`the correction raises the amount by ${fromGrosze(deltaPln)} PLN to ${fromGrosze(correctedGross + deltaPln)} PLN, at or above the approval threshold of ${input.approvalThresholdGross} PLN`);
    }
  }
  if (approvals.length > 0) result.approvalReason = `Correction checklist: ${approvals.join('; ')}`;
  if (JSON.stringify(completed) !== JSON.stringify(invoice)) result.completed = completed;
  return result;
}

async function findTarget(prisma: PrismaClient, invoice: Invoice, ref: Ref) {
  const select = { id: true, status: true, ksefNumber: true, direction: true, grossAmount: true } as const;
  if (ref.ksefNumber) {
    const byKsef = await prisma.invoice.findUnique({ where: { ksefNumber: ref.ksefNumber }, select });
    if (byKsef) return byKsef;
  }
  // Number + seller, preferring the same source system (numbers are unique per source system).
  const candidates = await prisma.invoice.findMany({
    where: { sellerNip: invoice.seller.nip, invoiceNumber: ref.number },
    select: { ...select, sourceSystem: true },
  });
  return candidates.find((c) => c.sourceSystem === invoice.sourceSystem) ?? candidates[0] ?? null;
}

function fillKsefNumber(invoice: Invoice, ref: Ref, ksefNumber: string) {
  const target = ref.kind === 'CORRECTS' ? invoice.correction!.correctedInvoices[ref.index] : invoice.advanceInvoices![ref.index];
  target.ksefNumber = ksefNumber;
  delete target.issuedOutsideKsef;
}
