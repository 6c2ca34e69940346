/**
 * The stuck-invoice sweep trusts the registry, not the workflow: an invoice whose status outlives its
 * SLA raises exactly one alert per episode — to the person the responsibility map names, with a link
 * to the invoice's page in the UI — an audit row, the dashboard's "stuck" figure and the registry's
 * stuck=true filter; still stuck later, it escalates once; when the invoice moves on, stuck is 0 again.
 * Two real ways to get stuck: an invoice waiting for an approver past a (test-short) SLA, and an
 * invoice whose worker stopped and whose workflow is gone while it was on its way to KSeF.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { defaultStuckSlas, type StuckSweepSettings } from '../../config/stuck-slas';
import { sampleInvoice } from '../support/invoices';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp';
import { eventually, startStack, type TestStack } from '../support/stack';
import { TEST_PASSWORD } from '../support/auth';
import { launchChromium, openDesktopPage } from '../browser/chromium';

jest.setTimeout(300_000);

const PUBLIC_URL = 'https://ksef-ops.example.test';
const tag = randomUUID().slice(0, 8);
const STUCK: StuckSweepSettings = {
  // Short SLAs only for the two statuses this file makes stuck; the rest keep their defaults.
  slaMs: { ...defaultStuckSlas(8 * 3_600_000), AWAITING_APPROVAL: 2000, SENDING: 2000, SENT: 2000 },
  realertAfterMs: 12_000,
  batchSize: 500,
};

let smtp: SmtpSink;
let stack: TestStack;
let browser: Browser | undefined;

beforeAll(async () => {
  smtp = await startSmtpSink();
  stack = await startStack({
    lifecycle: { approvalThresholdGross: '0.01' },
    alertingOptions: { smtp: { url: smtp.url, from: 'ksef-ops@test.local' }, publicUrl: PUBLIC_URL },
    // The checks (and with them the sweep) every second instead of every 5 minutes.
    operations: { sweep: { checksEveryMs: 1000 }, stuck: STUCK },
  });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await smtp?.close();
});

async function addRule(sourceSystem: string, owner: string, escalation: string[] = []) {
  const res = await stack.api('/api/v1/responsibility-rules', { body: { sourceSystem, owner, escalation }, as: 'admin' });
  expect(res.status).toBe(201);
}

const stuckMails = (number: string) => smtp.messages.filter((m) => m.subject.includes(number) && m.subject.includes('INVOICE_STUCK_'));

async function dashboardStuck(sourceSystem: string): Promise<number> {
  const res = await stack.api(`/api/v1/dashboard?sourceSystem=${sourceSystem}`, { as: 'monitor' });
  expect(res.status).toBe(200);
  return res.body.stuck.total;
}

async function listedStuck(sourceSystem: string): Promise<string[]> {
  const res = await stack.api(`/api/v1/invoices?stuck=true&sourceSystem=${sourceSystem}`);
  expect(res.status).toBe(200);
  return res.body.items.map((i: { id: string }) => i.id);
}

/** Completed runs of the periodic checks (and with them the stuck-invoice sweep) so far. */
async function completedChecks(): Promise<number> {
  const events = (await stack.temporal.workflow.getHandle(`operations-sweep/${stack.taskQueue}`).fetchHistory()).events ?? [];
  const checks = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runAlertChecks').map((e) => String(e.eventId)));
  return events.filter((e) => e.activityTaskCompletedEventAttributes && checks.has(String(e.activityTaskCompletedEventAttributes.scheduledEventId))).length;
}

/** The dashboard's "stuck" figure as finance sees it, in Chromium. */
async function stuckKpiInBrowser(page: Page, sourceSystem: string): Promise<string | undefined> {
  await page.goto(`${stack.apiUrl}/ui/dashboard?sourceSystem=${sourceSystem}`);
  await page.getByTestId('dashboard-data').waitFor();
  return (await page.getByTestId('kpi-stuck').locator('.kpi-value').textContent())?.trim();
}

function expectLinkAndOwner(mail: ReceivedMail, owner: string, id: string) {
  expect(mail.to).toContain(owner);
  expect(mail.text).toContain(`${PUBLIC_URL}/ui/invoices/${id}`);
}

