// The authorization request's checks (RFC 6749 §4.1.2.1 redirect rules), the redemption of a code,
// and the two tokens of a login, signed here with node:crypto and verified by jose.
import { createHash, createPublicKey } from 'node:crypto';
import { compactVerify, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';

import { applyConfigInput, defaultConfig } from '../../src/backend/core/config';
import { ed25519SigningKey, type KeyRing } from '../../src/backend/core/key_ring';
import { validateAuthorization, type AuthorizationRequest } from '../../src/backend/core/oidc/authorization';
import { validateClient, type OidcClient } from '../../src/backend/core/oidc/clients';
import { CODE_TTL_MS, storedCode, type StoredCode } from '../../src/backend/core/oidc/codes';
import { completeLogin, planLogin, type LoginContext } from '../../src/backend/core/oidc/login_tokens';
import { checkRedemption } from '../../src/backend/core/oidc/token_request';
import { endpointsFor, readAuthorizationRequest } from '../../src/authorize_page/request';
import { ed25519TestKey, signEd25519 } from '../support/ed25519_keys';

const ISSUER = 'https://bkyz2-fmaaa-aaaaa-qaaaq-cai.icp0.io';
const USER = 'xkbqi-2qaaa-aaaah-qbpqq-cai';
const client: OidcClient = validateClient(
  { clientId: 'cli', kind: 'Native', redirectUris: ['http://127.0.0.1/cb'], idTokenAlgorithm: '', accessTokenAudience: 'https://api.example.com', subjectType: 'Public' },
  ['ES256K', 'EdDSA']
);
const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const request: AuthorizationRequest = {
  responseType: 'code',
  clientId: 'cli',
  redirectUri: 'http://127.0.0.1:7777/cb',
  scope: 'openid profile',
  state: 'af0ifjsldkj',
  nonce: 'n-0S6_WzA2Mj',
  codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
  codeChallengeMethod: 'S256'
};
const find = (id: string) => (id === client.clientId ? client : undefined);

describe('authorization requests', () => {
  it('grant the supported scopes among those asked for', () => {
    const result = validateAuthorization(request, find, ISSUER);
    expect(result.ok && result.value.scope).toBe('openid');
  });

  it('check the client and redirect URI first: no redirect before both are known good', () => {
    const bad = { ...request, responseType: 'token', state: '', nonce: '', codeChallenge: '' };
    for (const change of [{ clientId: 'other' }, { redirectUri: 'http://127.0.0.1:7777/other' }, { clientId: '' }, { redirectUri: '' }]) {
      const result = validateAuthorization({ ...bad, ...change }, find, ISSUER);
      expect(!result.ok && result.error.redirectTo).toBeUndefined();
    }
    const result = validateAuthorization(bad, find, ISSUER);
    expect(!result.ok && result.error.error).toBe('unsupported_response_type');
    expect(!result.ok && result.error.redirectTo).toBe(
      'http://127.0.0.1:7777/cb?error=unsupported_response_type&error_description=only%20response_type%3Dcode%20is%20supported&iss=https%3A%2F%2Fbkyz2-fmaaa-aaaaa-qaaaq-cai.icp0.io'
    );
  });

  it('describe errors in the characters RFC 6749 allows in error_description (no quote, no backslash)', () => {
    const changes: Partial<AuthorizationRequest>[] = [{ responseType: 'token' }, { scope: 'email' }, { state: '' }, { nonce: '' }, { codeChallenge: '' }, { codeChallengeMethod: 'plain' }, { codeChallenge: 'x' }, { clientId: 'zz' }, { redirectUri: 'http://x' }];
    for (const change of changes) {
      const result = validateAuthorization({ ...request, ...change }, find, ISSUER);
      if (result.ok) throw new Error(`accepted ${JSON.stringify(change)}`);
      expect(result.error.errorDescription).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
    }
  });
});

describe('redeeming a code', () => {
  const authorized = validateAuthorization(request, find, ISSUER);
  if (!authorized.ok) throw new Error('the request was refused');
  const code: StoredCode = storedCode(authorized.value, USER, 1_000_000);
  const tokenRequest = { clientId: 'cli', code: 'c'.repeat(43), redirectUri: request.redirectUri, codeVerifier: verifier };

  it('succeeds with the same client, redirect URI and the verifier, until the code expires', () => {
    expect(checkRedemption(tokenRequest, client, code, 1_000_000 + CODE_TTL_MS - 1)).toEqual({ ok: true, value: code });
    expect(checkRedemption(tokenRequest, client, code, 1_000_000 + CODE_TTL_MS)).toMatchObject({ ok: false, error: { error: 'invalid_grant' } });
  });

  it('fails for another client, another port of the loopback URI, a wrong verifier, an unknown code or client', () => {
    const other = { ...client, clientId: 'other' };
    expect(checkRedemption({ ...tokenRequest, clientId: 'other' }, other, code, 1_000_000)).toMatchObject({ ok: false, error: { error: 'invalid_grant', description: /another client/ } });
    expect(checkRedemption({ ...tokenRequest, redirectUri: 'http://127.0.0.1:7778/cb' }, client, code, 1_000_000)).toMatchObject({ ok: false, error: { error: 'invalid_grant', description: /redirect_uri/ } });
    expect(checkRedemption({ ...tokenRequest, codeVerifier: 'x'.repeat(43) }, client, code, 1_000_000)).toMatchObject({ ok: false, error: { error: 'invalid_grant', description: /PKCE/ } });
    expect(checkRedemption(tokenRequest, client, undefined, 1_000_000)).toMatchObject({ ok: false, error: { error: 'invalid_grant' } });
    expect(checkRedemption(tokenRequest, undefined, code, 1_000_000)).toMatchObject({ ok: false, error: { error: 'invalid_client', status: 401 } });
  });
});

describe('the tokens of a login', () => {
  const keyPair = ed25519TestKey();
  const key = ed25519SigningKey('test_key_1', 1, keyPair.publicKey);
  const ring: KeyRing = { active: [key], pending: [], retired: [] };
  const config = applyConfigInput(defaultConfig('bkyz2-fmaaa-aaaaa-qaaaq-cai'), { issuer: ISSUER });
  const nowNanos = 1_800_000_000_000_000_000n;
  const authorized = validateAuthorization(request, find, ISSUER);
  if (!authorized.ok) throw new Error('the request was refused');
  const context = (change: Partial<LoginContext> = {}): LoginContext => ({
    config,
    keyRing: ring,
    client,
    code: storedCode(authorized.value, USER, 1_800_000_000_000 - 5_000),
    nowNanos,
    cycleBalance: 10n ** 14n,
    userBucket: undefined,
    globalWindow: undefined,
    sequence: 7n,
    jtiSeed: new Uint8Array(32).fill(1),
    pairwiseSalt: new Uint8Array(32).fill(2),
    ...change
  });

  it('are an ID token for the client and an at+jwt access token for its resource, both verified by jose', async () => {
    const planned = planLogin(context());
    if (!planned.ok) throw new Error(JSON.stringify(planned.error));
    const sign = (part: { message: Uint8Array }) => signEd25519(part.message, keyPair);
    const tokens = completeLogin(planned.value, sign(planned.value.idToken), sign(planned.value.accessToken));
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(keyPair.publicKey).toString('base64url') }, format: 'jwk' });
    const idToken = await compactVerify(tokens.idToken, publicKey, { algorithms: ['EdDSA'] });
    expect(idToken.protectedHeader).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: key.jwk.kid });
    const accessToken = await compactVerify(tokens.accessToken, publicKey, { algorithms: ['EdDSA'] });
    expect(accessToken.protectedHeader).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: key.jwk.kid });
    const iat = 1_800_000_000;
    expect(decodeJwt(tokens.idToken)).toEqual({ iss: ISSUER, sub: USER, aud: 'cli', exp: iat + 3600, iat, nbf: iat, jti: expect.any(String), auth_time: iat - 5, nonce: 'n-0S6_WzA2Mj', azp: 'cli' });
    expect(decodeJwt(tokens.accessToken)).toEqual({ iss: ISSUER, sub: USER, aud: 'https://api.example.com', exp: iat + 3600, iat, nbf: iat, jti: expect.any(String), client_id: 'cli', scope: 'openid', auth_time: iat - 5 });
    expect(decodeJwt(tokens.idToken).jti).not.toBe(decodeJwt(tokens.accessToken).jti);
    expect(planned.value.sequence).toBe(9n);
    expect(tokens.expiresIn).toBe(3600);
  });

  it('are refused before any payment when the key, the cycles or the rate limits say no', () => {
    expect(planLogin(context({ keyRing: { active: [], pending: [], retired: [] } }))).toMatchObject({ ok: false, error: { status: 503 } });
    expect(planLogin(context({ pairwiseSalt: undefined }))).toMatchObject({ ok: false, error: { status: 503 } });
    // Two signatures must fit above the floor.
    const fee = 10_000_000_000n;
    expect(planLogin(context({ cycleBalance: config.cycleFloor + 2n * fee - 1n }))).toMatchObject({ ok: false, error: { status: 503 } });
    expect(planLogin(context({ cycleBalance: config.cycleFloor + 2n * fee })).ok).toBe(true);
    // A bucket with one token left cannot pay for two signatures.
    expect(planLogin(context({ userBucket: { tokens: 1, updatedAtMs: 1_800_000_000_000 } }))).toMatchObject({ ok: false, error: { status: 429, retryAfterSeconds: expect.any(Number) } });
    expect(planLogin(context({ code: { ...context().code, principal: '2vxsx-fae' } }))).toMatchObject({ ok: false, error: { error: 'invalid_grant' } });
  });
});

