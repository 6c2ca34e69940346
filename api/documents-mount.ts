import type { Express } from 'express';
import type { ApiDeps } from './app';
import { correctionRoutes } from './corrections/routes';
import type { InvoiceService } from './invoice-service';
import { offlineRoutes } from './offline/routes';
import { importRoutes } from './imports/routes';
import { attachmentRoutes, invoiceAttachmentRoutes } from './attachments/routes';
import type { UploadLimits } from './attachments/upload';
import { LocalFolderStorage, type BlobStorage } from '../storage';
import path from 'node:path';

export interface AttachmentSettings {
  storage: BlobStorage;
  limits: UploadLimits;
}

/** PDFs, images, office documents, XML/CSV/text and zip; 10 MB — overridable per installation. */
export const DEFAULT_ATTACHMENT_LIMITS: UploadLimits = {
  maxBytes: 10 * 1024 * 1024,
  contentTypes: [
    'application/pdf',
    'image/png',
    'image/jpeg',
    'application/xml',
    'text/xml',
    'text/csv',
    'text/plain',
    'application/zip',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ],
};

/**
 * Corrections (chain, cancel by correction), offline details, attachments and purchase imports.
 * Mounted before the registry: its generic /:id/actions/:action route would answer 404 for ours.
 */
export function mountDocumentRoutes(app: Express, deps: ApiDeps & { attachments?: Partial<AttachmentSettings> }, service: InvoiceService): void {
  const attachments: AttachmentSettings = {
    storage: deps.attachments?.storage ?? new LocalFolderStorage(path.resolve(__dirname, '..', '.data')),
    limits: { ...DEFAULT_ATTACHMENT_LIMITS, ...deps.attachments?.limits },
  };
  app.use('/api/v1/attachments', attachmentRoutes({ prisma: deps.prisma, ...attachments }));
  app.use('/api/v1/invoices', invoiceAttachmentRoutes({ prisma: deps.prisma }));
  app.use('/api/v1/invoices', correctionRoutes({ prisma: deps.prisma, service }));
  app.use('/api/v1/invoices', offlineRoutes({ prisma: deps.prisma }));
  app.use('/api/v1/imports', importRoutes({ prisma: deps.prisma, temporal: deps.temporal, taskQueue: deps.taskQueue }));
}
