/**
 * Rules that need approval (rule → AWAITING_APPROVAL → only an approver releases it → accepted),
 * signed status webhooks to a real HTTP receiver (retried, in order, logged), and the audit log
 * (search with cursor paging, CSV export, append-only through the API as in the database).
 */
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../activities/webhooks/signature';
import { startHttpReceiver, type HttpReceiver } from '../support/http-receiver';
import { sampleInvoice } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';

jest.setTimeout(300000);

let stack: TestStack;
let receiver: HttpReceiver;
const tag = randomUUID().slice(0, 8);
const started = new Date(Date.now() - 1000);

beforeAll(async () => {
  receiver = await startHttpReceiver();
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

async function waitForStatus(id: string, status: string) {
  return eventually(async () => {
    const res = await stack.api(`/api/v1/invoices/${id}`);
    return res.status === 200 && res.body.status === status ? res.body : undefined;
  }, 180000);
}

describe('approval rules', () => {
  let invoiceId: string;

  it('holds an invoice matching a rule for approval; a sender or corrector may not approve, an approver may', async () => {
    const source = `approvals-${tag}`;
    const incomplete = await stack.api('/api/v1/approval-rules', { body: { name: 'nothing' }, as: 'admin' });
    expect(incomplete.status).toBe(400);
    const rule = await stack.api('/api/v1/approval-rules', { body: { name: `Key customer ${tag}`, buyerNips: ['7770001111'], sourceSystems: [source] }, as: 'admin' });
    expect(rule.status).toBe(201);
    expect((await stack.api('/api/v1/approval-rules', { body: { name: 'x', minGross: '1' }, as: 'approver' })).status).toBe(403);

    const submit = await stack.api('/api/v1/invoices', { body: sampleInvoice({ sourceSystem: source }) });
    expect(submit.status).toBe(202);
    invoiceId = submit.body.id;
    await waitForStatus(invoiceId, 'AWAITING_APPROVAL');

    for (const as of ['sender', 'corrector', 'monitor', 'admin'] as const) {
      const refused = await stack.api(`/api/v1/invoices/${invoiceId}/actions/approve`, { body: { note: 'me?' }, as });
      expect(`${as}: ${refused.status} ${refused.body.code}`).toBe(`${as}: 403 KSEFOPS_FORBIDDEN`);
    }
    const approved = await stack.api(`/api/v1/invoices/${invoiceId}/actions/approve`, { body: { note: 'checked the contract' }, as: 'approver' });
    expect(approved.status).toBe(200);
    const done = await waitForStatus(invoiceId, 'ACCEPTED');
    expect(done.ksefNumber).toBeTruthy();

    const held = await stack.prisma.auditEvent.findFirst({ where: { targetId: invoiceId, action: 'invoice.approval-required' } });
    expect(held?.result).toBe(`Key customer ${tag}`);
    const decision = await stack.prisma.auditEvent.findFirst({ where: { targetId: invoiceId, action: 'invoice.approve' } });
    expect(decision?.actor).toBe(`user:${stack.auth.users.approver.id}`);
    const alert = await stack.prisma.alert.findFirst({ where: { registryId: invoiceId, kind: 'approval-needed' } });
    expect(alert?.reason).toContain(`Rule "Key customer ${tag}": buyer 7770001111 is on the list, source system ${source}`);
  });

  it('reports exceptions and approvals per period', async () => {
    const report = await stack.api(`/api/v1/reports/approvals?from=${started.toISOString()}&to=${new Date(Date.now() + 60000).toISOString()}`, { as: 'approver' });
    expect(report.status).toBe(200);
    const item = report.body.items.find((i: { invoiceId: string }) => i.invoiceId === invoiceId);
    expect(item).toMatchObject({ decision: 'approved', decidedBy: `user:${stack.auth.users.approver.id}`, note: 'checked the contract', status: 'ACCEPTED' });
    expect(item.rule.name).toBe(`Key customer ${tag}`);
    expect(report.body.totals.approved).toBeGreaterThanOrEqual(1);
    expect(report.body.byRule).toEqual(expect.arrayContaining([expect.objectContaining({ name: `Key customer ${tag}`, count: 1 })]));
    expect((await stack.api('/api/v1/reports/approvals?from=yesterday', { as: 'approver' })).status).toBe(400);
  });
});

describe('status webhooks to source systems', () => {
  it('delivers every status change, signed with the subscription secret, in order, retrying a failing receiver', async () => {
    const source = `hooks-${tag}`;
    const sub = await stack.api('/api/v1/webhooks', { body: { sourceSystem: source, url: `${receiver.url}/ksef-status` }, as: 'admin' });
    expect(sub.status).toBe(201);
    expect(sub.body.secret).toMatch(/^whsec_/);
    receiver.failNext(1);

    const invoice = sampleInvoice({ sourceSystem: source });
    const submit = await stack.api('/api/v1/invoices', { body: invoice });
    const done = await waitForStatus(submit.body.id, 'ACCEPTED');
    const final = await receiver.waitFor((r) => r.body?.invoice?.id === submit.body.id && r.body.invoice.status === 'ACCEPTED', 180000);

    for (const r of receiver.requests.filter((x) => x.body?.invoice?.id === submit.body.id)) {
      const timestamp = Number(r.headers[TIMESTAMP_HEADER]);
      expect(verifySignature(sub.body.secret, timestamp, r.rawBody, String(r.headers[SIGNATURE_HEADER]))).toBe(true);
      expect(verifySignature('whsec_wrong', timestamp, r.rawBody, String(r.headers[SIGNATURE_HEADER]))).toBe(false);
    }
    expect(final.body).toMatchObject({ event: 'invoice.status', invoice: { invoiceNumber: invoice.invoiceNumber, sourceSystem: source, status: 'ACCEPTED', ksefNumber: done.ksefNumber } });

    const log = await stack.api(`/api/v1/webhooks/deliveries?invoiceId=${submit.body.id}&limit=100`, { as: 'monitor' });
    expect(log.status).toBe(200);
    const entries = [...log.body.items].reverse();
    expect(entries.every((d: { state: string }) => d.state === 'DELIVERED')).toBe(true);
    expect(entries[0].attempts).toBe(2);
    expect(entries[0].lastError).toBeNull();
    // The receiver saw the statuses in the order they happened.
    const seen = receiver.requests.filter((x) => x.body?.invoice?.id === submit.body.id).map((x) => x.body.invoice.status);
    expect(seen).toEqual(entries.map((d: { status: string }) => d.status));
    expect(seen[seen.length - 1]).toBe('ACCEPTED');
    expect(seen).toContain('SENT');
  });
});

describe('audit log', () => {
  it('is searchable by target, action, actor and time with cursor paging', async () => {
    const approvals = await stack.api(`/api/v1/audit?actor=user:${stack.auth.users.approver.id}&action=invoice.*`, { as: 'monitor' });
    expect(approvals.body.items.map((e: { action: string }) => e.action)).toContain('invoice.approve');
    expect(approvals.body.items[0].actorLabel).toBe(stack.auth.users.approver.email);

    const all = await stack.prisma.auditEvent.count({ where: { at: { gte: started } } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await stack.api(
        `/api/v1/audit?from=${started.toISOString()}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        { as: 'monitor' },
      );
      seen.push(...page.body.items.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor && seen.length < all + 50);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(all);

    const future = await stack.api(`/api/v1/audit?from=${new Date(Date.now() + 3600000).toISOString()}`, { as: 'monitor' });
    expect(future.body.items).toEqual([]);
    expect((await stack.api('/api/v1/audit?from=not-a-date', { as: 'monitor' })).body.code).toBe('INVALID_QUERY');
  });

  it('exports CSV for auditors', async () => {
    const response = await fetch(`${stack.apiUrl}/api/v1/audit/export.csv?actor=user:${stack.auth.users.approver.id}`, { headers: await stack.auth.headersFor('monitor') });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const text = await response.text();
    const lines = text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('id;at;actor;actor_label;action;target_type;target_id;result;details');
    expect(lines.some((l) => l.includes(';invoice.approve;invoice;') && l.includes(stack.auth.users.approver.email))).toBe(true);
  });

  it('cannot be changed or deleted through the API, nor in the database', async () => {
    const latest = (await stack.api('/api/v1/audit?limit=1', { as: 'admin' })).body.items[0];
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await stack.api(`/api/v1/audit/${latest.id}`, { method, body: method === 'DELETE' ? undefined : { result: 'changed' }, as: 'admin' });
      expect(`${method} ${res.status} ${res.body.code}`).toBe(`${method} 405 KSEFOPS_AUDIT_APPEND_ONLY`);
    }
    expect((await stack.api('/api/v1/audit', { method: 'DELETE', as: 'admin' })).status).toBe(405);
    await expect(stack.prisma.auditEvent.update({ where: { id: BigInt(latest.id) }, data: { result: 'changed' } })).rejects.toThrow(/append-only/);
    await expect(stack.prisma.auditEvent.deleteMany({ where: { id: BigInt(latest.id) } })).rejects.toThrow(/append-only/);
    const again = await stack.prisma.auditEvent.findUnique({ where: { id: BigInt(latest.id) } });
    expect(again?.result).toBe(latest.result);
  });
});
