/**
 * The registry projection is one SQL statement (status + webhook outbox + audit row): what it writes,
 * what it leaves alone, and that its timestamps are UTC like the rest of the registry even when the
 * database session runs in Polish time. The dispatcher's record of a send (SENT for a whole session in
 * one statement). And the staged FA(3) document: queued by hash only.
 */
import pg from 'pg';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { auditAlongside, projectStatusWith, recordSentToKsef, recordSubmission } from '../../prisma/invoice-registry';
import { SENT_EVENT_KEY, statusWebhooksAlongside } from '../../activities/webhooks/outbox';
import { InvoiceSchema } from '../../domain/invoice';
import { sampleInvoice } from '../support/invoices';
import { freshDatabase } from '../support/fresh-database';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { Client } from '@temporalio/client';
import { createDispatchActivities, STAGED_DOCUMENT_MISSING, stageValidatedDocument } from '../../activities/dispatch';
import { loadConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { KsefContexts } from '../../activities/ksef-sessions';

let db: { url: string; drop(): Promise<void> };
let prisma: PrismaClient;

beforeAll(async () => {
  db = await freshDatabase();
  // Every new session of this database runs in Europe/Warsaw: a projection must not store local time.
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`ALTER DATABASE "${new URL(db.url).pathname.slice(1)}" SET timezone = 'Europe/Warsaw'`);
  await admin.end();
  prisma = createPrismaClient(db.url, 2);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

async function submitted() {
  const invoice = InvoiceSchema.parse(sampleInvoice());
  const id = randomUUID();
  await recordSubmission(prisma, { id, workflowId: `wf-${id}`, invoice, contentHash: 'h', receivedAt: new Date() });
  return { id, invoice };
}

it('writes status, UTC timestamps, the webhook delivery and the audit row in one statement', async () => {
  const { id, invoice } = await submitted();
  await prisma.webhookSubscription.create({ data: { sourceSystem: invoice.sourceSystem, url: 'http://127.0.0.1:9/hook', secret: 's', active: true, createdBy: 'test' } });
  const sentAt = '2026-07-01T10:00:00.000Z'; // summer: Warsaw is UTC+2, so local time would be off by 2 h
  const before = Date.now();
  const updated = await projectStatusWith(
    prisma,
    id,
    { status: 'SENT', step: 'confirm', nextAction: null, attempts: 1, ksefSessionRef: 'S-1', ksefInvoiceRef: 'I-1', sentAt },
    [statusWebhooksAlongside(`key-${id}`), auditAlongside({ actor: 'system', action: 'invoice.send', targetType: 'invoice', targetId: id, result: 'sent', details: { mode: 'ONLINE' } })],
  );
  expect(updated).toBe(1);
  const row = await prisma.invoice.findUniqueOrThrow({ where: { id } });
  expect(row).toMatchObject({ status: 'SENT', step: 'confirm', attempts: 1, ksefSessionRef: 'S-1', ksefInvoiceRef: 'I-1', nextAction: null });
  expect(row.sentAt?.toISOString()).toBe(sentAt);
  expect(row.acceptedAt).toBeNull(); // not given: left alone
  expect(Math.abs(row.updatedAt.getTime() - before)).toBeLessThan(60_000);
  const delivery = await prisma.webhookDelivery.findFirstOrThrow({ where: { registryId: id } });
  expect(delivery.status).toBe('SENT');
  expect(delivery.payload).toMatchObject({ event: 'invoice.status', deliveryId: delivery.id, invoice: { id, status: 'SENT', step: 'confirm' } });
  const audit = await prisma.auditEvent.findFirstOrThrow({ where: { targetId: id } });
  expect(audit).toMatchObject({ action: 'invoice.send', result: 'sent', details: { mode: 'ONLINE' } });

  // The same event again (a retried activity): no second delivery.
  await projectStatusWith(prisma, id, { status: 'SENT', step: 'confirm' }, [statusWebhooksAlongside(`key-${id}`)]);
  expect(await prisma.webhookDelivery.count({ where: { registryId: id } })).toBe(1);
  // Fields left undefined keep their values.
  expect((await prisma.invoice.findUniqueOrThrow({ where: { id } })).ksefSessionRef).toBe('S-1');
});

it('writes nothing alongside when the registry row does not exist', async () => {
  const missing = randomUUID();
  const updated = await projectStatusWith(prisma, missing, { status: 'ACCEPTED', step: 'closed' }, [
    auditAlongside({ actor: 'system', action: 'invoice.close', targetType: 'invoice', targetId: missing, result: 'ACCEPTED' }),
  ]);
  expect(updated).toBe(0);
  expect(await prisma.auditEvent.count({ where: { targetId: missing } })).toBe(0);
});

it('queues only the document validation staged for this attempt, and says so with a code when it is not there', async () => {
  const { id, invoice } = await submitted();
  const config = loadConfig();
  const logger = createLogger('test', 'silent');
  // The refusal happens before any Temporal call; the client is real but never connects.
  const dispatch = createDispatchActivities({
    prisma,
    temporal: new Client(),
    taskQueue: 'unused',
    ksef: new KsefContexts({ baseUrl: 'http://127.0.0.1:9', tokens: {} }, logger),
    logger,
    dispatcher: config.dispatcher,
    project: async () => undefined,
  });
  const request = { registryId: id, workflowId: `wf-${id}`, sellerNip: invoice.seller.nip, dispatchId: `${id}:1`, invoiceHash: 'hash-A' };
  const refusal = await dispatch.enqueueForKsef(request).catch((e) => e);
  expect(refusal).toBeInstanceOf(ApplicationFailure);
  expect(refusal).toMatchObject({ type: STAGED_DOCUMENT_MISSING, nonRetryable: true });

  // Staged with another hash (a newer validation): still refused, nothing queued.
  await stageValidatedDocument(prisma, { registryId: id, workflowId: `wf-${id}`, sellerNip: invoice.seller.nip, xml: '<Faktura/>', invoiceHash: 'hash-B' });
  expect(await dispatch.enqueueForKsef(request).catch((e) => e)).toMatchObject({ type: STAGED_DOCUMENT_MISSING });
  const doc = await prisma.ksefDocument.findUniqueOrThrow({ where: { registryId: id } });
  expect(doc).toMatchObject({ invoiceHash: 'hash-B', queuedAt: null, batchOnly: false });
});

it('records a send for a whole session: queue left, SENT with audit and webhook per invoice, old-style runs only signalled', async () => {
  const subscriptionFor = async (sourceSystem: string) =>
    (await prisma.webhookSubscription.count({ where: { sourceSystem } })) ||
    prisma.webhookSubscription.create({ data: { sourceSystem, url: 'http://127.0.0.1:9/hook', secret: 's', active: true, createdBy: 'test' } });
  const queue = async (reportSent: boolean, status: 'SENDING' | 'VALIDATING') => {
    const { id, invoice } = await submitted();
    await subscriptionFor(invoice.sourceSystem);
    await prisma.invoice.update({ where: { id }, data: { status, attempts: 2 } });
    await prisma.ksefDocument.create({
      data: { registryId: id, workflowId: `wf-${id}`, sellerNip: invoice.seller.nip, dispatchId: `${id}:2`, xml: '<Faktura/>', invoiceHash: 'h', queuedAt: new Date(), reportSent },
    });
    return id;
  };
  const leftToDispatcher = [await queue(false, 'SENDING'), await queue(false, 'SENDING')];
  const oldStyle = await queue(true, 'SENDING');
  const notSending = await queue(false, 'VALIDATING');
  const before = Date.now();

  const sent = { mode: 'BATCH' as const, sessionRef: 'S-BATCH-1', documents: [...leftToDispatcher, oldStyle, notSending].map((registryId) => ({ registryId, invoiceRef: null })) };
  const result = await recordSentToKsef(prisma, sent, [statusWebhooksAlongside(SENT_EVENT_KEY)]);
  expect(result.projected).toBe(2);
  expect(result.signalSent).toEqual([oldStyle]);

  for (const id of [...leftToDispatcher, oldStyle, notSending]) {
    const doc = await prisma.ksefDocument.findUniqueOrThrow({ where: { registryId: id } });
    expect(doc).toMatchObject({ queuedAt: null, sendMode: 'BATCH', sessionRef: 'S-BATCH-1', invoiceRef: null });
    // UTC like every registry timestamp, although the session runs in Europe/Warsaw.
    expect(Math.abs(doc.sentAt!.getTime() - before)).toBeLessThan(60_000);
  }
  for (const id of leftToDispatcher) {
    const row = await prisma.invoice.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'SENT', step: 'confirm', ksefSessionRef: 'S-BATCH-1', attempts: 2 });
    expect(Math.abs(row.sentAt!.getTime() - before)).toBeLessThan(60_000);
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { targetId: id, action: 'invoice.send' } });
    expect(audit).toMatchObject({ actor: 'system', result: 'sent', details: { sessionRef: 'S-BATCH-1', invoiceRef: null, mode: 'BATCH', attempt: 2 } });
    const delivery = await prisma.webhookDelivery.findFirstOrThrow({ where: { registryId: id } });
    expect(delivery).toMatchObject({ status: 'SENT', eventKey: `${id}:2/SENT` });
    expect(delivery.payload).toMatchObject({ invoice: { id, status: 'SENT', step: 'confirm' } });
  }
  // A run that projects SENT itself, and a row that is not SENDING, are left as they were.
  expect((await prisma.invoice.findUniqueOrThrow({ where: { id: oldStyle } })).status).toBe('SENDING');
  expect((await prisma.invoice.findUniqueOrThrow({ where: { id: notSending } })).status).toBe('VALIDATING');
  expect(await prisma.auditEvent.count({ where: { targetId: { in: [oldStyle, notSending] }, action: 'invoice.send' } })).toBe(0);
  expect(await prisma.webhookDelivery.count({ where: { registryId: { in: [oldStyle, notSending] } } })).toBe(0);

  // The same send recorded again (a retried activity): nothing written twice.
  await recordSentToKsef(prisma, sent, [statusWebhooksAlongside(SENT_EVENT_KEY)]);
  expect(await prisma.auditEvent.count({ where: { targetId: { in: leftToDispatcher }, action: 'invoice.send' } })).toBe(2);
  expect(await prisma.webhookDelivery.count({ where: { registryId: { in: leftToDispatcher } } })).toBe(2);
});