describe('the authorization page', () => {
  it('reads the request from its query, refusing a repeated parameter', () => {
    expect(readAuthorizationRequest('?client_id=a&state=s&state=t')).toEqual({ ok: false, repeated: 'state' });
    const read = readAuthorizationRequest('?response_type=code&client_id=a&scope=openid+x');
    expect(read).toMatchObject({ ok: true, request: { response_type: 'code', client_id: 'a', scope: 'openid x', nonce: '', code_challenge: '' } });
  });

  it('finds the IC and the identity provider from its origin only', () => {
    expect(endpointsFor('http://bkyz2-fmaaa-aaaaa-qaaaq-cai.localhost:4943')).toEqual({
      canisterId: 'bkyz2-fmaaa-aaaaa-qaaaq-cai',
      icHost: 'http://localhost:4943',
      identityProvider: 'http://localhost:4943/_/identity/',
      fetchRootKey: true
    });
    expect(endpointsFor('https://bkyz2-fmaaa-aaaaa-qaaaq-cai.icp0.io')).toMatchObject({ icHost: 'https://icp-api.io', identityProvider: 'https://identity.internetcomputer.org', fetchRootKey: false });
    expect(endpointsFor('http://bkyz2-fmaaa-aaaaa-qaaaq-cai.icp0.io')).toBeUndefined();
    expect(endpointsFor('https://login.example.com')).toBeUndefined();
  });
});
