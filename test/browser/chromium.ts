import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');

/**
 * Debian's Chromium, installed by scripts/ensure-setup.sh. Missing browser = failed test with the
 * fix in the message: a browser test that skips itself would hide a broken UI.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it with: sudo apt-get update && sudo apt-get install -y chromium ` +
        '(scripts/ensure-setup.sh does this when run as root). Never use "npx playwright install".',
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/**
 * A page the way every browser test wants it: the 1280×800 desktop the UI is made for, Polish
 * locale, generous timeouts (the shared 2-CPU machine runs other suites at the same time) and
 * browser-side errors in the test output, next to the failing step.
 */
export async function openDesktopPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'pl-PL' });
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => process.stderr.write(`[browser] ${error.message}\n`));
  page.on('console', (message) => {
    if (message.type() === 'error') process.stderr.write(`[browser console] ${message.text()}\n`);
  });
  return page;
}

/** The page as it was when a step failed: the quickest way to see why. */
export async function keepLastState(page: Page | undefined): Promise<void> {
  await page?.screenshot({ path: path.join(ARTIFACTS, 'last-state.png'), fullPage: true }).catch(() => undefined);
}

/**
 * Waits until `selector` matches exactly `count` elements. page.waitForFunction evaluates its
 * predicate with eval() inside the page, which the UI's Content-Security-Policy (no 'unsafe-eval')
 * refuses — and the browser tests run the UI under its real policy.
 */
export async function waitForCount(page: Page, selector: string, count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = await page.locator(selector).count();
  while (seen !== count) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${count} × ${selector}, saw ${seen}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = await page.locator(selector).count();
  }
}
