import { readFa3Summary } from '../../fa3/parse';
import { isValidKsefNumber, type InvoiceMetadata, type SentBatch } from '../../ksef-client';
import type { RunningSimulator } from '../../ksef-simulator/app';
import { clientFor, freshInvoice, randomNip, startSimulator, xmlOf } from './ksef-client-helpers';

let sim: RunningSimulator;
const sellerNip = randomNip();
const buyerNip = randomNip();
const invoices = Array.from({ length: 6 }, () => freshInvoice(sellerNip, buyerNip));
const xmls = invoices.map(xmlOf);
let batch: SentBatch;
const startedAt = new Date(Date.now() - 60_000).toISOString();

beforeAll(async () => {
  sim = await startSimulator({ rateLimits: 'off' });
});

afterAll(async () => {
  await sim?.close();
});

describe('batch session against the simulator', () => {
  it('zips, splits into encrypted parts, uploads each part as instructed and closes', async () => {
    const seller = clientFor(sim, sellerNip);
    // Small parts force a multi-part upload, as a large production batch would have.
    batch = await seller.sendBatch(
      xmls.map((xml, i) => ({ fileName: `${i + 1}.xml`, xml })),
      { maxPartBytes: 2_048 },
    );
    expect(batch.partCount).toBeGreaterThan(1);
    expect(batch.invoices).toHaveLength(6);

    const status = await seller.waitForSessionStatus(batch.referenceNumber, { intervalMs: 50, timeoutMs: 30_000 });
    expect(status.status.code).toBe(200);
    expect(status.successfulInvoiceCount).toBe(6);

    const listed = [];
    for await (const inv of seller.iterateSessionInvoices(batch.referenceNumber, { pageSize: 10 })) listed.push(inv);
    expect(listed.map((i) => i.invoiceHash).sort()).toEqual(batch.invoices.map((i) => i.invoiceHash).sort());
    for (const inv of listed) {
      expect(inv.status.code).toBe(200);
      expect(isValidKsefNumber(inv.ksefNumber!)).toBe(true);
    }
  });

  it('rejects a batch it cannot split within KSeF limits before calling KSeF', async () => {
    const seller = clientFor(sim, sellerNip);
    await expect(seller.sendBatch(xmls, { maxPartBytes: 10 })).rejects.toMatchObject({ code: 'KSEF_BATCH_TOO_LARGE', retryable: false });
    await expect(seller.sendBatch([])).rejects.toMatchObject({ code: 'KSEF_INVALID_ARGUMENT' });
  });
});

describe('purchase invoices: metadata query and download as the buyer', () => {
  let found: InvoiceMetadata[];

  it('finds the invoices with subjectType Subject2 in the buyer context, page by page', async () => {
    const buyer = clientFor(sim, buyerNip);
    const filters = { subjectType: 'Subject2' as const, dateRange: { dateType: 'Invoicing' as const, from: startedAt } };
    found = [];
    for await (const meta of buyer.iterateInvoiceMetadata(filters, { pageSize: 10, sortOrder: 'Asc' })) found.push(meta);
    expect(found.map((m) => m.invoiceNumber).sort()).toEqual(invoices.map((i) => i.invoiceNumber).sort());
    for (const meta of found) {
      expect(meta.seller.nip).toBe(sellerNip);
      expect(meta.buyer.identifier).toMatchObject({ type: 'Nip', value: buyerNip });
      expect(meta.invoiceType).toBe('Vat');
    }

    const firstPage = await buyer.queryInvoiceMetadata(filters, { pageSize: 10, pageOffset: 0 });
    expect(firstPage.hasMore).toBe(false);
    expect(firstPage.isTruncated).toBe(false);

    const asSellerSide = await buyer.queryInvoiceMetadata({ ...filters, subjectType: 'Subject1' });
    expect(asSellerSide.invoices).toHaveLength(0);
  });

  it('downloads each invoice by KSeF number, byte-identical to what the seller sent', async () => {
    const buyer = clientFor(sim, buyerNip);
    for (const meta of found) {
      const downloaded = await buyer.downloadInvoice(meta.ksefNumber);
      expect(downloaded.invoiceHash).toBe(meta.invoiceHash);
      expect(xmls).toContain(downloaded.xml);
      expect(readFa3Summary(downloaded.xml)).toMatchObject({ sellerNip, buyerNip, invoiceNumber: meta.invoiceNumber, invoiceType: 'VAT', currency: 'PLN' });
    }
  });

  it('answers an unknown KSeF number with a non-retryable error', async () => {
    const buyer = clientFor(sim, buyerNip);
    const error = await buyer.downloadInvoice(`${sellerNip}-20250101-000000000000-00`).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: false });
    expect((error as { httpStatus: number }).httpStatus).toBeGreaterThanOrEqual(400);
  });
});
