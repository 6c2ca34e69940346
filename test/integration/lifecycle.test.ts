/**
 * The invoice lifecycle on the real Temporal dev server, PostgreSQL and the KSeF simulator:
 * every path of the SOP — Validate → (Approve) → Send → Confirm → Close, and on trouble
 * Alert → Triage → Fix → Retry → Confirm → Close. Durations are configuration, not sleeps.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { temporalCliPath } from '../../infra/temporal-dev-server';
import {
  approveManualExceptionUpdate,
  approveUpdate,
  cancelUpdate,
  correctDataUpdate,
  forceRetryUpdate,
  getStateQuery,
  requestManualExceptionUpdate,
  type InvoiceWorkflowState,
} from '../../workflows/contracts';
import type { InvoiceInput } from '../../domain/invoice';
import { sampleInvoice } from '../support/invoices';
import { eventually, startStack, testEnv, type StackOptions, type TestStack } from '../support/stack';

const run = promisify(execFile);

const HISTORY_DIR = path.resolve(__dirname, '..', 'fixtures', 'histories');

async function submit(stack: TestStack, invoice: InvoiceInput) {
  const res = await stack.api('/api/v1/invoices', { body: invoice });
  expect(res.status).toBe(202);
  return { id: res.body.id as string, handle: stack.temporal.workflow.getHandle(res.body.workflowId as string) };
}

async function stateOf(stack: TestStack, workflowId: string): Promise<InvoiceWorkflowState> {
  return stack.temporal.workflow.getHandle(workflowId).query(getStateQuery);
}

async function reaches(stack: TestStack, workflowId: string, status: string, timeoutMs = 30000) {
  return eventually(async () => {
    const s = await stateOf(stack, workflowId);
    return s.status === status ? s : undefined;
  }, timeoutMs);
}

async function faults(stack: TestStack, body: unknown) {
  const res = await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.ok).toBe(true);
}

async function ledgerFor(stack: TestStack, invoiceNumber: string) {
  const res = await fetch(`${stack.simulatorRootUrl}/_sim/ledger`);
  const body = (await res.json()) as { accepted: Array<{ invoiceNumber: string; ksefNumber: string }> };
  return body.accepted.filter((e) => e.invoiceNumber === invoiceNumber);
}

async function auditActions(stack: TestStack, registryId: string) {
  const rows = await stack.prisma.auditEvent.findMany({ where: { targetId: registryId }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.action);
}

/** Keep a finished run's history as a replay fixture (RECORD_HISTORIES=1 when workflow code changes on purpose). */
async function maybeRecord(stack: TestStack, workflowId: string, name: string) {
  if (process.env.RECORD_HISTORIES !== '1') return;
  // The CLI writes the canonical proto-JSON form that historyFromJSON reads back.
  const { stdout } = await run(temporalCliPath(path.resolve(__dirname, '..', '..')), [
    'workflow', 'show', '--workflow-id', workflowId, '--address', testEnv().address, '--output', 'json',
  ], { maxBuffer: 50 * 1024 * 1024 });
  mkdirSync(HISTORY_DIR, { recursive: true });
  // A prefix records a new code path next to the old histories instead of over them (docs/WORKFLOW-VERSIONING.md).
  writeFileSync(path.join(HISTORY_DIR, `${process.env.RECORD_HISTORIES_PREFIX ?? ''}${name}.json`), stdout);
}

