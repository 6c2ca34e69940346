import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TEST_PASSWORD } from '../support/auth';
import { sampleInvoice } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';
import { freshDatabase } from '../support/fresh-database';
import { ARTIFACTS, keepLastState, launchChromium, openDesktopPage, waitForCount } from './chromium';

let stack: TestStack;
let browser: Browser;
let page: Page;
const source = `fin-${randomUUID().slice(0, 8)}`;

// The dashboard counts everything in its database: a database of its own keeps other files' invoices out.
let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;

beforeAll(async () => {
  database = await freshDatabase();
  stack = await startStack({ databaseUrl: database.url });
  browser = await launchChromium();
  page = await openDesktopPage(browser);
});
afterEach(() => keepLastState(page));
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await database?.drop();
});

async function noHorizontalOverflow() {
  const width = await page.evaluate('document.documentElement.scrollWidth');
  expect(width).toBeLessThanOrEqual(1280);
}

async function kpi(id: string) {
  return (await page.getByTestId(`kpi-${id}`).locator('.kpi-value').textContent())?.trim();
}

async function openDashboard() {
  await page.getByTestId('nav-dashboard').click();
  await page.getByTestId('dash-source').fill(source);
  await page.getByTestId('dash-show').click();
  await page.getByTestId('dashboard-data').waitFor();
}

