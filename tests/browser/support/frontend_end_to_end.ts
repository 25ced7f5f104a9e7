// The frontend end to end, for a running local IC: log in through the dev identity provider, get
// tokens of each algorithm the issuer offers, check them in Node against the canister's JWKS,
// follow the page's links, run its "verify it yourself" snippets, use the demo API, run into the
// rate limit, log out. Call it from a test once the local IC serves the frontend, e.g.
//   const result = await runFrontendEndToEnd({ frontendUrl, replicaUrl, jwksUrl, apiUrl });
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

import { isLocalUrl } from '../../../src/frontend/config';
import { utcInstant } from '../../../src/frontend/countdown';
import { verifyWithJwks } from '../../support/verify';
import { launchChromium } from './chromium';
import { choose, principalShownFor, usersOffered } from './identity_provider_window';
import { runSnippet } from './run_snippet';

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
  /** The claims of the first token of each algorithm, verified. */
  claims: Record<'ES256K' | 'EdDSA', Record<string, unknown>>;
  /** What the issuer's discovery document (opened from the page's link) says. */
  discovery: Record<string, unknown>;
  screenshots: string[];
}

type Jwks = { keys: Record<string, unknown>[] };
type Algorithm = 'ES256K' | 'EdDSA';

const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1024, height: 900 };

async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** The value the page lists for a claim under "Claims". */
function shownClaim(page: Page, name: string): Promise<string | null> {
  return page.locator('#claims dt', { hasText: new RegExp(`^${name}$`) }).locator('xpath=following-sibling::dd[1]/code').textContent();
}

/**
 * What went wrong on the frontend: responses of 400 and above (also in the login window), and the
 * page's console errors and uncaught exceptions, e.g. a missing favicon.
 */
