// Refreshes the README's screenshots of the frontend: starts `npm start` on free ports with a fresh
// state, logs in through the dev identity provider in headless Chromium, gets a token, calls the
// demo API, and writes docs/frontend.png (1024 px wide) and docs/frontend-phone.png (375 px).
//   npm run screenshot
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

import { launchChromium } from '../tests/browser/support/chromium';
import { choose, usersOffered } from '../tests/browser/support/identity_provider_window';
import { startProduct } from '../tests/support/npm_start';

const root = join(import.meta.dirname, '..');
const SHOTS = [
  { file: join(root, 'docs', 'frontend.png'), viewport: { width: 1024, height: 900 } },
  { file: join(root, 'docs', 'frontend-phone.png'), viewport: { width: 375, height: 812 } }
];

async function waitForText(page: Page, selector: string, prefix: string): Promise<void> {
  await page.waitForFunction(
    ([target, start]) => (document.querySelector(target!)?.textContent ?? '').startsWith(start!),
    [selector, prefix] as const,
    { timeout: 60_000 }
  );
}

const state = mkdtempSync(join(tmpdir(), 'ic-jwt-screenshot-'));
const product = await startProduct(state);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: SHOTS[0]!.viewport });
  await page.goto(product.ready.frontendUrl);
  await waitForText(page, '#session-message', 'Not logged in.');
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Log in with Internet Identity' }).click()]);
  await usersOffered(popup);
  await choose(popup, { user: 1 });
  await waitForText(page, '#token-message', 'New token issued');
  await page.getByRole('button', { name: 'Call the demo API' }).click();
  await waitForText(page, '#api-message', 'The API verified the token');
  for (const { file, viewport } of SHOTS) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`wrote ${file}`);
  }
} finally {
  await browser.close();
  await product.stop();
  rmSync(state, { recursive: true, force: true });
}
