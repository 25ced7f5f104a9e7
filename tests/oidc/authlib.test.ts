// Python Authlib (Debian python3-authlib) as a second relying party: the same flow as
// openid-client's, run by examples/python/oidc_login.py, the login again in Chromium.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { resolveLocalhostNamesToLoopback } from '../../examples/native-cli/localhost_names';
import { createVerifier } from '@ic-jwt/verifier';
import { launchChromium } from '../browser/support/chromium';
import { SYSTEM_PYTHON } from '../support/python';
import { approveAsUser } from './support/authorization_page';
import { nativeClient, startOidcProvider, type OidcProvider } from './support/provider';
import { redirectUriOf, startRelyingParty } from './support/relying_party_process';

const CLIENT_ID = 'authlib-test';
const API_AUDIENCE = 'https://api.example.test';
const SCRIPT = 'examples/python/oidc_login.py';

let provider: OidcProvider;
let browser: Browser;

beforeAll(async () => {
  resolveLocalhostNamesToLoopback();
  provider = await startOidcProvider('ic-jwt-authlib-');
  await provider.registerClient(nativeClient(CLIENT_ID, API_AUDIENCE));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await provider?.close();
});

describe('Authlib as a native app (authorization code, PKCE, loopback redirect)', () => {
  it('signs in through the authorization page and verifies the EdDSA id_token; the access token is for the registered resource', async () => {
    const relyingParty = startRelyingParty(SYSTEM_PYTHON, [SCRIPT, '--issuer', provider.issuer, '--client-id', CLIENT_ID, '--no-open', '--timeout', '90']);
    try {
      const authorizationUrl = await relyingParty.authorizationUrl;
      expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${provider.issuer}/authorize`);
      expect(Object.fromEntries(authorizationUrl.searchParams)).toMatchObject({
        response_type: 'code',
        client_id: CLIENT_ID,
        scope: 'openid',
        code_challenge_method: 'S256'
      });
      const { principal } = await approveAsUser(browser, authorizationUrl, redirectUriOf(authorizationUrl));

      const { code, stdout } = await relyingParty.exited;
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { claims?: Record<string, unknown>; access_token?: string; error?: string };
      expect(result.error, stdout).toBeUndefined();
      expect(code).toBe(0);
      expect(result.claims).toMatchObject({
        iss: provider.issuer,
        sub: principal,
        aud: CLIENT_ID,
        azp: CLIENT_ID,
        nonce: authorizationUrl.searchParams.get('nonce')
      });

      const resourceServer = createVerifier({ issuer: provider.issuer, audience: API_AUDIENCE, algorithms: ['EdDSA'], tokenType: 'at+jwt' });
      expect(await resourceServer.verify(result.access_token!)).toMatchObject({ sub: principal, client_id: CLIENT_ID, scope: 'openid' });
    } finally {
      relyingParty.kill();
    }
  });
});
