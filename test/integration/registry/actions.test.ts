import { sampleInvoice } from '../../support/invoices';
import type { RoleName } from '../../../prisma/access-repository';
import type { CallAs } from '../../support/auth';
import { eventually, startStack, type TestStack } from '../../support/stack';

let stack: TestStack;
beforeAll(async () => {
  // Invoices of 50 000 PLN gross or more need an approver: lets one file cover the approval actions.
  stack = await startStack({ lifecycle: { approvalThresholdGross: '50000' } });
});
afterAll(async () => {
  await stack?.stop();
});

async function act(id: string, action: string, body: unknown = {}, as?: CallAs) {
  const res = await stack.api(`/api/v1/invoices/${id}/actions/${action}`, { method: 'POST', body, as });
  return { status: res.status, body: res.body, type: res.headers.get('content-type') };
}

async function person(name: string, roles: RoleName[]) {
  const who = await stack.auth.person(name, roles);
  return { as: { token: who.token } as CallAs, actor: `user:${who.id}` };
}

async function waitForStatus(id: string, status: string) {
  // A few seconds on a quiet machine; generous because the file's first invoice meets a fresh worker, and a
  // starved 2-CPU run times workflow tasks out (10 s each) — once CI waited more than 30 s for it.
  return eventually(async () => {
    const res = await stack.api(`/api/v1/invoices/${id}`);
    return res.status === 200 && res.body.status === status ? res.body : undefined;
  }, 90_000);
}

async function rejectedInvoice(overrides = {}) {
  await fetch(`${stack.simulatorRootUrl}/_sim/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rejectInvoices: { count: 1, code: 450, description: 'Błąd weryfikacji semantyki dokumentu faktury', details: ['Nieprawidłowy NIP nabywcy'] } }),
  });
  const invoice = sampleInvoice(overrides);
  const submit = await stack.api('/api/v1/invoices', { body: invoice });
  expect(submit.status).toBe(202);
  await waitForStatus(submit.body.id, 'REJECTED');
  return { id: submit.body.id as string, invoice };
}

function bigInvoice() {
  const invoice = sampleInvoice();
  return { ...invoice, lines: [{ ...invoice.lines![0], quantity: '1000', netAmount: '150000.00' }] };
}

describe('invoice detail and timeline', () => {
  it('shows data, reason, next action, actions, the workflow link and every step', async () => {
    const { id, invoice } = await rejectedInvoice();
    const detail = await waitForStatus(id, 'REJECTED');
    expect(detail).toMatchObject({
      id,
      invoiceNumber: invoice.invoiceNumber,
      statusGroup: 'rejected',
      rejectionCode: 'KSEF_450',
      nextAction: 'Correct the data or force a retry',
      owner: 'first-line@example.com',
      availableActions: ['correct', 'force-retry', 'request-manual-exception', 'cancel'],
      workflowAvailable: true,
      upoUrl: null,
      sellerName: invoice.seller!.name,
      buyerName: invoice.buyer!.name,
    });
    expect(detail.rejectionReason).toContain('Błąd weryfikacji semantyki');
    expect(detail.rejectionDetails).toEqual(['Nieprawidłowy NIP nabywcy']);
    expect(detail.invoice.invoiceNumber).toBe(invoice.invoiceNumber);
    expect(detail.temporalUiUrl).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(detail.workflowId)}`);
    expect(detail.timeline.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['invoice.received', 'invoice.send', 'alert.triage', 'invoice.triage']),
    );
    const times = detail.timeline.map((e: { at: string }) => e.at);
    expect(times).toEqual([...times].sort());

    const [listed] = (await stack.api(`/api/v1/invoices?q=${encodeURIComponent(invoice.invoiceNumber)}`)).body.items;
    expect(listed).toMatchObject({ id, owner: 'first-line@example.com', status: 'REJECTED' });

    const upo = await stack.api(`/api/v1/invoices/${id}/upo`);
    expect(upo.status).toBe(409);
    expect(upo.body.code).toBe('UPO_NOT_AVAILABLE');
  });
});

