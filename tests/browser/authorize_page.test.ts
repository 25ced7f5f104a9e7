// The /authorize page the issuer canister serves, in headless Chromium on the local network: it
// checks the request, logs the user in with the dev identity provider, gets a code from authorize
// and sends the browser to the client's loopback redirect; bad requests end on an error page or
// go back to the client with the RFC error, never with a code.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startLocalNetwork, type LocalNetwork } from '../../packages/local-ic/src/network/local_network';
import { DEMO_NATIVE_CLIENT, deployJwtIssuer, type Deployment } from '../../src/dev_network/deploy_jwt_issuer';
import { devIdentityProviderSite } from '../../src/dev_network/sites';
import { jwtIssuerWasm } from '../integration/harness/jwt_issuer';
import { launchChromium } from './support/chromium';
import { choose, principalShownFor, usersOffered } from './support/identity_provider_window';

const stateDirectory = mkdtempSync(join(tmpdir(), 'ic-jwt-authorize-page-'));
let network: LocalNetwork;
let deployment: Deployment;
let browser: Browser;

beforeAll(async () => {
  network = await startLocalNetwork({ port: 0, sites: [await devIdentityProviderSite()] });
  deployment = await deployJwtIssuer(network, jwtIssuerWasm(), stateDirectory);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await network?.close();
  rmSync(stateDirectory, { recursive: true, force: true });
});

const CALLBACK = 'http://127.0.0.1:43117/callback';

function authorizationUrl(parameters: Record<string, string>): string {
  return `${deployment.issuer}/authorize?${new URLSearchParams(parameters).toString()}`;
}

/** A page whose redirects to the loopback callback are caught (no app listens there) and recorded. */
async function pageCatchingCallbacks(): Promise<{ page: Page; callback: Promise<URL>; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (entry) => {
    if (entry.type() === 'error') errors.push(entry.text());
  });
  const callback = new Promise<URL>((resolve) => {
    void page.route('http://127.0.0.1:43117/**', (route) => {
      resolve(new URL(route.request().url()));
      void route.fulfill({ status: 200, contentType: 'text/plain', body: 'the app got the answer' });
    });
  });
  return { page, callback, errors };
}

describe('the authorization page in Chromium', () => {
  it('logs the user in and redirects to the loopback callback with a code that exchanges for their tokens', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const { page, callback, errors } = await pageCatchingCallbacks();
    await page.goto(
      authorizationUrl({
        response_type: 'code',
        client_id: DEMO_NATIVE_CLIENT.clientId,
        redirect_uri: CALLBACK,
        scope: 'openid',
        state: 'st-1',
        nonce: 'no-1',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256'
      })
    );
    await page.getByText(`${DEMO_NATIVE_CLIENT.clientId} asks you to sign in with Internet Identity.`).waitFor();
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Sign in' }).click()]);
    await usersOffered(popup);
    const principal = await principalShownFor(popup, 1);
    await choose(popup, { user: 1 });

    const redirect = await callback;
    expect(`${redirect.origin}${redirect.pathname}`).toBe(CALLBACK);
    expect(redirect.searchParams.get('state')).toBe('st-1');
    expect(redirect.searchParams.get('iss')).toBe(deployment.issuer);
    const response = await fetch(network.canisterUrl(deployment.canisterId, '/token'), {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, redirect_uri: CALLBACK, client_id: DEMO_NATIVE_CLIENT.clientId, code_verifier: verifier })
    });
    expect(response.status).toBe(200);
    const { id_token } = await response.json();
    expect(JSON.parse(Buffer.from(id_token.split('.')[1], 'base64url').toString())).toMatchObject({ sub: principal, nonce: 'no-1' });
    // The CSP let the page run and call the IC: nothing was blocked.
    expect(errors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
    await page.close();
  });

  it('shows an error page, and redirects nowhere, for an unknown client', async () => {
    const { page } = await pageCatchingCallbacks();
    await page.goto(authorizationUrl({ response_type: 'code', client_id: 'nobody', redirect_uri: CALLBACK, scope: 'openid', state: 's', nonce: 'n', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }));
    await page.getByText(/cannot be served \(unauthorized_client\)/).waitFor();
    expect(page.url()).toMatch(/\/authorize\?/);
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(false);
    await page.close();
  });

  it('sends code_challenge_method=plain back to the client as invalid_request, before any login', async () => {
    const { page, callback } = await pageCatchingCallbacks();
    await page.goto(authorizationUrl({ response_type: 'code', client_id: DEMO_NATIVE_CLIENT.clientId, redirect_uri: CALLBACK, scope: 'openid', state: 's-2', nonce: 'n', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }));
    const redirect = await callback;
    expect(redirect.searchParams.get('error')).toBe('invalid_request');
    expect(redirect.searchParams.get('state')).toBe('s-2');
    expect(redirect.searchParams.get('code')).toBeNull();
    await page.close();
  });
});
