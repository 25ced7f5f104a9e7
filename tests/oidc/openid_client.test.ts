// openid-client 6 as a native app against the issuer on the local network: discovery, PKCE,
// a loopback redirect, the login in Chromium, the code exchange, the id_token checked by
// openid-client (EdDSA), and the access token accepted by the example API and by oauth4webapi.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiApp } from '../../examples/express-api/app';
import { resolveLocalhostNamesToLoopback } from '../../examples/native-cli/localhost_names';
import { startLoopbackReceiver } from '../../examples/native-cli/loopback_receiver';
import { createVerifier } from '@ic-jwt/verifier';
import { launchChromium } from '../browser/support/chromium';
import { approveAsUser } from './support/authorization_page';
import { decodeJwtPart } from './support/jwt_parts';
import { nativeClient, startOidcProvider, type OidcProvider } from './support/provider';

const CLIENT_ID = 'openid-client-test';
const API_AUDIENCE = 'ic-jwt-demo-api';

let provider: OidcProvider;
let browser: Browser;
let api: Server;
let apiUrl: string;

beforeAll(async () => {
  resolveLocalhostNamesToLoopback();
  provider = await startOidcProvider('ic-jwt-openid-client-');
  await provider.registerClient(nativeClient(CLIENT_ID, API_AUDIENCE));
  browser = await launchChromium();
  // The example API as the resource server: access tokens only, for its audience, EdDSA only.
  const verifier = createVerifier({ issuer: provider.issuer, audience: API_AUDIENCE, algorithms: ['EdDSA'], tokenType: 'at+jwt' });
  api = await new Promise<Server>((resolve) => {
    const server = createApiApp({ verifier, corsOrigins: [] }).listen(0, '127.0.0.1', () => resolve(server));
  });
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  api?.close();
  await browser?.close();
  await provider?.close();
});

const discover = () =>
  oidc.discovery(new URL(provider.issuer), CLIENT_ID, { id_token_signed_response_alg: 'EdDSA' }, oidc.None(), { execute: [oidc.allowInsecureRequests] });

const whoami = (token: string) => fetch(`${apiUrl}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });

describe('openid-client 6 as a native app (authorization code, PKCE, loopback redirect)', () => {
  it('discovers the provider: the metadata a public native client needs', async () => {
    const metadata = (await discover()).serverMetadata();
    expect(metadata).toMatchObject({
      issuer: provider.issuer,
      authorization_endpoint: `${provider.issuer}/authorize`,
      token_endpoint: `${provider.issuer}/token`,
      jwks_uri: `${provider.issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      authorization_response_iss_parameter_supported: true
    });
    expect(metadata.id_token_signing_alg_values_supported).toContain('EdDSA');
  });

  it('signs in through the authorization page and gets an id_token openid-client verifies, and an access token the API accepts', async () => {
    const config = await discover();
    // Verifies the id_token's signature against the JWK Set (EdDSA pinned by the client metadata).
    oidc.enableNonRepudiationChecks(config);
    const receiver = await startLoopbackReceiver('/callback', 60_000);
    try {
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const authorizationUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: receiver.redirectUri,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce
      });
      expect(authorizationUrl.toString().startsWith(`${provider.issuer}/authorize?`)).toBe(true);
      const before = await provider.signingCounters();

      const { principal } = await approveAsUser(browser, authorizationUrl, receiver.redirectUri);
      const callback = await receiver.response;
      expect(callback.searchParams.get('state')).toBe(state);
      expect(callback.searchParams.get('iss')).toBe(provider.issuer);
      expect(callback.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43,}$/);

      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: codeVerifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true
      });
      expect(tokens.token_type.toLowerCase()).toBe('bearer');
      expect(tokens.expiresIn()).toBeGreaterThan(0);
      const claims = tokens.claims()!;
      expect(claims).toMatchObject({ iss: provider.issuer, sub: principal, aud: CLIENT_ID, azp: CLIENT_ID, nonce });
      expect(claims.auth_time).toBeLessThanOrEqual(claims.iat);
      expect(decodeJwtPart(tokens.id_token!, 0)).toMatchObject({ alg: 'EdDSA' });

      // One threshold signature for each token, no more.
      const after = await provider.signingCounters();
      expect(after.signatures_requested - before.signatures_requested).toBe(2n);

      // The access token: RFC 9068, for the API's audience.
      expect(decodeJwtPart(tokens.access_token, 0)).toMatchObject({ typ: 'at+jwt', alg: 'EdDSA' });
      const request = new Request(`${apiUrl}/api/whoami`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      const accessClaims = await oauth.validateJwtAccessToken(config.serverMetadata(), request, API_AUDIENCE, {
        [oauth.allowInsecureRequests]: true,
        signingAlgorithms: ['EdDSA']
      });
      expect(accessClaims).toMatchObject({ iss: provider.issuer, sub: principal, aud: API_AUDIENCE, client_id: CLIENT_ID, scope: 'openid' });

      const answer = await whoami(tokens.access_token);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ principal, claims: { client_id: CLIENT_ID } });
      // The id_token is for the app, not for the API: refused (wrong type and audience).
      expect((await whoami(tokens.id_token!)).status).toBe(401);
    } finally {
      await receiver.close();
    }
  });
});
