import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SELLER_NIP, sampleInvoice } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';
import { PUBLISHED_LIMITS } from '../../workflows/rate-budget';

/**
 * KSeF takes invoices with a Zalacznik only in batch sessions (KSEF-API-FACTS §3.3; online → 415).
 * One such invoice is far below the dispatcher's batch threshold (20 in tests), so without the
 * batch-only routing it would go online and be refused.
 */
const EXAMPLES = path.resolve(__dirname, '..', 'fixtures', 'ksef-examples');

const ATTACHMENT = {
  blocks: [
    {
      heading: 'Rozliczenie energii',
      metadata: [
        { key: 'Kod PPE', value: '590000000000000001' },
        { key: 'Grupa taryfowa', value: 'G11' },
      ],
      tables: [{ description: 'Odczyty', columns: [{ type: 'txt', name: 'Strefa' }, { type: 'int', name: 'Ilość' }], rows: [['całodobowa', '20']] }],
    },
  ],
};

let stack: TestStack;
beforeAll(async () => {
  // Batch sessions are paced evenly over the hour (2 min apart at the published 60/h); a larger hourly
  // budget keeps this file's two sessions seconds apart without changing the routing under test.
  stack = await startStack({ dispatcher: { limits: { ...PUBLISHED_LIMITS, batchSession: { ...PUBLISHED_LIMITS.batchSession, perHour: 7200 } } } });
});
afterAll(async () => {
  await stack?.stop();
});

async function acceptedThroughBatch(id: string) {
  const done = await eventually(async () => {
    const res = await stack.api(`/api/v1/invoices/${id}`);
    return res.body.status === 'ACCEPTED' ? res.body : undefined;
  });
  const doc = await stack.prisma.ksefDocument.findUniqueOrThrow({ where: { registryId: id } });
  expect(doc.batchOnly).toBe(true);
  expect(doc.sendMode).toBe('BATCH');
  // The simulator's own record: the KSeF number was issued in a session of kind Batch.
  const ledger = await fetch(`${stack.simulatorRootUrl}/_sim/ledger?sellerNip=${SELLER_NIP}`).then((r) => r.json() as Promise<{ accepted: Array<{ ksefNumber: string; sessionReferenceNumber: string; invoiceHash: string }> }>);
  const entry = ledger.accepted.find((e) => e.ksefNumber === done.ksefNumber);
  expect(entry).toBeDefined();
  expect(entry!.sessionReferenceNumber).toBe(doc.sessionRef);
  expect(stack.simulator.state.sessions.get(entry!.sessionReferenceNumber)?.kind).toBe('Batch');
  expect(doc.xml).toContain('<Zalacznik>');
  return { done, doc };
}

describe('invoices with an FA(3) Zalacznik', () => {
  it('a batch session KSeF fails as a whole sends its invoice to triage with the reason; a force retry sends it again', async () => {
    // Every package is "too large" for a moment: KSeF closes the session with 420 and lists no invoice.
    // Before, the dispatcher polled that session forever and the invoice stayed SENT (found by the bench).
    const options = stack.simulator.context.options as { maxInvoicesPerSession: number };
    const limit = options.maxInvoicesPerSession;
    options.maxInvoicesPerSession = 0;
    let id = '';
    try {
      const submit = await stack.api('/api/v1/invoices', { body: sampleInvoice({ attachment: ATTACHMENT } as never) });
      expect(submit.status).toBe(202);
      id = submit.body.id;
      const triage = await eventually(async () => {
        const res = await stack.api(`/api/v1/invoices/${id}`);
        return res.body.status === 'NEEDS_FIX' ? res.body : undefined;
      }, 60_000);
      expect(triage.rejectionCode).toBe('KSEF_SESSION_FAILED');
      expect(triage.rejectionReason).toContain('status 420');
    } finally {
      options.maxInvoicesPerSession = limit;
    }
    const retry = await stack.api(`/api/v1/invoices/${id}/actions/force-retry`, { method: 'POST', body: { note: 'KSeF takes the package again' } });
    expect(retry.status).toBe(200);
    const { done } = await acceptedThroughBatch(id);
    expect(done.attempts).toBe(2);
  });

  it('a JSON submission with an attachment block goes to KSeF in a batch session and is ACCEPTED', async () => {
    const invoice = sampleInvoice({ attachment: ATTACHMENT } as never);
    const submit = await stack.api('/api/v1/invoices', { body: invoice });
    expect(submit.status).toBe(202);
    const { doc } = await acceptedThroughBatch(submit.body.id);
    expect(doc.xml).toContain('<ZNaglowek>Rozliczenie energii</ZNaglowek>');
    expect(doc.xml).toContain('<Kol Typ="int">');
  });

  it('the official utility example submitted as XML goes through a batch session too, Zalacznik intact', async () => {
    const number = `XML/${randomUUID().slice(0, 13)}`;
    const xml = readFileSync(path.join(EXAMPLES, 'mf-fa3-24_VAT_utility_Zalacznik-attachment_OkresFa.xml'), 'utf8')
      .replace(/<P_2>[^<]*<\/P_2>/, `<P_2>${number}</P_2>`)
      .replace(/<NIP>\d+<\/NIP>/, `<NIP>${SELLER_NIP}</NIP>`);
    const submit = await stack.api('/api/v1/invoices?sourceSystem=erp', { rawBody: xml, contentType: 'application/xml' });
    expect(submit.status).toBe(202);
    const warned = (submit.body.warnings ?? []).map((w: { field: string }) => w.field);
    expect(warned.filter((f: string) => f.includes('Zalacznik'))).toEqual([]);
    const { doc } = await acceptedThroughBatch(submit.body.id);
    expect((doc.xml.match(/<Wiersz>/g) ?? []).length).toBe((xml.match(/<Wiersz>/g) ?? []).length);
  });

  it('an ordinary invoice queued beside them still goes online', async () => {
    const submit = await stack.api('/api/v1/invoices', { body: sampleInvoice() });
    expect(submit.status).toBe(202);
    await eventually(async () => (await stack.api(`/api/v1/invoices/${submit.body.id}`)).body.status === 'ACCEPTED');
    const doc = await stack.prisma.ksefDocument.findUniqueOrThrow({ where: { registryId: submit.body.id } });
    expect([doc.batchOnly, doc.sendMode]).toEqual([false, 'ONLINE']);
  });
});