describe('invoice lifecycle (real Temporal, PostgreSQL, KSeF simulator)', () => {
  let stack: TestStack;
  const options: StackOptions = {
    lifecycle: { triageSlaMs: 60_000, confirmWatchdogMs: 60_000, ksefInitialRetryMs: 100 },
  };
  beforeAll(async () => {
    stack = await startStack(options);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  afterEach(async () => {
    await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'DELETE' });
  });

  it('happy path: validated, sent, confirmed and closed with an audit trail', async () => {
    const invoice = sampleInvoice();
    const { id, handle } = await submit(stack, invoice);
    const result = (await handle.result()) as InvoiceWorkflowState;
    expect(result.status).toBe('ACCEPTED');
    expect(result.ksefNumber).toMatch(/^5260001246-/);
    expect(result.attempt).toBe(1);
    expect(await auditActions(stack, id)).toEqual(['invoice.received', 'invoice.send', 'invoice.close']);
    // The dispatcher records the send in the registry itself ('sent-by-dispatcher'): the workflow hears
    // only the outcome, and its happy path is four activities.
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.flatMap((e) => (e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes.signalName] : []))).toEqual(['ksefOutcome']);
    expect(events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []))).toEqual([
      'projectStatus',
      'validateForSending',
      'enqueueForKsef',
      'projectStatus',
    ]);
    const row = await stack.prisma.invoice.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'ACCEPTED', ksefSessionRef: result.sessionRef, ksefInvoiceRef: result.invoiceRef });
    expect(row.sentAt!.getTime()).toBeLessThanOrEqual(row.acceptedAt!.getTime());
    await maybeRecord(stack, handle.workflowId, 'happy-path');
    const dispatchers: string[] = [];
    for await (const run of stack.temporal.workflow.list({ query: `TaskQueue = '${stack.taskQueue}' AND WorkflowType = 'ksefDispatcherWorkflow'` })) {
      dispatchers.push(run.workflowId);
    }
    // One dispatcher per seller context, named after the seller.
    expect(dispatchers).toEqual([expect.stringMatching(/-5260001246$/)]);
    await maybeRecord(stack, dispatchers[0], 'dispatcher-one-invoice');
  });

  it('rejection → alert → correction → retry → accepted; a bad correction is refused and the workflow keeps waiting', async () => {
    await faults(stack, { rejectInvoices: { count: 1, code: 450, description: 'Błąd weryfikacji semantyki dokumentu faktury', details: ['Nieprawidłowy adres nabywcy'] } });
    const invoice = sampleInvoice();
    const { id, handle } = await submit(stack, invoice);
    const rejected = await reaches(stack, handle.workflowId, 'REJECTED');
    expect(rejected.lastError).toMatchObject({ code: 'KSEF_450' });
    expect(rejected.lastError?.reason).toContain('Nieprawidłowy adres nabywcy');
    expect(rejected.owner).toBe('first-line@example.com');
    expect(rejected.nextAction).toContain('Correct');
    // The workflow's state changes first; the registry follows when the projection activity lands.
    const row = await eventually(async () => {
      const r = await stack.prisma.invoice.findUniqueOrThrow({ where: { id } });
      return r.status === 'REJECTED' ? r : undefined;
    });
    expect(row).toMatchObject({ status: 'REJECTED', rejectionCode: 'KSEF_450' });

    // A correction that breaks the rules is refused with field-level reasons…
    const broken = { ...invoice, lines: [{ ...invoice.lines![0], netAmount: '1.00' }] };
    const refusal = await handle.executeUpdate(correctDataUpdate, { args: [{ by: 'anna.k', invoice: broken as never }] }).catch((e) => e);
    expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(refusal.cause.type).toBe('KSEFOPS_CORRECTION_INVALID');
    expect(JSON.stringify(refusal.cause.details)).toContain('LINE_NET_MISMATCH');
    expect((await stateOf(stack, handle.workflowId)).status).toBe('REJECTED');

    // …a good one is accepted, re-validated, re-sent and confirmed.
    const fixed = { ...invoice, buyer: { ...invoice.buyer, address: { countryCode: 'PL', line1: 'ul. Długa 5/7', line2: '30-001 Kraków' } } };
    const accepted = await handle.executeUpdate(correctDataUpdate, { args: [{ by: 'anna.k', invoice: fixed as never, note: 'adres' }] });
    expect(accepted.accepted).toBe(true);
    const done = (await handle.result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    expect(done.attempt).toBe(2);
    expect(done.decisions.map((d) => [d.by, d.action])).toEqual([['anna.k', 'correct']]);
    const actions = await auditActions(stack, id);
    expect(actions).toEqual(expect.arrayContaining(['alert.triage', 'invoice.triage', 'invoice.correct', 'invoice.close']));
    const correction = await stack.prisma.auditEvent.findFirstOrThrow({ where: { targetId: id, action: 'invoice.correct', result: 'accepted' } });
    expect(correction.actor).toBe('anna.k');
    expect(JSON.stringify(correction.details)).toContain('ul. Długa 5/7');
    expect(JSON.stringify(correction.details)).toContain('ul. Długa 5"'.slice(0, 11));
    expect(await ledgerFor(stack, invoice.invoiceNumber)).toHaveLength(1);
    await maybeRecord(stack, handle.workflowId, 'rejection-correction');
  });

  it('absorbs a short KSeF outage through retries', async () => {
    await faults(stack, { outage: { durationMs: 1200, status: 503 } });
    const invoice = sampleInvoice();
    const { handle } = await submit(stack, invoice);
    const done = (await handle.result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    expect(done.attempt).toBe(1);
    expect(await ledgerFor(stack, invoice.invoiceNumber)).toHaveLength(1);
  });

  it('retries exhausted → triage; force retry (recorded) after KSeF is back → accepted', async () => {
    await faults(stack, { outage: { durationMs: 600_000, status: 503 } });
    const invoice = sampleInvoice();
    const { id, handle } = await submit(stack, invoice);
    const stuck = await reaches(stack, handle.workflowId, 'NEEDS_FIX');
    expect(stuck.lastError?.code).toBe('KSEF_UNAVAILABLE');
    expect(stuck.lastError?.reason).toContain('3 attempts');
    await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'DELETE' });
    await handle.executeUpdate(forceRetryUpdate, { args: [{ by: 'ops.piotr', note: 'KSeF back' }] });
    const done = (await handle.result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    expect(done.decisions.map((d) => d.action)).toEqual(['force-retry']);
    expect(await auditActions(stack, id)).toEqual(expect.arrayContaining(['invoice.force-retry']));
    expect(await ledgerFor(stack, invoice.invoiceNumber)).toHaveLength(1);
  });

  it('adopts its own invoice when a lost response makes the re-send a duplicate (440)', async () => {
    // Open the online session first, so the lost answer is the invoice send itself.
    await (await submit(stack, sampleInvoice())).handle.result();
    await faults(stack, { loseResponses: { count: 1 }, pathPrefix: '/sessions/online/' });
    const invoice = sampleInvoice();
    const { id, handle } = await submit(stack, invoice);
    const done = (await handle.result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    const ledger = await ledgerFor(stack, invoice.invoiceNumber);
    expect(ledger).toHaveLength(1);
    expect(done.ksefNumber).toBe(ledger[0].ksefNumber);
    const close = await stack.prisma.auditEvent.findFirstOrThrow({ where: { targetId: id, action: 'invoice.close' } });
    expect(close.details).toMatchObject({ how: 'adopted-duplicate' });
  });

  it('manual exception needs a reason and an approver other than the requester; cancel closes', async () => {
    await faults(stack, { rejectInvoices: { count: 2, code: 450 } });
    const first = await submit(stack, sampleInvoice());
    await reaches(stack, first.handle.workflowId, 'REJECTED');
    const noReason = await first.handle.executeUpdate(requestManualExceptionUpdate, { args: [{ by: 'anna.k', reason: ' ' }] }).catch((e) => e);
    expect(noReason.cause.type).toBe('KSEFOPS_ACTION_NOT_ALLOWED');
    await first.handle.executeUpdate(requestManualExceptionUpdate, { args: [{ by: 'anna.k', reason: 'Invoice issued on paper, agreed with the buyer' }] });
    const self = await first.handle.executeUpdate(approveManualExceptionUpdate, { args: [{ by: 'anna.k' }] }).catch((e) => e);
    expect(self).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(self.cause.message).toContain('someone other than');
    await first.handle.executeUpdate(approveManualExceptionUpdate, { args: [{ by: 'maria.z' }] });
    const closed = (await first.handle.result()) as InvoiceWorkflowState;
    expect(closed.status).toBe('MANUAL_EXCEPTION');
    expect(closed.decisions.map((d) => [d.by, d.action])).toEqual([
      ['anna.k', 'request-manual-exception'],
      ['maria.z', 'approve-manual-exception'],
    ]);

    const second = await submit(stack, sampleInvoice());
    await reaches(stack, second.handle.workflowId, 'REJECTED');
    await second.handle.executeUpdate(cancelUpdate, { args: [{ by: 'anna.k', note: 'duplicate of FV/2026/1' }] });
    expect(((await second.handle.result()) as InvoiceWorkflowState).status).toBe('CANCELLED');
    const row = await stack.prisma.invoice.findUniqueOrThrow({ where: { id: second.id } });
    expect(row.status).toBe('CANCELLED');
    // Actions that make no sense in the current state are refused, not queued.
    const late = await second.handle.executeUpdate(forceRetryUpdate, { args: [{ by: 'anna.k' }] }).catch((e) => e);
    expect(late).toBeTruthy();
  });
});