describe('actions on a rejected invoice', () => {
  it('correct: 400 with field paths, 422 with the workflow\'s issues, then accepted with a KSeF number and UPO', async () => {
    const { id, invoice } = await rejectedInvoice();

    const { seller: _s, ...withoutSeller } = invoice;
    const schema = await act(id, 'correct', withoutSeller);
    expect(schema.status).toBe(400);
    expect(schema.type).toContain('application/problem+json');
    expect(schema.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: ['seller'], field: 'seller' })]));

    const renamed = await act(id, 'correct', { ...invoice, invoiceNumber: `${invoice.invoiceNumber}-X` });
    expect(renamed.status).toBe(422);
    expect(renamed.body.code).toBe('KSEFOPS_CORRECTION_INVALID');
    expect(renamed.body.detail).toContain('may not change');

    const wrongTotal = await act(id, 'correct', { ...invoice, grossAmount: '1.00' });
    expect(wrongTotal.status).toBe(422);
    expect(wrongTotal.body.code).toBe('KSEFOPS_CORRECTION_INVALID');
    expect(wrongTotal.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'grossAmount', path: ['grossAmount'] })]));
    expect(wrongTotal.body.details.length).toBeGreaterThan(0);

    const anna = await person('anna', ['corrector']);
    const corrected = { ...invoice, buyer: { ...invoice.buyer!, name: 'Odbiorca Poprawiony S.A.' } };
    const ok = await act(id, 'correct', corrected, anna.as);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ accepted: true });

    const done = await waitForStatus(id, 'ACCEPTED');
    expect(done.ksefNumber).toMatch(/^\d{10}-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/);
    expect(done.buyerName).toBe('Odbiorca Poprawiony S.A.');
    expect(done.availableActions).toEqual([]);
    const correction = done.timeline.find((e: { action: string; result: string }) => e.action === 'invoice.correct' && e.result === 'accepted');
    expect(correction.actor).toBe(anna.actor);
    expect(correction.actorName).toBe('anna');
    expect(done.timeline.filter((e: { action: string; result: string }) => e.action === 'invoice.correct' && e.result === 'refused')).toHaveLength(1);

    const upo = await fetch(`${stack.apiUrl}/api/v1/invoices/${id}/upo`, { headers: await stack.auth.headersFor('monitor') });
    expect(upo.status).toBe(200);
    expect(upo.headers.get('content-type')).toContain('application/xml');
    expect(upo.headers.get('content-disposition')).toContain(`UPO-${done.ksefNumber}.xml`);
    const xml = await upo.text();
    expect(xml).toContain(done.ksefNumber);
  });

  it('force-retry re-sends and the invoice is accepted; approve is refused with 409 and the workflow\'s reason', async () => {
    const { id } = await rejectedInvoice();
    const wrong = await act(id, 'approve');
    expect(wrong.status).toBe(409);
    expect(wrong.body.code).toBe('KSEFOPS_ACTION_NOT_ALLOWED');
    expect(wrong.body.detail).toContain('"approve" is not possible while the invoice is REJECTED');

    const jan = await person('jan', ['corrector']);
    const retry = await act(id, 'force-retry', { note: 'KSeF outage over' }, jan.as);
    expect(retry.status).toBe(200);
    const done = await waitForStatus(id, 'ACCEPTED');
    expect(done.timeline).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'invoice.force-retry', actor: jan.actor })]));
    expect(done.timeline.filter((e: { action: string }) => e.action === 'invoice.send')).toHaveLength(2);
  });

  it('manual exception: reason required, four eyes, then closed as MANUAL_EXCEPTION', async () => {
    const { id } = await rejectedInvoice();
    // Alice may both request and approve (two roles): the workflow itself must still refuse her approving her own request.
    const alice = await person('alice', ['corrector', 'approver']);
    const bob = await person('bob', ['approver']);
    const noApproval = await act(id, 'approve-manual-exception', {}, bob.as);
    expect(noApproval.status).toBe(409);
    expect(noApproval.body.detail).toBe('No manual exception has been requested');

    const noReason = await act(id, 'request-manual-exception', {}, alice.as);
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0]).toMatchObject({ field: 'reason', path: ['reason'] });
    const blank = await act(id, 'request-manual-exception', { reason: '   ' }, alice.as);
    expect(blank.status).toBe(400);

    const requested = await act(id, 'request-manual-exception', { reason: 'Wystawiona poza KSeF w trybie awaryjnym' }, alice.as);
    expect(requested.status).toBe(200);
    const detail = await stack.api(`/api/v1/invoices/${id}`);
    expect(detail.body.pendingManualException).toEqual({ requestedBy: alice.actor, reason: 'Wystawiona poza KSeF w trybie awaryjnym' });
    expect(detail.body.availableActions).toContain('approve-manual-exception');

    const self = await act(id, 'approve-manual-exception', {}, alice.as);
    expect(self.status).toBe(409);
    expect(self.body.detail).toContain('someone other than');
    const approved = await act(id, 'approve-manual-exception', {}, bob.as);
    expect(approved.status).toBe(200);
    await waitForStatus(id, 'MANUAL_EXCEPTION');
  });

  it('cancel closes the invoice; any action afterwards is 409', async () => {
    const { id } = await rejectedInvoice();
    const cancelled = await act(id, 'cancel', { note: 'duplicate in ERP' });
    expect(cancelled.status).toBe(200);
    const done = await waitForStatus(id, 'CANCELLED');
    expect(done.timeline).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'invoice.cancel', actor: `user:${stack.auth.users.operator.id}` })]));
    const again = await act(id, 'force-retry');
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('KSEFOPS_ACTION_NOT_ALLOWED');
  });
});

describe('approval actions', () => {
  it('approve releases an invoice above the threshold; reject-approval cancels another', async () => {
    const first = await stack.api('/api/v1/invoices', { body: bigInvoice() });
    expect(first.status).toBe(202);
    const waiting = await waitForStatus(first.body.id, 'AWAITING_APPROVAL');
    expect(waiting.availableActions).toEqual(['approve', 'reject-approval', 'cancel']);
    const correctWhileWaiting = await act(first.body.id, 'correct', bigInvoice());
    expect(correctWhileWaiting.status).toBe(409);
    const cfo = await person('cfo', ['approver']);
    const approved = await act(first.body.id, 'approve', { note: 'ok' }, cfo.as);
    expect(approved.status).toBe(200);
    await waitForStatus(first.body.id, 'ACCEPTED');

    const second = await stack.api('/api/v1/invoices', { body: bigInvoice() });
    await waitForStatus(second.body.id, 'AWAITING_APPROVAL');
    const rejected = await act(second.body.id, 'reject-approval', {}, cfo.as);
    expect(rejected.status).toBe(200);
    await waitForStatus(second.body.id, 'CANCELLED');
  });
});

describe('action request errors', () => {
  it('answers unknown actions, ids and bodies with problem+json', async () => {
    const unknownAction = await act('00000000-0000-5000-8000-000000000000', 'delete');
    expect(unknownAction.status).toBe(404);
    expect(unknownAction.body.code).toBe('UNKNOWN_ACTION');
    const unknownId = await act('00000000-0000-5000-8000-000000000000', 'approve');
    expect(unknownId.status).toBe(404);
    expect(unknownId.body.code).toBe('INVOICE_NOT_FOUND');
    const badId = await act('nope', 'approve');
    expect(badId.status).toBe(400);
    expect(badId.body.code).toBe('INVALID_ID');
  });
});
