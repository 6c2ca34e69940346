/**
 * Separation of duties for people (issue #15, item 5): who submitted or corrected an invoice may not
 * approve it — refused by the workflow itself (by `by`) and early by the API, audited; nobody changes
 * their own roles; the bus-factor report names people holding conflicting roles.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { RoleName } from '../../../prisma/access-repository';
import { approveUpdate } from '../../../workflows/contracts';
import type { CallAs } from '../../support/auth';
import { sampleInvoice } from '../../support/invoices';
import { eventually, startStack, type TestStack } from '../../support/stack';

jest.setTimeout(300000);

let stack: TestStack;
beforeAll(async () => {
  // 50 000 PLN gross or more needs an approver.
  stack = await startStack({ lifecycle: { approvalThresholdGross: '50000' } });
});
afterAll(async () => {
  await stack?.stop();
});

async function person(name: string, roles: RoleName[]) {
  const who = await stack.auth.person(name, roles);
  return { id: who.id, as: { token: who.token } as CallAs, actor: `user:${who.id}` };
}

async function act(id: string, action: string, body: unknown, as: CallAs) {
  return stack.api(`/api/v1/invoices/${id}/actions/${action}`, { method: 'POST', body, as });
}

async function waitForStatus(id: string, status: string) {
  return eventually(async () => {
    const res = await stack.api(`/api/v1/invoices/${id}`, { as: 'monitor' });
    return res.status === 200 && res.body.status === status ? res.body : undefined;
  }, 90_000);
}

function big(invoice = sampleInvoice()) {
  return { ...invoice, lines: [{ ...invoice.lines![0], quantity: '1000', netAmount: '150000.00' }] };
}

async function rejectNextInvoice() {
  await fetch(`${stack.simulatorRootUrl}/_sim/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rejectInvoices: { count: 1, code: 450, description: 'Błąd weryfikacji semantyki dokumentu faktury', details: ['Nieprawidłowy NIP nabywcy'] } }),
  });
}

async function refusalsOf(invoiceId: string) {
  return stack.prisma.auditEvent.findMany({ where: { targetType: 'invoice', targetId: invoiceId, action: 'invoice.self-approval', result: 'refused' }, orderBy: { id: 'asc' } });
}

describe('who submitted or corrected an invoice may not approve it', () => {
  it('a person holding sender + corrector + approver cannot approve the invoice they submitted; the workflow refuses it too', async () => {
    const all = await person('all-roles', ['sender', 'corrector', 'approver']);
    const submit = await stack.api('/api/v1/invoices', { body: big(), as: all.as });
    expect(submit.status).toBe(202);
    const waiting = await waitForStatus(submit.body.id, 'AWAITING_APPROVAL');

    const self = await act(submit.body.id, 'approve', { note: 'looks fine to me' }, all.as);
    expect(self.status).toBe(403);
    expect(self.headers.get('content-type')).toContain('application/problem+json');
    expect(self.body.code).toBe('KSEFOPS_SELF_APPROVAL');
    expect(self.body.detail).toContain(`${all.actor} submitted this invoice`);
    const refusals = await refusalsOf(submit.body.id);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ actor: all.actor, details: expect.objectContaining({ attempted: 'approve', involvement: 'submitted' }) });

    // The rule lives in the workflow, not only in the API: a client talking to Temporal directly is refused as well.
    const direct = await stack.temporal.workflow
      .getHandle(waiting.workflowId)
      .executeUpdate(approveUpdate, { args: [{ by: all.actor }] })
      .catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((direct as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('KSEFOPS_SELF_APPROVAL');
    expect((await stack.api(`/api/v1/invoices/${submit.body.id}`, { as: 'monitor' })).body.status).toBe('AWAITING_APPROVAL');

    const other = await person('second-pair-of-eyes', ['approver']);
    const approved = await act(submit.body.id, 'approve', { note: 'checked' }, other.as);
    expect(approved.status).toBe(200);
    await waitForStatus(submit.body.id, 'ACCEPTED');
    const decisions = await stack.prisma.auditEvent.findMany({ where: { targetId: submit.body.id, action: 'invoice.approve' } });
    expect(decisions.map((d) => d.actor)).toEqual([other.actor]);
  });

  it('whoever corrected an invoice (submitted by a source system\'s key) cannot approve it afterwards', async () => {
    await rejectNextInvoice();
    const invoice = sampleInvoice();
    const submit = await stack.api('/api/v1/invoices', { body: invoice, as: 'sender-key' });
    expect(submit.status).toBe(202);
    await waitForStatus(submit.body.id, 'REJECTED');

    const fixer = await person('fixer', ['corrector', 'approver']);
    // The correction raises the amount over the threshold: the corrected invoice needs an approver.
    const corrected = await act(submit.body.id, 'correct', big(invoice), fixer.as);
    expect(corrected.status).toBe(200);
    await waitForStatus(submit.body.id, 'AWAITING_APPROVAL');

    const self = await act(submit.body.id, 'approve', {}, fixer.as);
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('KSEFOPS_SELF_APPROVAL');
    expect(self.body.detail).toContain(`${fixer.actor} corrected this invoice`);
    expect((await refusalsOf(submit.body.id)).map((r) => r.actor)).toEqual([fixer.actor]);

    // The key is a source system, not a person: any approver who did not correct it may approve.
    const approved = await act(submit.body.id, 'approve', {}, 'approver');
    expect(approved.status).toBe(200);
    await waitForStatus(submit.body.id, 'ACCEPTED');
  });

  it('an approval covers the data the approver saw: corrected data is approved again, not by its corrector', async () => {
    const first = await person('first-approver', ['approver']);
    const original = big();
    const submit = await stack.api('/api/v1/invoices', { body: original, as: 'sender-key' });
    expect(submit.status).toBe(202);
    await waitForStatus(submit.body.id, 'AWAITING_APPROVAL');
    await rejectNextInvoice();
    expect((await act(submit.body.id, 'approve', { note: '150 000 checked' }, first.as)).status).toBe(200);
    await waitForStatus(submit.body.id, 'REJECTED');

    // The corrector changes the amount of an approved invoice: it may not leave on the old approval.
    const fixer = await person('amount-fixer', ['corrector', 'approver']);
    const changed = { ...original, lines: [{ ...original.lines[0], quantity: '900', netAmount: '135000.00' }] };
    expect((await act(submit.body.id, 'correct', changed, fixer.as)).status).toBe(200);
    await waitForStatus(submit.body.id, 'AWAITING_APPROVAL');
    const self = await act(submit.body.id, 'approve', {}, fixer.as);
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('KSEFOPS_SELF_APPROVAL');
    expect((await act(submit.body.id, 'approve', { note: '135 000 checked' }, first.as)).status).toBe(200);
    await waitForStatus(submit.body.id, 'ACCEPTED');
    const approvals = await stack.prisma.auditEvent.findMany({ where: { targetId: submit.body.id, action: 'invoice.approve' }, orderBy: { id: 'asc' } });
    expect(approvals.map((a) => a.actor)).toEqual([first.actor, first.actor]);
  });

  it('a manual exception is not approved by the person who submitted the invoice', async () => {
    await rejectNextInvoice();
    const submitter = await person('submitter', ['sender', 'approver']);
    const submit = await stack.api('/api/v1/invoices', { body: sampleInvoice(), as: submitter.as });
    expect(submit.status).toBe(202);
    await waitForStatus(submit.body.id, 'REJECTED');

    const requested = await act(submit.body.id, 'request-manual-exception', { reason: 'Wystawiona poza KSeF w trybie awaryjnym' }, 'corrector');
    expect(requested.status).toBe(200);
    const self = await act(submit.body.id, 'approve-manual-exception', {}, submitter.as);
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('KSEFOPS_SELF_APPROVAL');
    expect((await refusalsOf(submit.body.id))[0]).toMatchObject({ actor: submitter.actor, details: expect.objectContaining({ attempted: 'approve-manual-exception', involvement: 'submitted' }) });

    const approved = await act(submit.body.id, 'approve-manual-exception', {}, 'approver');
    expect(approved.status).toBe(200);
    await waitForStatus(submit.body.id, 'MANUAL_EXCEPTION');
  });
});

describe('roles', () => {
  it('an admin cannot grant themselves roles (403, audited); another admin can; name changes stay allowed', async () => {
    const admin = stack.auth.users.admin;
    const grab = await stack.api(`/api/v1/users/${admin.id}`, { method: 'PATCH', body: { roles: ['admin', 'approver'] }, as: 'admin' });
    expect(grab.status).toBe(403);
    expect(grab.body.code).toBe('KSEFOPS_SELF_ROLE_CHANGE');
    expect(grab.body.errors[0]).toMatchObject({ field: 'roles', path: ['roles'] });
    expect((await stack.prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).roles).toEqual(['admin']);
    const refused = await stack.prisma.auditEvent.findFirst({ where: { targetType: 'user', targetId: admin.id, action: 'user.update', result: 'refused-own-roles' } });
    expect(refused).toMatchObject({ actor: `user:${admin.id}`, details: expect.objectContaining({ requested: { roles: ['admin', 'approver'] } }) });

    const renamed = await stack.api(`/api/v1/users/${admin.id}`, { method: 'PATCH', body: { name: 'Admin A', roles: ['admin'] }, as: 'admin' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Admin A');

    const colleague = await person('second-admin', ['admin']);
    const granted = await stack.api(`/api/v1/users/${admin.id}`, { method: 'PATCH', body: { roles: ['admin', 'monitor'] }, as: colleague.as });
    expect(granted.status).toBe(200);
    expect(granted.body.roles).toEqual(['admin', 'monitor']);
  });

  it('the bus-factor report names people holding conflicting roles, and only them', async () => {
    const all = await person('all-roles', ['sender', 'corrector', 'approver']);
    const report = await stack.api('/api/v1/reports/bus-factor', { as: 'monitor' });
    expect(report.status).toBe(200);
    expect(report.body.separationOk).toBe(false);
    const byId = new Map<string, { conflicts: string[]; roles: string[] }>(report.body.conflicts.map((c: { id: string; conflicts: string[]; roles: string[] }) => [c.id, c]));
    expect(byId.get(all.id)?.conflicts).toEqual(['sender+approver', 'corrector+approver']);
    expect(byId.get(stack.auth.users.operator.id)?.conflicts).toEqual(['sender+approver', 'corrector+approver', 'admin+approver']);
    expect(byId.has(stack.auth.users.approver.id)).toBe(false);
    expect(byId.has(stack.auth.users.corrector.id)).toBe(false);
  });
});
