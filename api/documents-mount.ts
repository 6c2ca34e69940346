import type { Express } from 'express';
import type { ApiDeps } from './app';
import { correctionRoutes } from './corrections/routes';
import type { InvoiceService } from './invoice-service';
import { offlineRoutes } from './offline/routes';
import { importRoutes } from './imports/routes';

/**
 * Corrections (chain, cancel by correction), offline details, attachments and purchase imports.
 * Mounted before the registry: its generic /:id/actions/:action route would answer 404 for ours.
 */
export function mountDocumentRoutes(app: Express, deps: ApiDeps, service: InvoiceService): void {
  app.use('/api/v1/invoices', correctionRoutes({ prisma: deps.prisma, service }));
  app.use('/api/v1/invoices', offlineRoutes({ prisma: deps.prisma }));
  app.use('/api/v1/imports', importRoutes({ prisma: deps.prisma, temporal: deps.temporal, taskQueue: deps.taskQueue }));
}
