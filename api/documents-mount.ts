import type { Express } from 'express';
import type { ApiDeps } from './app';
import { correctionRoutes } from './corrections/routes';
import type { InvoiceService } from './invoice-service';
import { offlineRoutes } from './offline/routes';
import { importRoutes } from './imports/routes';
import { attachmentRoutes, invoiceAttachmentRoutes } from './attachments/routes';
import type { UploadLimits } from './attachments/upload';
import { createBlobStorage, type BlobStorage } from '../storage';
import { loadConfig, type AppConfig } from '../config';

export interface AttachmentSettings {
  storage: BlobStorage;
  limits: UploadLimits;
}

/** The configured limits and storage (config/index.ts: ATTACHMENTS_*). */
export function attachmentSettingsFrom(config: AppConfig['attachments']): AttachmentSettings {
  return { storage: createBlobStorage(config.storage), limits: { maxBytes: config.maxBytes, contentTypes: config.contentTypes } };
}

/**
 * Corrections (chain, cancel by correction), offline details, attachments and purchase imports.
 * Mounted before the registry: its generic /:id/actions/:action route would answer 404 for ours.
 */
export function mountDocumentRoutes(app: Express, deps: ApiDeps, service: InvoiceService): void {
  // Processes pass their configuration in; an app built without it (tests, tools) reads the environment.
  const configured = deps.attachments?.storage && deps.attachments.limits ? null : attachmentSettingsFrom(loadConfig().attachments);
  const attachments: AttachmentSettings = {
    storage: deps.attachments?.storage ?? configured!.storage,
    limits: deps.attachments?.limits ?? configured!.limits,
  };
  app.use('/api/v1/attachments', attachmentRoutes({ prisma: deps.prisma, ...attachments }));
  app.use('/api/v1/invoices', invoiceAttachmentRoutes({ prisma: deps.prisma }));
  app.use('/api/v1/invoices', correctionRoutes({ prisma: deps.prisma, service }));
  app.use('/api/v1/invoices', offlineRoutes({ prisma: deps.prisma }));
  app.use('/api/v1/imports', importRoutes({ prisma: deps.prisma, temporal: deps.temporal, taskQueue: deps.taskQueue }));
}
