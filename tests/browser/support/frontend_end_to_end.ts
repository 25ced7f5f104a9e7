// The frontend end to end, for a running local IC: log in through the dev identity provider, get
// a token from jwt_issuer, check it in Node against the canister's JWKS, use the demo API, log out.
// Call it from a test once the local IC serves the frontend, e.g.
//   const result = await runFrontendEndToEnd({ frontendUrl, replicaUrl, jwksUrl, apiUrl });
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

import { isLocalUrl } from '../../../src/frontend/config';
import { verifyWithJwks } from '../../support/verify';
import { launchChromium } from './chromium';
import { choose, principalShownFor, usersOffered } from './identity_provider_window';

export interface FrontendEndToEndUrls {
  /** The frontend page on a local origin, served with a config.json naming jwt_issuer and the dev identity provider. */
  frontendUrl: string;
  /** The IC HTTP interface; given to the page as ?host=. */
  replicaUrl: string;
  /** jwt_issuer's /.well-known/jwks.json. */
  jwksUrl: string;
  /** The demo API's base URL (GET <apiUrl>/api/whoami); given to the page as ?apiUrl=. */
  apiUrl: string;
}

export interface FrontendEndToEndOptions {
  /** Where the screenshots go; default test-results/browser. */
  screenshotDir?: string;
  /** How long a token may take (update call + threshold signature); default 60 s. */
  tokenTimeoutMs?: number;
}

export interface FrontendEndToEndResult {
  principal: string;
  claims: Record<string, unknown>;
  screenshots: string[];
}

const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1024, height: 900 };

async function fetchJwks(url: string): Promise<{ keys: Record<string, unknown>[] }> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as { keys: Record<string, unknown>[] };
}

/** The value the page lists for a claim under "Claims". */
function shownClaim(page: Page, name: string): Promise<string | null> {
  return page.locator('#claims dt', { hasText: new RegExp(`^${name}$`) }).locator('xpath=following-sibling::dd[1]/code').textContent();
}

async function waitForToken(page: Page, previous: string, timeout: number): Promise<string> {
  await page.waitForFunction((old) => {
    const value = (document.getElementById('token') as HTMLTextAreaElement | null)?.value ?? '';
    const message = document.getElementById('token-message');
    if (message?.classList.contains('error')) throw new Error(`the page reports: ${message.textContent}`);
    return value !== '' && value !== old;
  }, previous, { timeout });
  return page.locator('#token').inputValue();
}

export async function runFrontendEndToEnd(urls: FrontendEndToEndUrls, options: FrontendEndToEndOptions = {}): Promise<FrontendEndToEndResult> {
  if (!isLocalUrl(urls.frontendUrl)) throw new Error(`the page takes ?host= and ?apiUrl= only on a local origin, not ${urls.frontendUrl}`);
  const screenshotDir = options.screenshotDir ?? 'test-results/browser';
  const tokenTimeout = options.tokenTimeoutMs ?? 60_000;
  mkdirSync(screenshotDir, { recursive: true });
  const pageUrl = new URL(urls.frontendUrl);
  pageUrl.searchParams.set('host', urls.replicaUrl);
  pageUrl.searchParams.set('apiUrl', urls.apiUrl);

  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: PHONE });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: pageUrl.origin });
    const page = await context.newPage();
    await page.goto(pageUrl.toString());
    await expect.poll(() => page.locator('#session-message').textContent()).toBe('Not logged in.');

    // Log in through the dev identity provider's window; the page asks for a token right away.
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Log in with Internet Identity' }).click()]);
    await usersOffered(popup);
    const offeredPrincipal = await principalShownFor(popup, 1);
    await choose(popup, { user: 1 });
    const token = await waitForToken(page, '', tokenTimeout);
    const principal = (await page.locator('#principal').textContent()) ?? '';
    expect(principal).toBe(offeredPrincipal);

    // The token verifies against the canister's published key, for the principal the page shows.
    const jwks = await fetchJwks(urls.jwksUrl);
    const { header, payload } = verifyWithJwks(token, jwks);
    expect(header['alg']).toBe('ES256K');
    expect(payload['sub']).toBe(principal);
    expect(payload['exp']).toBeGreaterThan(Date.now() / 1000);
    expect(await shownClaim(page, 'sub')).toBe(principal);
    expect(await page.locator('#countdown').textContent()).toMatch(/^Expires in /);

    await page.getByRole('button', { name: 'Copy token' }).click();
    await expect.poll(() => page.locator('#token-message').textContent()).toBe('Token copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    // The off-chain half: the demo API verifies the token and reports the same principal.
    await page.getByRole('button', { name: 'Call the demo API' }).click();
    await expect.poll(() => page.locator('#api-message').textContent(), { timeout: 15_000 }).toBe(
      `The API verified the token: sub is ${principal} (your principal).`
    );

    const screenshots = [join(screenshotDir, 'frontend-logged-in-375.png'), join(screenshotDir, 'frontend-logged-in-1024.png')];
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: screenshots[0], fullPage: true });
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: screenshots[1], fullPage: true });

    // A new token is a different token for the same principal.
    await page.getByRole('button', { name: 'New token' }).click();
    const second = await waitForToken(page, token, tokenTimeout);
    const secondClaims = verifyWithJwks(second, await fetchJwks(urls.jwksUrl)).payload;
    expect(secondClaims['sub']).toBe(principal);
    expect(secondClaims['jti']).not.toBe(payload['jti']);

    // Logging out ends the session, also after a reload.
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.locator('#session-message').textContent()).toContain('Logged out.');
    expect(await page.locator('#token-section').isHidden()).toBe(true);
    expect(await page.locator('#token').inputValue()).toBe('');
    await page.reload();
    await expect.poll(() => page.locator('#session-message').textContent()).toBe('Not logged in.');
    expect(await page.locator('#principal-row').isHidden()).toBe(true);

    return { principal, claims: payload, screenshots };
  } finally {
    await browser.close();
  }
}