function watchForFailures(context: BrowserContext, page: Page): string[] {
  const failures: string[] = [];
  context.on('response', (response) => {
    if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') failures.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => failures.push(`uncaught: ${error.message}`));
  return failures;
}

type Pressed = { token: string } | { refusal: string };

/** Presses "New token" and waits for a new token or an error message. */
async function pressNewToken(page: Page, previous: string, timeout: number): Promise<Pressed> {
  await page.getByRole('button', { name: 'New token' }).click();
  await page.waitForFunction(
    (old) => {
      const value = (document.getElementById('token') as HTMLTextAreaElement | null)?.value ?? '';
      return (value !== '' && value !== old) || document.getElementById('token-message')?.classList.contains('error') === true;
    },
    previous,
    { timeout }
  );
  const message = page.locator('#token-message');
  if ((await message.getAttribute('class'))?.includes('error')) return { refusal: (await message.textContent()) ?? '' };
  return { token: await page.locator('#token').inputValue() };
}

async function waitForToken(page: Page, previous: string, timeout: number): Promise<string> {
  await page.waitForFunction(
    (old) => {
      const value = (document.getElementById('token') as HTMLTextAreaElement | null)?.value ?? '';
      const message = document.getElementById('token-message');
      if (message?.classList.contains('error')) throw new Error(`the page reports: ${message.textContent}`);
      return value !== '' && value !== old;
    },
    previous,
    { timeout }
  );
  return page.locator('#token').inputValue();
}

async function newToken(page: Page, previous: string, timeout: number): Promise<string> {
  const pressed = await pressNewToken(page, previous, timeout);
  if ('refusal' in pressed) throw new Error(`the page reports: ${pressed.refusal}`);
  return pressed.token;
}

/** "1 min 5 s" back to 65. */
function secondsIn(text: string): number {
  const units: Record<string, number> = { h: 3600, min: 60, s: 1 };
  return [...text.matchAll(/(\d+) (h|min|s)\b/g)].reduce((sum, [, count, unit]) => sum + Number(count) * units[unit!]!, 0);
}

/**
 * The token verifies against the canister's JWKS with the algorithm chosen, the page shows its
 * algorithm, exp as a date and a countdown, and each snippet the page offers verifies it when run.
 */
async function checkShownToken(page: Page, token: string, algorithm: Algorithm, jwks: Jwks, principal: string): Promise<Record<string, unknown>> {
  const { header, payload } = verifyWithJwks(token, jwks);
  expect(header['alg']).toBe(algorithm);
  expect(payload['sub']).toBe(principal);
  expect(payload['exp']).toBeGreaterThan(Date.now() / 1000);
  expect(await shownClaim(page, 'sub')).toBe(principal);
  expect(await page.locator('#token-label').textContent()).toBe(`JWT (${algorithm}, compact form)`);
  expect(await page.locator('#countdown').textContent()).toMatch(/^Expires in /);
  const expiry = page.locator('#expiry-date');
  const exp = payload['exp'] as number;
  expect(await expiry.getAttribute('datetime')).toBe(utcInstant(exp));
  expect(await expiry.textContent()).toContain(String(new Date(exp * 1000).getUTCFullYear()));

  const snippets = page.locator('#snippet-list pre');
  const ids = await snippets.evaluateAll((blocks) => blocks.map((block) => block.id));
  expect(ids).toEqual(['snippet-python', 'snippet-node-verifier', ...(algorithm === 'EdDSA' ? ['snippet-node-jose'] : [])]);
  for (const id of ids) {
    const text = (await page.locator(`#${id}`).textContent()) ?? '';
    expect(text).toContain(token);
    const run = await runSnippet(text);
    expect(run, `${id} for ${algorithm}`).toMatchObject({ exitCode: 0, stdout: expect.stringContaining(`verified: sub = ${principal}`) });
  }
  return payload;
}

async function callDemoApi(page: Page, principal: string): Promise<void> {
  await page.getByRole('button', { name: 'Call the demo API' }).click();
  await expect.poll(() => page.locator('#api-message').textContent(), { timeout: 15_000 }).toBe(`The API verified the token: sub is ${principal} (your principal).`);
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
    // Time flows as usual until the test skips the rate limit's wait.
    await context.clock.install();
    const page = await context.newPage();
    const failures = watchForFailures(context, page);
    await page.goto(pageUrl.toString());
    await expect.poll(() => page.locator('#session-message').textContent()).toBe('Not logged in.');

    // The favicon is the page's own, served.
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    const iconResponse = await fetch(new URL(icon ?? 'missing', page.url()));
    expect(iconResponse.status).toBe(200);
    expect(iconResponse.headers.get('content-type')).toContain('image/svg+xml');

    // Log in through the dev identity provider's window; the page asks for a token right away.
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Log in with Internet Identity' }).click()]);
    await usersOffered(popup);
    const offeredPrincipal = await principalShownFor(popup, 1);
    await choose(popup, { user: 1 });
    const first = await waitForToken(page, '', tokenTimeout);
    const principal = (await page.locator('#principal').textContent()) ?? '';
    expect(principal).toBe(offeredPrincipal);

    // The links lead to the issuer's documents; the algorithms offered are those it publishes.
    const discovery = await fetchJson<Record<string, unknown>>((await page.getByRole('link', { name: 'OpenID discovery document' }).getAttribute('href'))!);
    const jwks = await fetchJson<Jwks>((await page.getByRole('link', { name: 'JWK Set (public keys)' }).getAttribute('href'))!);
    expect(jwks).toEqual(await fetchJson<Jwks>(urls.jwksUrl));
    const offered = await page.getByRole('radio').evaluateAll((radios) => radios.map((radio) => (radio as HTMLInputElement).value));
    expect(offered).toEqual(discovery['id_token_signing_alg_values_supported']);
    expect(offered).toEqual(['ES256K', 'EdDSA']);
    expect(await page.getByRole('radio', { name: 'ES256K' }).isChecked()).toBe(true);

    const es256k = await checkShownToken(page, first, 'ES256K', jwks, principal);
    expect(es256k['iss']).toBe(discovery['issuer']);

    await page.getByRole('button', { name: 'Copy token' }).click();
    await expect.poll(() => page.locator('#token-message').textContent()).toBe('Token copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(first);
    await page.getByRole('button', { name: 'Copy the curl and Python (PyJWT) snippet' }).click();
    await expect.poll(() => page.locator('#snippet-message').textContent()).toContain('snippet is copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await page.locator('#snippet-python').textContent());

    // The off-chain half: the demo API verifies the token and reports the same principal.
    await callDemoApi(page, principal);

    // EdDSA, chosen on the page.
    await page.getByRole('radio', { name: 'EdDSA' }).check();
    const second = await newToken(page, first, tokenTimeout);
    const eddsa = await checkShownToken(page, second, 'EdDSA', jwks, principal);
    expect(eddsa['jti']).not.toBe(es256k['jti']);
    await callDemoApi(page, principal);

    const screenshots = [join(screenshotDir, 'frontend-logged-in-375.png'), join(screenshotDir, 'frontend-logged-in-1024.png')];
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: screenshots[0], fullPage: true });
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: screenshots[1], fullPage: true });

    // New tokens until the issuer's per-caller limit: each a different token for the same principal.
    let latest = second;
    let refusal: string | undefined;
    const jtis = new Set([es256k['jti'], eddsa['jti']]);
    // The bucket refills one token a minute while the test runs, so allow a few more presses than its capacity.
    for (let press = 0; press < 12 && refusal === undefined; press++) {
      const pressed = await pressNewToken(page, latest, tokenTimeout);
      if ('refusal' in pressed) refusal = pressed.refusal;
      else {
        latest = pressed.token;
        const claims = verifyWithJwks(latest, jwks).payload;
        expect(claims['sub']).toBe(principal);
        jtis.add(claims['jti']);
      }
    }
    expect(refusal).toMatch(/^You have asked for too many tokens\. Try again in /);
    expect(jtis.size).toBeGreaterThan(2);

    // Disabled until the moment the canister named, then available again.
    const newTokenButton = page.getByRole('button', { name: 'New token' });
    expect(await newTokenButton.isDisabled()).toBe(true);
    const wait = (await page.locator('#retry-wait').textContent()) ?? '';
    expect(wait).toMatch(/^New token possible in /);
    const waitSeconds = secondsIn(wait);
    expect(waitSeconds).toBeGreaterThan(0);
    expect(Math.abs(waitSeconds - secondsIn(refusal!))).toBeLessThanOrEqual(1);
    screenshots.push(join(screenshotDir, 'frontend-rate-limited-1024.png'));
    await page.screenshot({ path: screenshots.at(-1)!, fullPage: true });
    // The shown wait rounds up and real time keeps passing: a margin of 4 s keeps "before" before.
    if (waitSeconds > 4) {
      await page.clock.fastForward((waitSeconds - 4) * 1000);
      expect(await newTokenButton.isDisabled()).toBe(true);
    }
    await page.clock.fastForward(5000);
    await expect.poll(() => newTokenButton.isEnabled()).toBe(true);
    expect(await page.locator('#retry-wait').isHidden()).toBe(true);
    expect(await page.locator('#token-message').textContent()).toBe('The issuer accepts requests again: press “New token”.');

    // Logging out ends the session, also after a reload.
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.locator('#session-message').textContent()).toContain('Logged out.');
    expect(await page.locator('#token-section').isHidden()).toBe(true);
    expect(await page.locator('#verify-section').isHidden()).toBe(true);
    expect(await page.locator('#token').inputValue()).toBe('');
    await page.reload();
    await expect.poll(() => page.locator('#session-message').textContent()).toBe('Not logged in.');
    expect(await page.locator('#principal-row').isHidden()).toBe(true);
    expect(failures).toEqual([]);

    return { principal, claims: { ES256K: es256k, EdDSA: eddsa }, discovery, screenshots };
  } finally {
    await browser.close();
  }
}
