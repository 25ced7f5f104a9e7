// The built frontend in Chromium, logging in through the dev identity provider. No replica runs
// yet, so the token request must fail, in words; the end-to-end run with a replica is
// support/frontend_end_to_end.ts.
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { devIdentityProviderPage } from '../../packages/local-ic/src/dev_identity_provider/page';
import { launchChromium } from './support/chromium';
import { closedPort } from './support/free_port';
import { buildFrontend } from './support/frontend_build';
import { choose, principalShownFor, usersOffered } from './support/identity_provider_window';
import { jsonAsset, serveStatic, type RunningServer } from './support/static_server';

const SCREENSHOTS = 'test-results/browser';
const PHONE = { width: 375, height: 812 };
const CANISTER_ID = 'bkyz2-fmaaa-aaaaa-qaaaq-cai';

let browser: Browser;
let identityProvider: RunningServer;
let frontend: RunningServer;
let unconfigured: RunningServer;
let replicaUrl: string;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const [idpPage, assets, replicaPort, apiPort] = await Promise.all([devIdentityProviderPage(), buildFrontend(), closedPort(), closedPort()]);
  identityProvider = await serveStatic(new Map([['index.html', idpPage]]));
  replicaUrl = `http://127.0.0.1:${replicaPort}`;
  const config = { canisterId: CANISTER_ID, host: replicaUrl, identityProvider: `${identityProvider.origin}/`, apiUrl: `http://127.0.0.1:${apiPort}` };
  frontend = await serveStatic(new Map([...assets, ['config.json', jsonAsset(config)]]));
  unconfigured = await serveStatic(assets);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([identityProvider?.close(), frontend?.close(), unconfigured?.close()]);
});

async function openFrontend(context: BrowserContext, origin = frontend.origin): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.locator('#session-message:not(:text("Loading…"))').waitFor();
  return page;
}

const activeId = (page: Page): Promise<string> => page.evaluate(() => document.activeElement?.id ?? '');

describe('frontend without a replica', () => {
  it('renders at phone width without sideways scrolling, login button first in the tab order', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const requested: string[] = [];
    context.on('request', (request) => requested.push(new URL(request.url()).origin));
    try {
      const page = await openFrontend(context);
      expect(await page.locator('#session-message').textContent()).toBe('Not logged in.');
      // Everything (scripts, styles, fonts, config) comes from the page's own server.
      expect(new Set(requested)).toEqual(new Set([frontend.origin]));
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('A JWT for your Internet Identity');
      expect(await page.locator('#config-summary').textContent()).toContain(CANISTER_ID);
      expect(await page.getByRole('button', { name: 'Log in with Internet Identity' }).isEnabled()).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await page.keyboard.press('Tab');
      expect(await activeId(page)).toBe('login');
      await page.screenshot({ path: `${SCREENSHOTS}/frontend-signed-out-375.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('logs in from the keyboard through the dev identity provider, explains the unreachable replica, and logs out for good', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    try {
      const page = await openFrontend(context);
      await page.keyboard.press('Tab');
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.keyboard.press('Enter')]);
      await usersOffered(popup);
      const principal = await principalShownFor(popup, 1);
      await choose(popup, { user: 1 }, true);

      await expect.poll(() => page.locator('#principal').textContent()).toBe(principal);
      const tokenMessage = page.locator('#token-message');
      await expect.poll(() => tokenMessage.textContent(), { timeout: 30_000 }).toContain(`Could not reach the Internet Computer at ${replicaUrl}. Is the local IC running?`);
      expect(await tokenMessage.getAttribute('class')).toContain('error');
      expect(await activeId(page)).toBe('token-heading');
      expect(await page.locator('#token-details').isHidden()).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await page.screenshot({ path: `${SCREENSHOTS}/frontend-replica-unreachable-375.png`, fullPage: true });

      // The session survives a reload, without spending a signature on it.
      await page.reload();
      await expect.poll(() => page.locator('#principal').textContent()).toBe(principal);
      expect(await tokenMessage.textContent()).toContain('No token yet');
      await page.getByRole('button', { name: 'New token' }).click();
      await expect.poll(() => tokenMessage.textContent(), { timeout: 30_000 }).toContain('Could not reach the Internet Computer');

      await page.getByRole('button', { name: 'Log out' }).click();
      await expect.poll(() => page.locator('#session-message').textContent()).toContain('Logged out.');
      expect(await page.locator('#principal-row').isHidden()).toBe(true);
      expect(await page.locator('#token-section').isHidden()).toBe(true);
      expect(await activeId(page)).toBe('login');
      await page.reload();
      await expect.poll(() => page.locator('#session-message').textContent()).toBe('Not logged in.');
    } finally {
      await context.close();
    }
  });

  it('says so when the login window is closed before the user chose', async () => {
    const context = await browser.newContext();
    try {
      const page = await openFrontend(context);
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Log in with Internet Identity' }).click()]);
      await usersOffered(popup);
      await popup.close();
      await expect.poll(() => page.locator('#session-message').textContent()).toContain('The login window was closed before you finished.');
      expect(await page.getByRole('button', { name: 'Log in with Internet Identity' }).isEnabled()).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('names what is missing when it has no configuration', async () => {
    const context = await browser.newContext();
    try {
      const page = await openFrontend(context, unconfigured.origin);
      expect(await page.locator('#session-message').textContent()).toContain('This page is not configured: no jwt_issuer canister id');
      expect(await page.getByRole('button', { name: 'Log in with Internet Identity' }).isDisabled()).toBe(true);
    } finally {
      await context.close();
    }
  });
});
