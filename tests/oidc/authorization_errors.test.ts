// The authorization page refusing bad requests in a real browser, per RFC 6749 §4.1.2.1: with an
// unknown client or a redirect URI not registered for it, an error page and no redirect (the
// redirect could lead anywhere); with a known-good redirect, a redirect carrying `error`. Never a
// login, never a token.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startLoopbackReceiver, type LoopbackReceiver } from '../../examples/native-cli/loopback_receiver';
import { launchChromium } from '../browser/support/chromium';
import { ERROR_MESSAGE, LOGIN_BUTTON, openAuthorizationPage } from './support/authorization_page';
import { nativeClient, startOidcProvider, type OidcProvider } from './support/provider';

const CLIENT_ID = 'error-cases';
// Any well-formed S256 challenge: no request here gets as far as a code.
const CODE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

let provider: OidcProvider;
let browser: Browser;
let receiver: LoopbackReceiver;

beforeAll(async () => {
  provider = await startOidcProvider('ic-jwt-authorize-errors-');
  await provider.registerClient(nativeClient(CLIENT_ID, 'ic-jwt-demo-api'));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await provider?.close();
});

function authorizationUrl(overrides: Record<string, string | undefined>): URL {
  const url = new URL(`${provider.issuer}/authorize`);
  const parameters: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: receiver.redirectUri,
    scope: 'openid',
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: CODE_CHALLENGE,
    code_challenge_method: 'S256',
    ...overrides
  };
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) url.searchParams.set(name, value);
  return url;
}

async function withReceiver<T>(run: () => Promise<T>): Promise<T> {
  receiver = await startLoopbackReceiver('/callback', 30_000);
  try {
    return await run();
  } finally {
    await receiver.close();
  }
}

/** Opens the page, expects the error redirect, and returns its parameters. */
async function errorRedirect(overrides: Record<string, string | undefined>): Promise<Record<string, string>> {
  return withReceiver(async () => {
    const before = await provider.signingCounters();
    const page = await openAuthorizationPage(browser, authorizationUrl(overrides));
    try {
      const landed = await receiver.response;
      expect(landed.searchParams.has('code')).toBe(false);
      expect(await provider.signingCounters()).toEqual(before);
      return Object.fromEntries(landed.searchParams);
    } finally {
      await page.context().close();
    }
  });
}

/** Opens the page, expects an error page that stays on the issuer, and returns its text. */
async function errorPage(overrides: Record<string, string | undefined>): Promise<string> {
  return withReceiver(async () => {
    const before = await provider.signingCounters();
    const url = authorizationUrl(overrides);
    const page = await openAuthorizationPage(browser, url);
    try {
      const shown = page.locator(ERROR_MESSAGE);
      await shown.waitFor({ timeout: 15_000 });
      // No way on: no login offered, the browser still on the issuer, nothing arrived at the app.
      expect(await page.getByRole('button', LOGIN_BUTTON).isVisible()).toBe(false);
      expect(page.url()).toBe(url.toString());
      const arrived = await Promise.race([receiver.response.then(() => true), new Promise((resolve) => setTimeout(resolve, 500, false))]);
      expect(arrived).toBe(false);
      expect(await provider.signingCounters()).toEqual(before);
      return (await shown.textContent()) ?? '';
    } finally {
      await page.context().close();
    }
  });
}

describe('the authorization page without a redirect URI it can trust: an error page', () => {
  it('for an unknown client', async () => {
    expect(await errorPage({ client_id: 'no-such-client' })).toMatch(/\(unauthorized_client\).*no registered client/);
  });

  it('for a redirect URI the client did not register (another path)', async () => {
    expect(await errorPage({ redirect_uri: 'http://127.0.0.1:4321/elsewhere' })).toMatch(/\(invalid_request\).*redirect_uri is not registered/);
  });

  it('for a redirect URI that is not a loopback one (another host)', async () => {
    expect(await errorPage({ redirect_uri: 'http://attacker.example/callback' })).toMatch(/\(invalid_request\).*redirect_uri is not registered/);
  });

  it('for no client_id or no redirect_uri at all', async () => {
    expect(await errorPage({ client_id: undefined })).toMatch(/\(invalid_request\).*client_id is missing/);
    expect(await errorPage({ redirect_uri: undefined })).toMatch(/\(invalid_request\).*redirect_uri is missing/);
  });
});

describe('the authorization page with a known-good redirect URI: a redirect with error (RFC 6749 §4.1.2.1, RFC 9207 iss)', () => {
  it('code_challenge_method=plain is refused: PKCE is S256 only', async () => {
    expect(await errorRedirect({ code_challenge_method: 'plain' })).toMatchObject({ error: 'invalid_request', state: 'state-1', iss: provider.issuer });
  });

  it('a missing code_challenge is refused', async () => {
    expect(await errorRedirect({ code_challenge: undefined, code_challenge_method: undefined })).toMatchObject({ error: 'invalid_request', state: 'state-1' });
  });

  it('a missing nonce is refused', async () => {
    expect(await errorRedirect({ nonce: undefined })).toMatchObject({ error: 'invalid_request', state: 'state-1', iss: provider.issuer });
  });

  it('a missing state is refused, and the redirect carries none', async () => {
    const parameters = await errorRedirect({ state: undefined });
    expect(parameters).toMatchObject({ error: 'invalid_request', iss: provider.issuer });
    expect(parameters['state']).toBeUndefined();
  });

  it('response_type token is refused as unsupported_response_type, a scope without openid as invalid_scope', async () => {
    expect(await errorRedirect({ response_type: 'token' })).toMatchObject({ error: 'unsupported_response_type', state: 'state-1' });
    expect(await errorRedirect({ scope: 'profile' })).toMatchObject({ error: 'invalid_scope', state: 'state-1' });
  });
});
