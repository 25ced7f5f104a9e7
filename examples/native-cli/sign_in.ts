// Sign in with Internet Identity as a native app: OpenID Connect authorization code flow with
// PKCE (S256) and a loopback redirect (RFC 8252), through openid-client. No client secret.
import * as oidc from 'openid-client';

import { isLoopbackHost, resolveLocalhostNamesToLoopback } from './localhost_names';
import { startLoopbackReceiver } from './loopback_receiver';

export const CALLBACK_PATH = '/callback';

export interface SignInOptions {
  /** The issuer canister's URL, e.g. https://<canister-id>.icp0.io (exactly the tokens' iss). */
  issuer: URL;
  /** A native client registered on the issuer with the redirect http://127.0.0.1/callback. */
  clientId: string;
  /** Shows the user the authorization page: the system browser, or a printed URL. */
  openAuthorizationPage(url: URL): void | Promise<void>;
  /** How long the user has to sign in. Default 5 minutes. */
  timeoutMs?: number;
}

export interface SignedIn {
  /** The id_token's claims, its signature and iss, aud, exp, nonce checked by openid-client. */
  claims: oidc.IDToken;
  idToken: string;
  /** An RFC 9068 access token for the client's registered resource. */
  accessToken: string;
  expiresIn: number | undefined;
}

export async function signIn({ issuer, clientId, openAuthorizationPage, timeoutMs = 300_000 }: SignInOptions): Promise<SignedIn> {
  const local = isLoopbackHost(issuer.hostname);
  if (local) resolveLocalhostNamesToLoopback();
  // Plain http only for an issuer on this machine (a local IC); anything else must be https.
  const config = await oidc.discovery(issuer, clientId, { id_token_signed_response_alg: 'EdDSA' }, oidc.None(), {
    execute: local ? [oidc.allowInsecureRequests] : []
  });
  // Checks the id_token's signature against the issuer's JWK Set too, pinned to EdDSA above.
  oidc.enableNonRepudiationChecks(config);

  const receiver = await startLoopbackReceiver(CALLBACK_PATH, timeoutMs);
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
    await openAuthorizationPage(authorizationUrl);
    const tokens = await oidc.authorizationCodeGrant(config, await receiver.response, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true
    });
    const claims = tokens.claims();
    if (claims === undefined || tokens.id_token === undefined) throw new Error('the token response has no id_token');
    return { claims, idToken: tokens.id_token, accessToken: tokens.access_token, expiresIn: tokens.expiresIn() };
  } finally {
    await receiver.close();
  }
}