describe('finance journey in Chromium', () => {
  it('finds a rejected invoice, corrects it through the form, sees it accepted and the dashboard move', async () => {
    // The process before: nothing for this source system yet.
    // Anna works in finance: she corrects invoices and watches the process.
    const anna = await stack.auth.person('anna', ['corrector', 'monitor']);
    await page.goto(`${stack.apiUrl}/ui`);
    await page.getByTestId('login-email').fill(anna.email);
    await page.getByTestId('login-password').fill(TEST_PASSWORD);
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe('anna');
    await openDashboard();
    await expect(kpi('rejected')).resolves.toBe('0');
    await expect(kpi('accepted')).resolves.toBe('0');

    // A source system submits two invoices: KSeF accepts the first and rejects the second.
    const good = await stack.api('/api/v1/invoices', { body: sampleInvoice({ sourceSystem: source }) });
    expect(good.status).toBe(202);
    await eventually(async () => (await stack.api(`/api/v1/invoices/${good.body.id}`)).body.status === 'ACCEPTED', 60_000);
    await fetch(`${stack.simulatorRootUrl}/_sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rejectInvoices: { count: 1, code: 450, description: 'Błąd weryfikacji semantyki dokumentu faktury', details: ['Nieprawidłowa nazwa nabywcy'] } }),
    });
    const invoice = sampleInvoice({ sourceSystem: source });
    const submitted = await stack.api('/api/v1/invoices', { body: invoice });
    expect(submitted.status).toBe(202);
    await eventually(async () => (await stack.api(`/api/v1/invoices/${submitted.body.id}`)).body.status === 'REJECTED', 60_000);
    // The delivery protocol travels with the invoice as an attachment (uploaded by the source system's operator).
    const form = new FormData();
    form.append('invoiceId', submitted.body.id);
    form.append('owner', 'anna@example.com');
    form.append('file', new Blob(['%PDF-1.7\n% protokół dostawy\n'], { type: 'application/pdf' }), 'protokol-dostawy.pdf');
    const attached = await fetch(`${stack.apiUrl}/api/v1/attachments`, { method: 'POST', body: form, headers: await stack.auth.headersFor() });
    expect(attached.status).toBe(201);
    const attachment = (await attached.json()) as { id: string; contentUrl: string };

    // Registry: filter the rejected ones.
    await page.goto(`${stack.apiUrl}/ui?sourceSystem=${source}`);
    await waitForCount(page, '[data-testid=registry-row]', 2);
    await page.getByTestId('group-rejected').click();
    await page.waitForURL(/status=rejected/);
    await waitForCount(page, '[data-testid=registry-row]', 1);
    const rows = page.getByTestId('registry-row');
    const row = rows.first();
    await expect(row.textContent()).resolves.toContain(invoice.invoiceNumber);
    await expect(row.locator('[data-status]').textContent()).resolves.toBe('Odrzucona przez KSeF');
    await expect(row.textContent()).resolves.toContain('KSEF_450');
    await expect(row.textContent()).resolves.toContain('Popraw dane lub wyślij ponownie');
    await noHorizontalOverflow();
    await page.screenshot({ path: path.join(ARTIFACTS, 'registry.png'), fullPage: true });

    // Invoice: read the reason, try a wrong date (field-level message), then correct the buyer.
    await row.click();
    await page.getByTestId('invoice-page').waitFor();
    await expect(page.getByTestId('rejection-reason').textContent()).resolves.toContain('Błąd weryfikacji semantyki dokumentu faktury');
    const attachmentRow = page.getByTestId('attachment-row');
    await expect(attachmentRow.count()).resolves.toBe(1);
    await expect(attachmentRow.getAttribute('data-attachment-id')).resolves.toBe(attachment.id);
    await expect(attachmentRow.textContent()).resolves.toContain('application/pdf');
    await expect(attachmentRow.textContent()).resolves.toContain('anna@example.com');
    await expect(attachmentRow.getByTestId('attachment-state').textContent()).resolves.toBe('aktywny');
    await expect(page.getByTestId('attachment-download').textContent()).resolves.toBe('protokol-dostawy.pdf');
    await expect(page.getByTestId('attachment-download').getAttribute('href')).resolves.toBe(attachment.contentUrl);
    // The link works with the browser's own session cookie.
    const downloaded = await page.evaluate(async (url) => (await fetch(url, { credentials: 'same-origin' })).text(), attachment.contentUrl);
    expect(downloaded).toContain('protokół dostawy');
    await page.getByTestId('field-issueDate').fill('2026-13-45');
    await page.getByTestId('submit-correction').click();
    await expect(page.getByTestId('error-issueDate').textContent()).resolves.toContain('is not a real calendar date');
    await expect(page.getByTestId('correction-problem').textContent()).resolves.toContain('400');
    await noHorizontalOverflow();
    await page.screenshot({ path: path.join(ARTIFACTS, 'invoice-correction.png'), fullPage: true });
    await page.getByTestId('field-issueDate').fill(invoice.issueDate!);
    await page.getByTestId('field-buyer.name').fill('Odbiorca Poprawiony S.A.');
    await page.getByTestId('submit-correction').click();

    await page.locator('[data-testid="invoice-page"][data-status="ACCEPTED"]').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('ksef-number').textContent()).resolves.toMatch(/^\d{10}-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/);
    await expect(page.getByTestId('buyer-name').textContent()).resolves.toContain('Odbiorca Poprawiony S.A.');
    await expect(page.getByTestId('upo').getAttribute('href')).resolves.toBe(`/api/v1/invoices/${submitted.body.id}/upo`);
    const timeline = await page.getByTestId('timeline').textContent();
    expect(timeline).toContain('Korekta danych');
    expect(timeline).toContain('anna');
    await noHorizontalOverflow();
    await page.screenshot({ path: path.join(ARTIFACTS, 'invoice.png'), fullPage: true });

    // Dashboard: one rejection, two acceptances (one after the fix), time to fix measured.
    await openDashboard();
    await expect(kpi('rejected')).resolves.toBe('1');
    await expect(kpi('accepted')).resolves.toBe('2');
    await expect(kpi('submitted')).resolves.toBe('2');
    await expect(kpi('rejection-rate')).resolves.toBe('33,3%');
    await expect(kpi('fix')).resolves.not.toBe('–');
    await expect(page.getByTestId('chart-reasons').textContent()).resolves.toContain('KSEF_450');
    await noHorizontalOverflow();
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    // English labels on request.
    await page.getByTestId('lang-en').click();
    await expect(page.getByTestId('kpi-rejection-rate').locator('.kpi-label').textContent()).resolves.toBe('Rejection rate');
    await expect(page.getByTestId('nav-registry').textContent()).resolves.toBe('Registry');
  });
});
