/**
 * Alerts reach a named person through a real SMTP server and a real chat webhook receiver: routed by
 * the responsibility map (most specific rule wins), escalated when the SLA passes, and a storm of
 * rejections becomes one immediate mail plus one digest.
 */
import { randomUUID } from 'node:crypto';
import { sweepNow } from '../../worker/operations-sweep';
import { startHttpReceiver, type HttpReceiver } from '../support/http-receiver';
import { sampleInvoice } from '../support/invoices';
import { startSmtpSink, type SmtpSink } from '../support/smtp';
import { eventually, startStack, type TestStack } from '../support/stack';

jest.setTimeout(300000);

let stack: TestStack;
let smtp: SmtpSink;
let chat: HttpReceiver;
const tag = randomUUID().slice(0, 8);

beforeAll(async () => {
  smtp = await startSmtpSink();
  chat = await startHttpReceiver();
  stack = await startStack({
    lifecycle: { triageSlaMs: 4000 },
    alertingOptions: { smtp: { url: smtp.url, from: 'ksef-ops@test.local' }, webhookUrl: `${chat.url}/chat`, dedupWindowMs: 10 * 60 * 1000 },
  });
});
afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
  await chat?.close();
});

async function rejectNext(count: number) {
  const res = await fetch(`${stack.simulatorRootUrl}/_sim/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rejectInvoices: { count, code: 450, description: 'Błąd weryfikacji semantyki dokumentu faktury', details: ['Nieprawidłowy NIP nabywcy'] } }),
  });
  expect(res.status).toBeLessThan(300);
}

async function addRule(rule: Record<string, unknown>) {
  const res = await stack.api('/api/v1/responsibility-rules', { body: rule, as: 'admin' });
  expect(res.status).toBe(201);
  return res.body;
}

async function waitForStatus(id: string, status: string) {
  return eventually(async () => {
    const res = await stack.api(`/api/v1/invoices/${id}`);
    return res.status === 200 && res.body.status === status ? res.body : undefined;
  }, 180000);
}

describe('alerts: responsibility map, SMTP, webhook, escalation, digest', () => {
  it('sends a rejection to the owner named by the most specific rule (mail + chat webhook), then escalates when the SLA passes', async () => {
    const source = `alerts-a-${tag}`;
    const owner = `triage-${tag}@example.test`;
    const lead = `lead-${tag}@example.test`;
    await addRule({ sourceSystem: source, owner: `general-${tag}@example.test` });
    await addRule({ sourceSystem: source, errorClass: 'ksef-rejection', role: 'corrector', owner, escalation: [lead] });
    const resolved = await stack.api(`/api/v1/responsibility-rules/resolve?sourceSystem=${source}&errorClass=ksef-rejection`, { as: 'monitor' });
    expect(resolved.body.chain).toEqual([owner, lead]);

    await rejectNext(1);
    const invoice = sampleInvoice({ sourceSystem: source });
    const submit = await stack.api('/api/v1/invoices', { body: invoice });
    expect(submit.status).toBe(202);
    await waitForStatus(submit.body.id, 'REJECTED');

    const mail = await smtp.waitFor((m) => m.to.includes(owner) && m.subject.includes(invoice.invoiceNumber));
    expect(mail.subject).toContain('KSeF rejected an invoice');
    expect(mail.subject).toContain('KSEF_450');
    expect(mail.text).toContain('Nieprawidłowy NIP nabywcy');
    expect(mail.text).toContain(`Responsible: ${owner} (role corrector)`);
    expect(mail.text).toContain(`/api/v1/invoices/${submit.body.id}`);
    expect(smtp.messages.some((m) => m.to.includes(`general-${tag}@example.test`))).toBe(false);

    const posted = await chat.waitFor((r) => r.path === '/chat' && r.body?.alert?.registryId === submit.body.id && r.body.alert.kind === 'triage');
    expect(posted.headers['content-type']).toContain('application/json');
    expect(posted.body.text).toContain(invoice.invoiceNumber);
    expect(posted.body.alert).toMatchObject({ owner, errorClass: 'ksef-rejection', errorCode: 'KSEF_450', escalationLevel: 0 });

    // Nobody reacts within the SLA (4 s here): the next person in the chain is told, the owner in copy.
    const escalation = await smtp.waitFor((m) => m.to.includes(lead) && m.subject.includes(invoice.invoiceNumber));
    expect(escalation.subject).toContain('SLA missed: escalation level 1');
    expect(escalation.headers.cc).toContain(owner);
    expect(escalation.text).toContain(`${owner} did not react in time`);

    const audit = await stack.api(`/api/v1/audit?targetType=invoice&targetId=${submit.body.id}&action=alert.*`, { as: 'monitor' });
    expect(audit.body.items.map((e: { action: string; result: string }) => `${e.action} ${e.result}`)).toEqual(
      expect.arrayContaining([`alert.triage notified ${owner}`, `alert.sla-missed notified ${lead}`]),
    );

    const cancelled = await stack.api(`/api/v1/invoices/${submit.body.id}/actions/cancel`, { body: { note: 'test done' }, as: 'corrector' });
    expect(cancelled.status).toBe(200);
  });

  it('folds a storm of rejections into one immediate mail plus one digest', async () => {
    const source = `alerts-storm-${tag}`;
    const owner = `storm-${tag}@example.test`;
    await addRule({ sourceSystem: source, owner });
    const storm = 8;
    await rejectNext(storm);
    const invoices = Array.from({ length: storm }, () => sampleInvoice({ sourceSystem: source }));
    const submitted = await Promise.all(invoices.map((body) => stack.api('/api/v1/invoices', { body })));
    expect(submitted.map((s) => s.status)).toEqual(Array(storm).fill(202));
    await eventually(async () => (await stack.prisma.alert.count({ where: { sourceSystem: source, kind: 'triage' } })) === storm, 180000);
    // The alert row is written before its mail leaves: wait for the mail, then count.
    await smtp.waitFor((m) => m.to.includes(owner) && m.subject.includes('KSeF rejected an invoice'));

    const immediate = smtp.messages.filter((m) => m.to.includes(owner) && m.subject.includes('KSeF rejected an invoice'));
    expect(immediate).toHaveLength(1);
    expect(await stack.prisma.alert.count({ where: { sourceSystem: source, kind: 'triage', state: 'FOLDED' } })).toBe(storm - 1);

    await sweepNow(stack.temporal, stack.taskQueue, { digest: true });
    const digest = await smtp.waitFor((m) => m.to.includes(owner) && m.subject.includes('Digest'));
    expect(digest.text).toContain(`${storm - 1} × KSeF rejected an invoice: triage needed (KSEF_450, source ${source}`);
    const others = invoices.filter((i) => !immediate[0].subject.includes(i.invoiceNumber)).map((i) => i.invoiceNumber);
    for (const number of others) expect(digest.text).toContain(number);
    // Still one immediate mail: the storm did not become eight.
    expect(smtp.messages.filter((m) => m.to.includes(owner) && m.subject.includes('KSeF rejected an invoice'))).toHaveLength(1);
    expect(await stack.prisma.alert.count({ where: { sourceSystem: source, kind: 'triage', state: 'FOLDED' } })).toBe(0);
    const chatDigest = await chat.waitFor((r) => r.body?.digest?.recipient === owner);
    expect(chatDigest.body.text).toContain('Digest');

    for (const s of submitted) await stack.api(`/api/v1/invoices/${s.body.id}/actions/cancel`, { body: {}, as: 'corrector' });
  });
});
