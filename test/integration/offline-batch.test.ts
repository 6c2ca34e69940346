/**
 * After an outage, a seller's queue can hold only invoices issued offline. Once there are enough of
 * them for a batch session the dispatcher chooses batch; they must go in an offline batch session —
 * before, the batch round skipped offline invoices, sent nothing and was chosen again, forever.
 * batchMinSize 1 makes the dispatcher choose batch for whatever is queued, however the invoices
 * trickle back after the outage (on a loaded machine they come one by one).
 */
import { getStateQuery } from '../../workflows/contracts';
import { sampleInvoice } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({
    lifecycle: { offlineAuto: true, offlineRecheckMs: 150, offlineDeadlineOverrideMs: 600_000 },
    dispatcher: { batchMinSize: 1 },
  });
});
afterAll(async () => {
  await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'DELETE' });
  await stack?.stop();
});

it('offline invoices the dispatcher sends as a batch go in an offline batch session and are accepted', async () => {
  await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage: { durationMs: 600_000, status: 503 } }) });
  const submitted = [];
  for (let i = 0; i < 4; i++) {
    const res = await stack.api('/api/v1/invoices', { body: sampleInvoice() });
    expect(res.status).toBe(202);
    submitted.push(res.body as { id: string; workflowId: string });
  }
  for (const { workflowId } of submitted) {
    await eventually(async () => (await stack.temporal.workflow.getHandle(workflowId).query(getStateQuery)).step === 'offline', 120_000, 200);
  }
  await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'DELETE' });

  const ids = submitted.map((s) => s.id);
  await eventually(async () => (await stack.prisma.invoice.count({ where: { id: { in: ids }, status: 'ACCEPTED' } })) === ids.length, 180_000, 500);
  const documents = await stack.prisma.ksefDocument.findMany({ where: { registryId: { in: ids } }, select: { sendMode: true, offlineMode: true } });
  expect(documents.map((d) => d.offlineMode)).toEqual(ids.map(() => true));
  // The first round found batch room: that one went as an offline batch session (later ones may go
  // online while the hour's batch sessions are paced).
  expect(documents.some((d) => d.sendMode === 'BATCH')).toBe(true);
});
