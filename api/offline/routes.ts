import { Router } from 'express';
import type { PrismaClient } from '../../prisma/client';
import { ProblemError } from '../problem';
import { loadInvoice } from '../routes/registry';

/** An offline invoice's mode, legal deadline and QR codes (KOD I, KOD II) for the visualisation. */
export function offlineRoutes(deps: { prisma: PrismaClient }): Router {
  const router = Router();
  router.get('/:id/offline', async (req, res) => {
    const row = await loadInvoice(deps.prisma, req.params.id);
    const offline = await deps.prisma.offlineInvoice.findUnique({ where: { registryId: row.id } });
    if (!offline) throw new ProblemError(404, 'KSEFOPS_NOT_OFFLINE', 'Not an offline invoice', `Invoice ${row.invoiceNumber} was not issued offline.`);
    res.json({
      id: row.id,
      invoiceNumber: row.invoiceNumber,
      status: row.status,
      step: row.step,
      mode: offline.mode,
      reason: offline.reason,
      deadline: offline.deadline.toISOString(),
      alertAt: offline.alertAt.toISOString(),
      deadlineAlertedAt: offline.deadlineAlertedAt?.toISOString() ?? null,
      deadlineMissedAt: offline.deadlineMissedAt?.toISOString() ?? null,
      sentAt: offline.sentAt?.toISOString() ?? null,
      ksefNumber: row.ksefNumber,
      qr: {
        kodI: { url: offline.qrCodeI, label: row.ksefNumber ?? offline.qrLabel },
        kodII: offline.qrCodeII ? { url: offline.qrCodeII, label: 'CERTYFIKAT' } : null,
      },
      technicalCorrectionOf: offline.technicalCorrectionOf,
    });
  });
  return router;
}
