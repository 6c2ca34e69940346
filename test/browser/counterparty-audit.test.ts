import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TEST_PASSWORD } from '../support/auth';
import { freshDatabase } from '../support/fresh-database';
import { startStack, type TestStack } from '../support/stack';
import { ARTIFACTS, keepLastState, launchChromium, openDesktopPage, waitForCount } from './chromium';

/**
 * The counterparty audit in the registry UI: master data with known defects goes in through the API,
 * a monitor runs the audit from the Counterparties page and sees the reasons grouped with counts and
 * the counterparties (NIP, name, field) under each; a corrector imports a CSV and sees its status.
 */

let stack: TestStack;
let browser: Browser;
let page: Page;
// The audit covers the whole register: a database of its own makes the counts exact.
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

/** A valid NIP built from 9 random digits (the check digit computed, 10 → try again). */
function nip(): string {
  const weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];
  for (;;) {
    const digits = [1 + Math.floor(Math.random() * 9), ...Array.from({ length: 8 }, () => Math.floor(Math.random() * 10))];
    if (digits[1] === 0 && digits[2] === 0) continue;
    const check = digits.reduce((sum, d, i) => sum + d * weights[i], 0) % 11;
    if (check < 10) return [...digits, check].join('');
  }
}

async function signIn(name: string, roles: Array<'monitor' | 'corrector' | 'approver' | 'admin'>) {
  const person = await stack.auth.person(name, roles);
  await page.goto(`${stack.apiUrl}/ui/counterparties`);
  // Either the sign-in form or a session from the previous step: wait for the app to decide.
  await page.locator('[data-testid="sign-out"], [data-testid="login-email"]').first().waitFor();
  if (await page.getByTestId('sign-out').isVisible()) {
    await page.getByTestId('sign-out').click();
  }
  await page.getByTestId('login-email').fill(person.email);
  await page.getByTestId('login-password').fill(TEST_PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe(name);
}

async function groupCount(code: string) {
  return (await page.locator(`[data-testid="audit-group"][data-code="${code}"] [data-testid="audit-group-count"]`).textContent())?.trim();
}

describe('counterparty audit in Chromium', () => {
  it('seeds defects through the API, runs the audit from the UI and shows the reasons grouped with counts', async () => {
    const t = randomUUID().slice(0, 6);
    const [ok, closedA, closedB, exempt, removed] = [nip(), nip(), nip(), nip(), nip()];
    // Master data as a source system sends it (API key): one good entry and four an invoice would trip over.
    const seeded = [
      { nip: ok, name: `Dobry ${t}`, vatStatus: 'ACTIVE' },
      { nip: closedA, name: `Zamknięty A ${t}`, active: false },
      { nip: closedB, name: `Zamknięty B ${t}`, active: false, vatStatus: 'ACTIVE' },
      { nip: exempt, name: `Zwolniony ${t}`, vatStatus: 'EXEMPT' },
      { nip: removed, name: `Wykreślony ${t}`, vatStatus: 'REMOVED' },
    ];
    const imported = await stack.api('/api/v1/counterparties/import', { body: seeded, as: 'sender-key' });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ status: 'complete', created: 5 });
    // The API refuses a NIP with a typo, so it is refused here too...
    const typoNip = `${ok.slice(0, 9)}${(Number(ok[9]) + 1) % 10}`;
    const refused = await stack.api('/api/v1/counterparties', { body: { nip: typoNip, name: `Literówka ${t}` }, as: 'sender-key' });
    expect(refused.status).toBe(422);
    // ...but registers loaded before the checks existed carry such rows: that is what the audit is for.
    await stack.prisma.counterparty.create({ data: { identifierKey: `NIP:${typoNip}`, idType: 'NIP', nip: typoNip, countryCode: 'PL', name: `Literówka ${t}`, sourceSystem: 'legacy' } });

    // Marta monitors the process: she may run the audit (reports.read), not edit master data.
    await signIn('marta', ['monitor']);
    await page.getByTestId('counterparties-page').waitFor();
    await expect(page.getByTestId('audit-none').textContent()).resolves.toContain('nie była jeszcze uruchamiana');
    await expect(page.getByTestId('import-form').count()).resolves.toBe(0);
    await page.getByTestId('run-audit').click();
    await page.getByTestId('audit-run').waitFor();

    await expect(page.getByTestId('audit-checked').textContent()).resolves.toBe('6');
    await expect(page.getByTestId('audit-failing').textContent()).resolves.toBe('5');
    // Errors first, then warnings; each group names its rule code and the human reason.
    await expect(page.getByTestId('audit-group').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')))).resolves.toEqual(['NIP_CHECKSUM', 'COUNTERPARTY_INACTIVE']);
    await expect(groupCount('NIP_CHECKSUM')).resolves.toBe('1');
    await expect(groupCount('COUNTERPARTY_INACTIVE')).resolves.toBe('4');
    const inactive = page.locator('[data-testid="audit-group"][data-code="COUNTERPARTY_INACTIVE"]');
    await expect(inactive.locator('summary').textContent()).resolves.toContain('Nabywca jest oznaczony jako nieaktywny');
    const members = await inactive.getByTestId('audit-member').allTextContents();
    expect(members).toHaveLength(4);
    for (const [n, name] of [[closedA, `Zamknięty A ${t}`], [closedB, `Zamknięty B ${t}`], [exempt, `Zwolniony ${t}`], [removed, `Wykreślony ${t}`]]) {
      const row = members.find((m) => m.includes(n));
      expect(row).toContain(name);
      expect(row).toContain('nip');
    }
    const typoRow = await page.locator('[data-testid="audit-group"][data-code="NIP_CHECKSUM"] [data-testid="audit-member"]').textContent();
    expect(typoRow).toContain(typoNip);
    expect(typoRow).toContain(`Literówka ${t}`);
    // The run is the stored report the API serves, started by this person.
    const report = await stack.api('/api/v1/reports/counterparties');
    expect(report.body.latest.trigger).toMatch(/^api:/);
    expect(await page.getByTestId('audit-run').getAttribute('data-run-id')).toBe(report.body.latest.id);
    await expect(page.getByTestId('cp-total').textContent()).resolves.toContain('6');
    await page.screenshot({ path: path.join(ARTIFACTS, 'counterparty-audit.png'), fullPage: true });

    // English on request: the reason text follows the language.
    await page.getByTestId('lang-en').click();
    await expect(inactive.locator('summary').textContent()).resolves.toContain('The buyer is marked inactive');
    await page.getByTestId('lang-pl').click();
  });

  it('lets a corrector import a CSV and shows the per-row status; the audit button is not offered', async () => {
    const t = randomUUID().slice(0, 6);
    const good = nip();
    await signIn('kamil', ['corrector']);
    await page.getByTestId('counterparties-page').waitFor();
    await expect(page.getByTestId('run-audit').count()).resolves.toBe(0);
    await expect(page.getByTestId('audit-not-allowed').isVisible()).resolves.toBe(true);
    await page.getByTestId('import-csv').fill(['nip;name;vatStatus;active', `${good};Nowy ${t};active;tak`, `123;Zły ${t};;`].join('\n'));
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-result').waitFor();
    await expect(page.getByTestId('import-result').getAttribute('data-status')).resolves.toBe('partial');
    const errors = await page.getByTestId('import-errors').textContent();
    expect(errors).toContain('NIP_FORMAT');
    expect(errors).toContain('Wiersz 2');
    await page.getByTestId('cp-search').fill(`Nowy ${t}`);
    await page.getByTestId('cp-search-submit').click();
    await waitForCount(page, '[data-testid=cp-row]', 1);
    await expect(page.getByTestId('cp-row').textContent()).resolves.toContain(good);
    await page.screenshot({ path: path.join(ARTIFACTS, 'counterparty-import.png'), fullPage: true });
  });
});
