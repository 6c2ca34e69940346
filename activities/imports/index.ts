/**
 * Purchase invoices from KSeF (we are the buyer, Subject2): an incremental metadata query on the
 * permanent-storage date from the stored high-water mark, download of every invoice not seen
 * before (dedupe by KSeF number), a registry row with direction INCOMING, then the new mark.
 * Idempotent: a retried or repeated run finds the same invoices and skips them.
 */
import { Context } from '@temporalio/activity';
import { registryIdFor } from '../../domain/identity';
import { readFa3Summary } from '../../fa3/parse';
import type { InvoiceMetadata } from '../../ksef-client/api-types';
import type { Logger } from '../../config/logger';
import type { PrismaClient } from '../../prisma/client';
import type { KsefContexts } from '../ksef-sessions';

export interface ImportSettings {
  /** First run for a buyer starts this far back (KSeF keeps invoices for years; the API needs a bound). */
  initialLookbackMs: number;
  pageSize?: number;
}

/** KSeF refuses query ranges over 3 months (21183); 90 days stays inside on any calendar. */
const MAX_RANGE_MS = 90 * 24 * 60 * 60 * 1000;
export const IMPORT_SOURCE_SYSTEM = 'ksef-import';

export interface ImportResult {
  imported: number;
  skipped: number;
  hwm: string | null;
}

