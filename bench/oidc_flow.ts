// Sign in with Internet Identity (OpenID Connect) end to end on the local IC: from the
// authorization request to the id_token validated by openid-client, and the share of it spent in
// the two threshold signatures (id_token and access token).
// Run: npm run build && npx tsx --conditions=ic-jwt-source bench/oidc_flow.ts
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import * as oidc from 'openid-client';

import { AuthorizationRequestType, AuthorizeResultType, CheckAuthorizationResultType } from '../src/backend/core/candid';
import { resolveLocalhostNamesToLoopback } from '../examples/native-cli/localhost_names';
import { startLoopbackReceiver } from '../examples/native-cli/loopback_receiver';
import { createThresholdKeys } from '../packages/local-ic/src/threshold';
import { launchChromium } from '../tests/browser/support/chromium';
import { approveAsUser } from '../tests/oidc/support/authorization_page';
import { nativeClient, startOidcProvider } from '../tests/oidc/support/provider';

const LOGINS = 10;
const BROWSER_LOGINS = 3;
const CLIENT_ID = 'bench-native';
const REDIRECT_URI = 'http://127.0.0.1:8765/callback';
const SIGNATURES_PER_LOGIN = 2;

interface Phases {
  authorizeMs: number;
  tokenMs: number;
  totalMs: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

resolveLocalhostNamesToLoopback();
const provider = await startOidcProvider('ic-jwt-bench-oidc-');
try {
  const { network, deployment } = provider.deployed;
  await provider.registerClient(nativeClient(CLIENT_ID, 'ic-jwt-demo-api'));
  // Every login is a different user; the global per-minute cap would otherwise stop the run.
  await provider.configure({ globalLimitPerMinute: 10_000 });
  const config = await oidc.discovery(new URL(provider.issuer), CLIENT_ID, { id_token_signed_response_alg: 'EdDSA' }, oidc.None(), {
    execute: [oidc.allowInsecureRequests]
  });
  oidc.enableNonRepudiationChecks(config);

  async function grant(callback: URL, codeVerifier: string, state: string, nonce: string): Promise<string> {
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    return tokens.claims()!.sub;
  }

  async function authorizationRequest(redirectUri: string): Promise<{ url: URL; codeVerifier: string; state: string; nonce: string }> {
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce
    });
    return { url, codeVerifier, state, nonce };
  }

  // The page's two calls as the user: check_authorization (query), then authorize (update).
  async function authorizeAs(user: Principal, url: URL): Promise<URL> {
    const p = Object.fromEntries(url.searchParams);
    const request = IDL.encode([AuthorizationRequestType], [
      {
        response_type: p['response_type'] ?? '',
        client_id: p['client_id'] ?? '',
        redirect_uri: p['redirect_uri'] ?? '',
        scope: p['scope'] ?? '',
        state: p['state'] ?? '',
        nonce: p['nonce'] ?? '',
        code_challenge: p['code_challenge'] ?? '',
        code_challenge_method: p['code_challenge_method'] ?? ''
      }
    ]);
    const checked = await network.ic.queryCall(deployment.canisterId, 'check_authorization', request, { sender: user });
    if (checked.kind !== 'replied' || !('Ok' in (IDL.decode([CheckAuthorizationResultType], checked.reply)[0] as object))) throw new Error('check_authorization refused');
    const authorized = await network.ic.updateCall(deployment.canisterId, 'authorize', request, { sender: user });
    if (authorized.kind !== 'replied') throw new Error(`authorize was rejected: ${authorized.message}`);
    const [outcome] = IDL.decode([AuthorizeResultType], authorized.reply) as [{ Ok?: { redirect_to: string }; Err?: unknown }];
    if (outcome.Ok === undefined) throw new Error(`authorize refused: ${JSON.stringify(outcome.Err)}`);
    return new URL(outcome.Ok.redirect_to);
  }

  async function login(index: number): Promise<Phases> {
    const user = Principal.selfAuthenticating(Uint8Array.of(index, 0x0c, ...new Uint8Array(30)));
    const started = performance.now();
    const { url, codeVerifier, state, nonce } = await authorizationRequest(REDIRECT_URI);
    const callback = await authorizeAs(user, url);
    const authorized = performance.now();
    if ((await grant(callback, codeVerifier, state, nonce)) !== user.toText()) throw new Error('the id_token is for someone else');
    const done = performance.now();
    return { authorizeMs: authorized - started, tokenMs: done - authorized, totalMs: done - started };
  }

  /** The same through the authorization page in headless Chromium, the dev identity provider's login included. */
  async function browserLogin(browser: Awaited<ReturnType<typeof launchChromium>>): Promise<number> {
    const receiver = await startLoopbackReceiver('/callback', 60_000);
    try {
      const started = performance.now();
      const { url, codeVerifier, state, nonce } = await authorizationRequest(receiver.redirectUri);
      const { principal } = await approveAsUser(browser, url, receiver.redirectUri);
      if ((await grant(await receiver.response, codeVerifier, state, nonce)) !== principal) throw new Error('the id_token is for someone else');
      return performance.now() - started;
    } finally {
      await receiver.close();
    }
  }

  await login(255); // warm-up: JWK Set fetched once, code paths compiled
  const runs: Phases[] = [];
  for (let i = 0; i < LOGINS; i++) runs.push(await login(i));

  const browser = await launchChromium();
  const browserRuns: number[] = [];
  try {
    for (let i = 0; i < BROWSER_LOGINS; i++) browserRuns.push(await browserLogin(browser));
  } finally {
    await browser.close();
  }

  // The signing maths the local IC does for each sign_with_schnorr (ed25519), on its own.
  const keys = createThresholdKeys();
  const canister = deployment.canisterId.toUint8Array();
  const message = new Uint8Array(700).fill(7);
  keys.signWithSchnorr('ed25519', 'key_1', canister, [], message);
  const signStarted = performance.now();
  const SIGNS = 100;
  for (let i = 0; i < SIGNS; i++) keys.signWithSchnorr('ed25519', 'key_1', canister, [], message.fill(i, 0, 1));
  const signMs = (performance.now() - signStarted) / SIGNS;

  const total = median(runs.map((run) => run.totalMs));
  const token = median(runs.map((run) => run.tokenMs));
  console.log(`OpenID Connect login on the local IC, median of ${LOGINS} (authorization request to validated id_token, no browser):`);
  console.table([
    {
      'authorize (query + update), ms': median(runs.map((run) => run.authorizeMs)).toFixed(1),
      'token endpoint + id_token validation, ms': token.toFixed(1),
      'total, ms': total.toFixed(1),
      'threshold signing (2 × ed25519), ms': (SIGNATURES_PER_LOGIN * signMs).toFixed(2),
      'signing share of total': `${((100 * SIGNATURES_PER_LOGIN * signMs) / total).toFixed(1)} %`
    }
  ]);
  console.log(`Through the authorization page in headless Chromium (page, dev identity provider login, authorize, redirect, token, validation), median of ${BROWSER_LOGINS}: ${median(browserRuns).toFixed(0)} ms`);
  console.log('On mainnet each signature is a threshold protocol run between the nodes of the key subnet, and its fee (2 per login) is in README "Cost per token".');
} finally {
  await provider.close();
}
