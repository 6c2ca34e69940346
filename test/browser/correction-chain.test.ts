import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { InvoiceInput } from '../../domain/invoice';
import type { InvoiceWorkflowState } from '../../workflows/contracts';
import { TEST_PASSWORD } from '../support/auth';
import { sampleInvoice } from '../support/invoices';
import { startStack, type TestStack } from '../support/stack';
import { ARTIFACTS, keepLastState, launchChromium, openDesktopPage } from './chromium';

/**
 * The correction chain in the registry UI: an invoice, its correction and the correction's own
 * correction (all accepted by the simulator) show as one tree with statuses on each invoice's page;
 * a settlement invoice and its advance show their link; a lone invoice shows no chain.
 */

let stack: TestStack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  page = await openDesktopPage(browser);
  const person = await stack.auth.person('ola', ['monitor']);
  await page.goto(`${stack.apiUrl}/ui`);
  await page.getByTestId('login-email').fill(person.email);
  await page.getByTestId('login-password').fill(TEST_PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe('ola');
});
afterEach(() => keepLastState(page));
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function accepted(invoice: InvoiceInput) {
  const res = await stack.api('/api/v1/invoices', { body: invoice });
  expect(res.status).toBe(202);
  const done = (await stack.temporal.workflow.getHandle(res.body.workflowId).result()) as InvoiceWorkflowState;
  expect(done.status).toBe('ACCEPTED');
  return { id: res.body.id as string, ksefNumber: done.ksefNumber as string, invoice };
}

const correctionOf = (original: { invoice: InvoiceInput; ksefNumber: string }) =>
  sampleInvoice({
    type: 'KOR',
    correction: { reason: 'Rabat posprzedażowy', effect: '2', correctedInvoices: [{ issueDate: original.invoice.issueDate!, number: original.invoice.invoiceNumber!, ksefNumber: original.ksefNumber }] },
    lines: [{ name: 'Rabat', unit: 'szt.', quantity: '1', unitNetPrice: '-100.00', netAmount: '-100.00', vatRate: '23' }],
    payment: undefined,
  });

async function openInvoice(id: string) {
  await page.goto(`${stack.apiUrl}/ui/invoices/${id}`);
  await page.getByTestId('invoice-page').waitFor();
}

const nodes = () =>
  page.getByTestId('chain-node').evaluateAll((els) =>
    els.map((e) => ({
      id: e.getAttribute('data-id'),
      type: e.getAttribute('data-type'),
      status: e.getAttribute('data-status'),
      current: e.getAttribute('data-current'),
      // Depth in the tree: how many chain nodes enclose this one.
      depth: (() => {
        let d = 0;
        for (let p = e.parentElement; p; p = p.parentElement) if (p.getAttribute('data-testid') === 'chain-node') d++;
        return d;
      })(),
    })),
  );

describe('correction chain in Chromium', () => {
  it('shows original → correction → correction of the correction with statuses, and links between them', async () => {
    const original = await accepted(sampleInvoice());
    const first = await accepted(correctionOf(original));
    const second = await accepted(correctionOf(first));

    await openInvoice(second.id);
    await page.getByTestId('chain').waitFor();
    await expect(nodes()).resolves.toEqual([
      { id: original.id, type: 'VAT', status: 'ACCEPTED', current: 'false', depth: 0 },
      { id: first.id, type: 'KOR', status: 'ACCEPTED', current: 'false', depth: 1 },
      { id: second.id, type: 'KOR', status: 'ACCEPTED', current: 'true', depth: 2 },
    ]);
    const root = page.locator(`[data-testid="chain-node"][data-id="${original.id}"]`);
    await expect(root.locator('> .sub').textContent()).resolves.toContain(original.ksefNumber);
    await expect(root.locator('> .chip').textContent()).resolves.toBe('Przyjęta przez KSeF');
    await page.screenshot({ path: path.join(ARTIFACTS, 'correction-chain.png'), fullPage: true });

    // A link in the chain opens that invoice, whose page shows the same chain with itself marked.
    await root.locator(`> a[href="/ui/invoices/${original.id}"]`).click();
    await expect(page.getByTestId('invoice-number').textContent()).resolves.toBe(original.invoice.invoiceNumber);
    await page.locator(`[data-testid="chain-node"][data-id="${original.id}"][data-current="true"]`).waitFor();
    await expect(nodes().then((n) => n.map((x) => [x.type, x.current]))).resolves.toEqual([
      ['VAT', 'true'],
      ['KOR', 'false'],
      ['KOR', 'false'],
    ]);

    await page.getByTestId('lang-en').click();
    await expect(page.locator('[data-testid="chain"] h2').textContent()).resolves.toBe('Related invoices (corrections, advances)');
    await page.getByTestId('lang-pl').click();
  });

  it('links a settlement invoice and its advance both ways; a lone invoice has no chain', async () => {
    const order = [{ name: 'Maszyna', unit: 'szt.', quantity: '1', unitNetPrice: '4000.00', netAmount: '4000.00', vatRate: '23' as const }];
    const zal = await accepted(sampleInvoice({ type: 'ZAL', lines: order, grossAmount: '1000.00', payment: undefined }));
    const roz = await accepted(sampleInvoice({ type: 'ROZ', lines: order, grossAmount: '3920.00', advanceInvoices: [{ number: zal.invoice.invoiceNumber!, ksefNumber: zal.ksefNumber }], payment: undefined }));

    await openInvoice(roz.id);
    const advances = page.getByTestId('chain-advances');
    await advances.waitFor();
    await expect(advances.textContent()).resolves.toContain(zal.invoice.invoiceNumber);
    await expect(advances.locator(`a[href="/ui/invoices/${zal.id}"]`).count()).resolves.toBe(1);

    await openInvoice(zal.id);
    const settledBy = page.getByTestId('chain-settled-by');
    await settledBy.waitFor();
    await expect(settledBy.locator(`a[href="/ui/invoices/${roz.id}"]`).textContent()).resolves.toBe(roz.invoice.invoiceNumber);

    const lone = await accepted(sampleInvoice());
    await openInvoice(lone.id);
    // The page has loaded its other cards; the chain card stays away.
    await page.getByTestId('timeline').waitFor();
    await page.waitForLoadState('networkidle');
    await expect(page.getByTestId('chain').count()).resolves.toBe(0);
  });
});