export function createImportActivities(deps: { prisma: PrismaClient; ksef: KsefContexts; logger: Logger; imports?: ImportSettings }) {
  const { prisma } = deps;
  const settings: ImportSettings = { initialLookbackMs: 7 * 24 * 60 * 60 * 1000, ...deps.imports };

  async function storeOne(buyerNip: string, meta: InvoiceMetadata, importedBy: string): Promise<boolean> {
    const known = await prisma.incomingDocument.findUnique({ where: { ksefNumber: meta.ksefNumber }, select: { registryId: true } });
    if (known) return false;
    const downloaded = await deps.ksef.client(buyerNip).downloadInvoice(meta.ksefNumber);
    const summary = readFa3Summary(downloaded.xml);
    const workflowId = `incoming-${meta.ksefNumber}`;
    const id = registryIdFor(workflowId);
    const gross = /^-?\d+(\.\d+)?$/.test(summary.grossAmount) ? summary.grossAmount : String(meta.grossAmount ?? 0);
    return prisma.$transaction(async (tx) => {
      const { count } = await tx.invoice.createMany({
        skipDuplicates: true,
        data: {
          id,
          workflowId,
          direction: 'INCOMING',
          sourceSystem: IMPORT_SOURCE_SYSTEM,
          sellerNip: summary.sellerNip || meta.seller.nip,
          sellerName: meta.seller.name ?? summary.sellerNip,
          buyerIdentifier: summary.buyerNip ?? buyerNip,
          buyerName: meta.buyer?.name ?? null,
          // Numbers are unique per seller only; the KSeF number keeps two sellers' numbers apart.
          invoiceNumber: summary.invoiceNumber || meta.invoiceNumber,
          invoiceType: summary.invoiceType || meta.invoiceType,
          issueDate: new Date(`${summary.issueDate || meta.issueDate}T00:00:00Z`),
          currency: summary.currency || meta.currency,
          grossAmount: gross,
          status: 'ACCEPTED',
          step: 'imported',
          ksefNumber: meta.ksefNumber,
          invoiceHash: downloaded.invoiceHash,
          contentHash: downloaded.invoiceHash,
          acceptedAt: new Date(meta.permanentStorageDate ?? meta.acquisitionDate),
          payload: { imported: true, ksefNumber: meta.ksefNumber, summary } as object,
        },
      });
      if (count === 0) return false;
      await tx.incomingDocument.create({
        data: {
          registryId: id,
          ksefNumber: meta.ksefNumber,
          buyerNip,
          xml: downloaded.xml,
          invoiceHash: downloaded.invoiceHash,
          permanentStorageDate: new Date(meta.permanentStorageDate ?? meta.acquisitionDate),
          importedBy,
        },
      });
      return true;
    });
  }

  /** One date window, all pages (and the 10 000-record cap by moving `from`). Returns the HWM KSeF reports. */
  async function importWindow(buyerNip: string, from: Date, to: Date, importedBy: string, result: ImportResult): Promise<string | null> {
    const client = deps.ksef.client(buyerNip);
    let windowFrom = from.toISOString();
    let hwm: string | null = null;
    for (;;) {
      let truncatedAt: string | null = null;
      for (let pageOffset = 0; ; pageOffset++) {
        const page = await client.queryInvoiceMetadata(
          { subjectType: 'Subject2', dateRange: { dateType: 'PermanentStorage', from: windowFrom, to: to.toISOString(), restrictToPermanentStorageHwmDate: true } },
          { pageOffset, pageSize: settings.pageSize ?? 100, sortOrder: 'Asc' },
        );
        hwm = page.permanentStorageHwmDate ?? hwm;
        for (const meta of page.invoices) {
          if (await storeOne(buyerNip, meta, importedBy)) result.imported += 1;
          else result.skipped += 1;
          Context.current().heartbeat(result);
        }
        const last = page.invoices.at(-1);
        if (page.isTruncated && last) truncatedAt = last.permanentStorageDate ?? last.acquisitionDate;
        if (!page.hasMore || page.invoices.length === 0) break;
      }
      if (!truncatedAt) return hwm;
      windowFrom = truncatedAt;
    }
  }

  return {
    /** Incremental (no range: from the stored HWM) or backfill (explicit range; the HWM is left alone). */
    async importPurchaseInvoices(input: { buyerNip: string; from?: string; to?: string; importedBy: string }): Promise<ImportResult> {
      const result: ImportResult = { imported: 0, skipped: 0, hwm: null };
      const now = new Date();
      const backfill = input.from !== undefined;
      const cursor = backfill ? null : await prisma.purchaseImportCursor.findUnique({ where: { buyerNip: input.buyerNip } });
      const start = backfill ? new Date(input.from!) : (cursor?.hwm ?? new Date(now.getTime() - settings.initialLookbackMs));
      const end = input.to ? new Date(input.to) : now;
      let latestHwm: string | null = null;
      try {
        for (let from = start; from < end; from = new Date(from.getTime() + MAX_RANGE_MS)) {
          const to = new Date(Math.min(end.getTime(), from.getTime() + MAX_RANGE_MS));
          latestHwm = (await importWindow(input.buyerNip, from, to, input.importedBy, result)) ?? latestHwm;
        }
      } catch (error) {
        if (!backfill) {
          await prisma.purchaseImportCursor.upsert({
            where: { buyerNip: input.buyerNip },
            create: { buyerNip: input.buyerNip, hwm: start, lastRunAt: now, lastError: (error as Error).message },
            update: { lastRunAt: now, lastError: (error as Error).message },
          });
        }
        throw error;
      }
      if (!backfill) {
        // KSeF's mark is where everything before is complete; without one, stay put (dedupe covers overlap).
        const hwm = latestHwm && new Date(latestHwm) > start ? new Date(latestHwm) : start;
        result.hwm = hwm.toISOString();
        await prisma.purchaseImportCursor.upsert({
          where: { buyerNip: input.buyerNip },
          create: { buyerNip: input.buyerNip, hwm, lastRunAt: now, lastImported: result.imported, totalImported: result.imported, lastError: null },
          update: { hwm, lastRunAt: now, lastImported: result.imported, totalImported: { increment: result.imported }, lastError: null },
        });
      }
      deps.logger.info({ buyerNip: input.buyerNip, ...result, backfill }, 'purchase invoices imported');
      return result;
    },
  };
}

export type ImportActivities = ReturnType<typeof createImportActivities>;
