import { Router } from 'express';
import { z } from 'zod';
import { checkedText } from '../../domain/text';
import { warsawDateOf } from '../../domain/business-days';
import { IsoDateSchema, type Invoice } from '../../domain/invoice';
import { validateInvoiceInput } from '../../domain/validation';
import { appendAudit } from '../../prisma/invoice-registry';
import type { PrismaClient } from '../../prisma/client';
import { actorOf } from '../actor';
import type { InvoiceService } from '../invoice-service';
import { ProblemError } from '../problem';
import { loadInvoice } from '../routes/registry';
import { parseOrProblem } from '../validation';
import { canCancelByCorrection, cancellingCorrection } from './cancel';
import { invoiceChain } from './chain';

export const CancelBody = z
  .object({
    invoiceNumber: checkedText(z.string().min(1).max(256)).optional(),
    issueDate: IsoDateSchema.optional(),
    reason: checkedText(z.string().min(1).max(256)).default('Anulowanie faktury (korekta do zera)'),
  })
  .strict();

/** Chain view and cancellation by correction; mounted at /api/v1/invoices before the generic actions. */
export function correctionRoutes(deps: { prisma: PrismaClient; service: InvoiceService }): Router {
  const router = Router();

  router.get('/:id/chain', async (req, res) => {
    const row = await loadInvoice(deps.prisma, req.params.id);
    res.json(await invoiceChain(deps.prisma, row.id));
  });

  router.post('/:id/actions/cancel-by-correction', async (req, res) => {
    const row = await loadInvoice(deps.prisma, req.params.id);
    const body = parseOrProblem(CancelBody, req.body ?? {}, 'cancellation request');
    const original = row.payload as unknown as Invoice;
    if (row.direction !== 'OUTGOING') throw refuse(`Invoice ${row.invoiceNumber} is a purchase invoice; only its seller can correct it.`);
    if (row.status !== 'ACCEPTED' || !row.ksefNumber) {
      throw refuse(`Invoice ${row.invoiceNumber} is ${row.status}: only an invoice accepted by KSeF is cancelled by a correction (before that, use the "cancel" action).`);
    }
    if (!canCancelByCorrection(original.type)) {
      throw refuse(`A ${original.type} invoice is not cancelled as a whole: issue a correction of the invoice it corrects instead.`);
    }
    const correction = cancellingCorrection(original, row.ksefNumber, {
      invoiceNumber: body.invoiceNumber ?? `${original.invoiceNumber}/ANUL`,
      issueDate: body.issueDate ?? warsawDateOf(new Date()),
      reason: body.reason,
    });
    const checked = await validateInvoiceInput(correction, { today: warsawDateOf(new Date()), xsd: false });
    const errors = checked.issues.filter((i) => i.severity === 'error');
    if (errors.length > 0 || !checked.invoice) {
      throw new ProblemError(422, 'CANCEL_CORRECTION_INVALID', 'The cancelling correction is not valid', errors.map((e) => `${e.field}: ${e.message.en}`).join('; '), {
        errors: errors.map((e) => ({ path: e.path, field: e.field, code: e.code, message: e.message.en })),
      });
    }
    const by = actorOf(req);
    const result = await deps.service.submit(checked.invoice, by);
    await appendAudit(deps.prisma, {
      actor: by,
      action: 'invoice.cancel-by-correction',
      targetType: 'invoice',
      targetId: row.id,
      result: result.created ? 'submitted' : 'already-submitted',
      details: { correctionId: result.id, correctionNumber: checked.invoice.invoiceNumber, ksefNumber: row.ksefNumber },
    });
    res
      .status(result.created ? 202 : 200)
      .location(`/api/v1/invoices/${result.id}`)
      .json({ id: result.id, workflowId: result.workflowId, created: result.created, invoiceNumber: checked.invoice.invoiceNumber, corrects: row.id });
  });

  return router;
}

function refuse(detail: string): ProblemError {
  return new ProblemError(409, 'KSEFOPS_CANCEL_NOT_POSSIBLE', 'Cancellation by correction not possible', detail);
}
