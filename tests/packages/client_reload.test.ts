// @ic-jwt/client in headless Chromium, with the browser's own sessionStorage: a page reload
// within the token's lifetime gets the stored token, and the canister signs nothing new.
import { fileURLToPath } from 'node:url';
import type { IssuedJwt } from '@ic-jwt/client';
import type { Browser, Page } from 'playwright-core';
import { defaultClientConditions } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { buildToMemory } from '../../packages/local-ic/src/dev_identity_provider/in_memory_build';
import { launchChromium } from '../browser/support/chromium';
import { serveStatic, type RunningServer } from '../browser/support/static_server';
import { startIssuerNetwork, type IssuerNetwork } from './support/issuer_network';

const PAGE_DIR = fileURLToPath(new URL('./client_page/', import.meta.url));

let net: IssuerNetwork;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  const [started, files] = await Promise.all([
    startIssuerNetwork(),
    buildToMemory({
      root: PAGE_DIR,
      base: '/',
      configFile: false,
      publicDir: false,
      envDir: false,
      resolve: { conditions: ['ic-jwt-source', ...defaultClientConditions] },
      build: { outDir: 'dist', target: 'es2022' }
    })
  ]);
  net = started;
  server = await serveStatic(files);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await net?.close();
});

async function tokenOnLoad(page: Page): Promise<IssuedJwt> {
  await page.waitForFunction(() => window.jwtResult !== undefined, undefined, { timeout: 30_000 });
  const result = await page.evaluate(() => window.jwtResult!);
  if ('error' in result) throw new Error(result.error);
  return result.jwt;
}

it('a reload within the lifetime reuses the token from sessionStorage: one signature for two page loads', async () => {
  const page = await browser.newPage();
  const before = await net.tokensIssued();
  await page.goto(`${server.origin}/index.html?host=${encodeURIComponent(net.host)}&canisterId=${net.canisterId}`);
  const first = await tokenOnLoad(page);
  expect(await net.tokensIssued()).toBe(before + 1);
  await page.reload();
  const afterReload = await tokenOnLoad(page);
  expect(afterReload).toEqual(first);
  expect(await net.tokensIssued()).toBe(before + 1);
  // A new tab has a new sessionStorage: a new identity, and a token of its own.
  const other = await browser.newPage();
  await other.goto(page.url());
  expect((await tokenOnLoad(other)).principal).not.toBe(first.principal);
  expect(await net.tokensIssued()).toBe(before + 2);
});