describe('stuck-invoice sweep', () => {
  it('an approval past its SLA: one alert to the owner with the link, dashboard stuck=1, one escalation later; approved → stuck 0', async () => {
    const source = `stuck-a-${tag}`;
    const owner = `approvals-${tag}@example.test`;
    const lead = `lead-${tag}@example.test`;
    await addRule(source, owner, [lead]);
    const invoice = sampleInvoice({ sourceSystem: source });
    const submit = await stack.api('/api/v1/invoices', { body: invoice });
    expect(submit.status).toBe(202);
    const id = submit.body.id as string;
    await eventually(async () => (await stack.prisma.invoice.findUnique({ where: { id } }))?.status === 'AWAITING_APPROVAL', 60_000, 100);

    const first = await smtp.waitFor((m) => m.subject.includes(invoice.invoiceNumber) && m.subject.includes('INVOICE_STUCK_AWAITING_APPROVAL'), 30_000);
    expectLinkAndOwner(first, owner, id);
    expect(first.subject).toContain('Invoice stuck');
    expect(first.text).toContain('Status AWAITING_APPROVAL');
    expect(await dashboardStuck(source)).toBe(1);
    expect(await listedStuck(source)).toEqual([id]);
    expect((await stack.api(`/api/v1/invoices?stuck=false&sourceSystem=${source}`)).body.items).toEqual([]);
    expect((await stack.api('/api/v1/invoices?stuck=maybe')).status).toBe(400);

    // Three more sweeps ran (counted in the operations sweep's history); the episode is not alerted
    // again before realertAfterMs.
    const runsNow = await completedChecks();
    await eventually(async () => (await completedChecks()) >= runsNow + 3, 30_000, 200);
    expect(stuckMails(invoice.invoiceNumber)).toHaveLength(1);
    expect(await stack.prisma.auditEvent.count({ where: { targetId: id, action: 'invoice.stuck' } })).toBe(1);

    // Finance sees it on the dashboard in the browser.
    browser = await launchChromium();
    const page = await openDesktopPage(browser);
    const monitor = await stack.auth.person('mona', ['monitor']);
    await page.goto(`${stack.apiUrl}/ui`);
    await page.getByTestId('login-email').fill(monitor.email);
    await page.getByTestId('login-password').fill(TEST_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('signed-in-as').waitFor();
    expect(await stuckKpiInBrowser(page, source)).toBe('1');

    // Still stuck after realertAfterMs: once more, one level up the chain (the owner in copy).
    const escalated = await smtp.waitFor((m) => m.subject.includes(invoice.invoiceNumber) && m.subject.includes('escalation level 1'), 30_000);
    expect(escalated.to).toContain(lead);
    expect(escalated.text).toContain(`${PUBLIC_URL}/ui/invoices/${id}`);
    expect(stuckMails(invoice.invoiceNumber)).toHaveLength(2);

    const approve = await stack.api(`/api/v1/invoices/${id}/actions/approve`, { body: { note: 'ok' }, as: 'approver' });
    expect(approve.status).toBe(200);
    await eventually(async () => (await stack.prisma.invoice.findUnique({ where: { id } }))?.status === 'ACCEPTED', 90_000, 200);
    expect(await dashboardStuck(source)).toBe(0);
    expect(await stuckKpiInBrowser(page, source)).toBe('0');
    expect(await listedStuck(source)).toEqual([]);
    const audit = await stack.prisma.auditEvent.findMany({ where: { targetId: id, action: 'invoice.stuck' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.result)).toEqual([`alerted ${owner}`, `escalated to ${lead} (level 1)`]);

    // The sweep costs no Temporal action of its own: the operations sweep's history holds only the
    // activities it had before (the stuck sweep runs inside runAlertChecks).
    const types = new Set<string>();
    const history = await stack.temporal.workflow.getHandle(`operations-sweep/${stack.taskQueue}`).fetchHistory();
    for (const event of history.events ?? []) if (event.activityTaskScheduledEventAttributes) types.add(event.activityTaskScheduledEventAttributes.activityType?.name ?? '');
    expect(types).toContain('runAlertChecks');
    expect([...types].filter((t) => !['deliverStatusWebhooks', 'sweepAlertDigests', 'runAlertChecks'].includes(t))).toEqual([]);
  });

  it('the worker stops mid-flight and its workflow is gone: the registry still says SENDING/SENT, and the sweep alerts', async () => {
    const source = `stuck-b-${tag}`;
    const owner = `ops-${tag}@example.test`;
    await addRule(source, owner);
    // A stack of its own whose KSeF takes a minute to answer: the invoice is on its way (SENDING or SENT)
    // when its worker is stopped (stop() also terminates the stack's workflows). Its sweep is off: this
    // file's main stack — another task queue, another worker — is the one that notices.
    const doomed = await startStack({ simulator: { processingDelayMs: 60_000 } });
    let stopped = false;
    try {
      const invoice = sampleInvoice({ sourceSystem: source });
      const submit = await doomed.api('/api/v1/invoices', { body: invoice });
      expect(submit.status).toBe(202);
      const id = submit.body.id as string;
      await eventually(async () => ['SENDING', 'SENT'].includes((await stack.prisma.invoice.findUnique({ where: { id } }))?.status ?? ''), 60_000, 100);
      await doomed.stop();
      stopped = true;
      const frozen = (await stack.prisma.invoice.findUniqueOrThrow({ where: { id } })).status;

      const mail = await smtp.waitFor((m) => m.subject.includes(invoice.invoiceNumber) && m.subject.includes(`INVOICE_STUCK_${frozen}`), 30_000);
      expectLinkAndOwner(mail, owner, id);
      expect(await dashboardStuck(source)).toBe(1);
      expect(await listedStuck(source)).toEqual([id]);
      const row = await stack.prisma.invoice.findUniqueOrThrow({ where: { id } });
      expect(row.status).toBe(frozen);
      // (The mail parser of test/support/smtp.ts decodes %XX, so the workflow id is compared decoded.)
      expect(mail.text).toContain(`its workflow ${decodeURIComponent(row.workflowId)} may be blocked, failed, or without a worker`);
      expect(row.stuckSince?.getTime()).toBe(row.statusChangedAt.getTime());
    } finally {
      if (!stopped) await doomed.stop();
    }
  });
});
