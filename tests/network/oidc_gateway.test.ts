// The OpenID provider as relying parties reach it: through the local network's HTTP gateway, which
// verifies every certified answer (discovery, the /authorize page) and upgrades POST /token to
// http_request_update. The deployment registers the demo native client, as `npm start` does.
import { createHash, randomBytes } from 'node:crypto';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AuthorizationRequestType, AuthorizeResultType, OidcClientType } from '../../src/backend/core/candid';
import { DEMO_NATIVE_CLIENT, type Deployment } from '../../src/dev_network/deploy_jwt_issuer';
import type { LocalNetwork } from '../../packages/local-ic/src/network/local_network';
import { startDeployedIssuer } from './support/deployed_issuer';

let network: LocalNetwork;
let deployment: Deployment;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ network, deployment, close } = await startDeployedIssuer('ic-jwt-oidc-'));
});

afterAll(async () => {
  await close?.();
});

const url = (path: string): string => network.canisterUrl(deployment.canisterId, path);

async function authorize(user: Principal, challenge: string, redirectUri: string): Promise<string> {
  const request = {
    response_type: 'code',
    client_id: DEMO_NATIVE_CLIENT.clientId,
    redirect_uri: redirectUri,
    scope: 'openid',
    state: 'xyz',
    nonce: 'n-0S6_WzA2Mj',
    code_challenge: challenge,
    code_challenge_method: 'S256'
  };
  const result = await network.ic.updateCall(deployment.canisterId, 'authorize', IDL.encode([AuthorizationRequestType], [request]), { sender: user });
  if (result.kind === 'rejected') throw new Error(result.message);
  const [outcome] = IDL.decode([AuthorizeResultType], result.reply) as unknown as [{ Ok?: { redirect_to: string }; Err?: unknown }];
  if (outcome.Ok === undefined) throw new Error(JSON.stringify(outcome.Err));
  return new URL(outcome.Ok.redirect_to).searchParams.get('code')!;
}

describe('the OpenID provider through the gateway', () => {
  it('has the demo native client registered by the deployment', async () => {
    const result = await network.ic.queryCall(deployment.canisterId, 'list_clients', IDL.encode([], []));
    if (result.kind === 'rejected') throw new Error(result.message);
    const [clients] = IDL.decode([IDL.Vec(OidcClientType)], result.reply) as unknown as [{ client_id: string; redirect_uris: string[] }[]];
    expect(clients.map((client) => [client.client_id, client.redirect_uris])).toEqual([['ic-jwt-native-demo', ['http://127.0.0.1/callback']]]);
  });

  it('serves discovery at both well-known paths and the /authorize page, all verified by the gateway', async () => {
    const discovery = await (await fetch(url('/.well-known/openid-configuration'))).json();
    expect(discovery).toMatchObject({ issuer: deployment.issuer, authorization_endpoint: `${deployment.issuer}/authorize`, token_endpoint: `${deployment.issuer}/token` });
    expect(await (await fetch(url('/.well-known/oauth-authorization-server'))).json()).toEqual(discovery);
    const page = await fetch(url('/authorize?response_type=code&client_id=ic-jwt-native-demo'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain(`connect-src http://localhost:${network.port}`);
    expect(await page.text()).toContain('<script type="module">');
  });

  it('exchanges a code at POST /token (upgraded to an update call) for tokens that verify against the served JWKS', async () => {
    const user = Principal.selfAuthenticating(randomBytes(32));
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = 'http://127.0.0.1:50123/callback';
    const code = await authorize(user, challenge, redirectUri);
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: DEMO_NATIVE_CLIENT.clientId, code_verifier: verifier });
    const response = await fetch(url('/token'), { method: 'POST', body });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const tokens = await response.json();
    const jwks = createLocalJWKSet(await (await fetch(url('/.well-known/jwks.json'))).json());
    const { payload } = await jwtVerify(tokens.id_token, jwks, { algorithms: ['EdDSA'], issuer: deployment.issuer, audience: DEMO_NATIVE_CLIENT.clientId });
    expect(payload).toMatchObject({ sub: user.toText(), nonce: 'n-0S6_WzA2Mj' });
    await jwtVerify(tokens.access_token, jwks, { algorithms: ['EdDSA'], issuer: deployment.issuer, audience: 'ic-jwt-demo-api', typ: 'at+jwt' });

    const replay = await fetch(url('/token'), { method: 'POST', body });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
  });
});