describe('invoice lifecycle: timers and rules (short SLAs, slow KSeF, approval threshold)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      simulator: { processingDelayMs: 2500 },
      lifecycle: { triageSlaMs: 400, confirmWatchdogMs: 700, approvalThresholdGross: '5000.00', approvalSlaMs: 60_000 },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('stuck in processing → watchdog alert, re-check, and still accepted', async () => {
    const { id, handle } = await submit(stack, sampleInvoice());
    const done = (await handle.result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    expect(await auditActions(stack, id)).toEqual(expect.arrayContaining(['alert.stuck-processing', 'invoice.watchdog', 'invoice.send']));
    // The watchdog found where the attempt went (the dispatcher does not signal the send): the workflow
    // showed SENT in the Temporal UI while KSeF kept it waiting.
    const upserts = ((await handle.fetchHistory()).events ?? []).flatMap((e) => {
      const field = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.KsefStatus;
      return field?.data ? [JSON.parse(Buffer.from(field.data).toString('utf8'))[0]] : [];
    });
    expect(upserts).toEqual(['SENDING', 'SENT', 'ACCEPTED']);
  });

  it('SLA missed → escalation to the next person, and the workflow keeps waiting', async () => {
    await fetch(`${stack.simulatorRootUrl}/_sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rejectInvoices: { count: 1, code: 450 } }),
    });
    const { id, handle } = await submit(stack, sampleInvoice());
    const escalated = await eventually(async () => {
      const s = await stateOf(stack, handle.workflowId);
      // The level rises before the alert names the next owner: wait for both.
      return s.escalationLevel >= 1 && s.owner === 'manager@example.com' ? s : undefined;
    });
    expect(escalated.status).toBe('REJECTED');
    expect(escalated.owner).toBe('manager@example.com');
    // The owner changes in workflow state before the escalation's audit row is written (an
    // activity after it), so the audit trail is awaited rather than read once.
    const actions = await eventually(async () => {
      const found = await auditActions(stack, id);
      return found.includes('invoice.escalate') ? found : undefined;
    });
    expect(actions).toEqual(expect.arrayContaining(['alert.triage', 'alert.sla-missed', 'invoice.escalate']));
    await handle.executeUpdate(cancelUpdate, { args: [{ by: 'manager' }] });
    expect(((await handle.result()) as InvoiceWorkflowState).status).toBe('CANCELLED');
  });

  it('an amount at the threshold waits for an approver, then goes out', async () => {
    const big = sampleInvoice({
      lines: [{ name: 'Licencja roczna', unit: 'szt.', quantity: '1', unitNetPrice: '5000.00', netAmount: '5000.00', vatRate: '23' }],
    });
    const { id, handle } = await submit(stack, big);
    const waiting = await reaches(stack, handle.workflowId, 'AWAITING_APPROVAL');
    expect(waiting.nextAction).toContain('Approve');
    await eventually(async () => (await stack.prisma.invoice.findUniqueOrThrow({ where: { id } })).status === 'AWAITING_APPROVAL');
    expect(await ledgerFor(stack, big.invoiceNumber)).toHaveLength(0);
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'cfo.ewa' }] });
    const done = (await handle.result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    expect(done.decisions.map((d) => [d.by, d.action])).toEqual([['cfo.ewa', 'approve']]);
  });
});
