// The OpenID provider on the built Wasm: authorization code + PKCE from check_authorization to
// POST /token (the gateway's upgrade path: http_request asks, http_request_update answers), the
// tokens checked by jose and by our verifier, and every error of issue 16 with its RFC code and
// nothing issued.
import { createHash, randomBytes } from 'node:crypto';
import { Principal } from '@dfinity/principal';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';

import { createVerifier } from '@ic-jwt/verifier';
import { JwtIssuer, randomPrincipal, type AuthorizationRequest, type OidcClient } from './harness/jwt_issuer';
import { advanceTime, useInstance, usePocketIcServer } from './harness/pic_network';

const server = usePocketIcServer();
const instance = useInstance(server);

const NATIVE: OidcClient = {
  client_id: 'native-cli',
  kind: { Native: null },
  redirect_uris: ['http://127.0.0.1/callback', 'com.example.app:/oauth'],
  id_token_algorithm: '',
  access_token_audience: 'https://api.example.com',
  subject_type: { Public: null }
};

/** PKCE computed with node:crypto, independently of the canister's code. */
function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizationRequest(challenge: string, overrides: Partial<AuthorizationRequest> = {}): AuthorizationRequest {
  return {
    response_type: 'code',
    client_id: NATIVE.client_id,
    redirect_uri: 'http://127.0.0.1:49152/callback',
    scope: 'openid',
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides
  };
}

interface Login {
  code: string;
  redirect: URL;
  verifier: string;
  redirectUri: string;
}

async function authorizeAs(issuer: JwtIssuer, user: Principal, overrides: Partial<AuthorizationRequest> = {}): Promise<Login> {
  const { verifier, challenge } = pkce();
  const request = authorizationRequest(challenge, overrides);
  const result = await issuer.authorize(user, request);
  if (!('Ok' in result)) throw new Error(`authorize refused: ${JSON.stringify(result.Err)}`);
  const redirect = new URL(result.Ok.redirect_to);
  return { code: redirect.searchParams.get('code') ?? '', redirect, verifier, redirectUri: request.redirect_uri };
}

function tokenForm(login: Login, overrides: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'authorization_code', code: login.code, redirect_uri: login.redirectUri, client_id: NATIVE.client_id, code_verifier: login.verifier, ...overrides };
}

async function issuedCounts(issuer: JwtIssuer): Promise<{ tokens: bigint; signatures: bigint }> {
  const metrics = await issuer.metrics();
  return { tokens: metrics.tokens_issued, signatures: metrics.signatures_requested };
}

type Jwks = Parameters<typeof createLocalJWKSet>[0];

describe('the authorization code flow with PKCE', () => {
  let issuer: JwtIssuer;
  let iss: string;
  beforeAll(async () => {
    issuer = await JwtIssuer.install(instance());
    expect(await issuer.registerClient(NATIVE)).toEqual({ Ok: null });
    iss = (await issuer.getConfig()).issuer;
  });

  it('publishes complete discovery metadata at both well-known paths, issuer equal to iss', async () => {
    const discovery = JSON.parse((await issuer.http('GET', '/.well-known/openid-configuration')).body);
    expect(discovery).toMatchObject({
      issuer: iss,
      authorization_endpoint: `${iss}/authorize`,
      token_endpoint: `${iss}/token`,
      jwks_uri: `${iss}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      subject_types_supported: ['public', 'pairwise'],
      scopes_supported: ['openid'],
      authorization_response_iss_parameter_supported: true
    });
    expect(discovery.claims_supported).toEqual(expect.arrayContaining(['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'azp']));
    expect((await issuer.http('GET', '/.well-known/oauth-authorization-server')).body).toBe(JSON.stringify(discovery));
  });

  it('serves the authorization page (GET /authorize with the request in its query)', async () => {
    const page = await issuer.http('GET', '/authorize?response_type=code&client_id=native-cli');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
  });

  it('checks the request, gives a code to the user, and exchanges it once for tokens jose and our verifier accept', async () => {
    const alice = randomPrincipal();
    const { challenge } = pkce();
    expect(await issuer.checkAuthorization(authorizationRequest(challenge))).toEqual({ Ok: { client_id: NATIVE.client_id } });

    const before = await issuedCounts(issuer);
    const login = await authorizeAs(issuer, alice);
    // Any loopback port matches the registered http://127.0.0.1/callback (RFC 8252 §7.3).
    expect(`${login.redirect.origin}${login.redirect.pathname}`).toBe('http://127.0.0.1:49152/callback');
    expect(login.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(login.redirect.searchParams.get('state')).toBe('state-123');
    expect(login.redirect.searchParams.get('iss')).toBe(iss);

    const response = await issuer.postToken(tokenForm(login));
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['pragma']).toBe('no-cache');
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });

    const jwks = (await issuer.jwks()) as unknown as Jwks;
    const keys = createLocalJWKSet(jwks);
    // Every verifier checks exp, nbf and iat at the instance's time.
    const now = await issuer.now();
    const idToken = await jwtVerify(body.id_token, keys, { algorithms: ['EdDSA'], issuer: iss, audience: NATIVE.client_id, currentDate: now });
    expect(idToken.protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'JWT' });
    expect(idToken.payload).toMatchObject({ sub: alice.toText(), nonce: 'nonce-456', azp: NATIVE.client_id });
    expect(idToken.payload.exp! - idToken.payload.iat!).toBe(3600);
    expect(Math.abs(Number(idToken.payload['auth_time']) - idToken.payload.iat!)).toBeLessThanOrEqual(60);

    const accessToken = await jwtVerify(body.access_token, keys, { algorithms: ['EdDSA'], issuer: iss, audience: NATIVE.access_token_audience, typ: 'at+jwt', currentDate: now });
    expect(accessToken.payload).toMatchObject({ sub: alice.toText(), client_id: NATIVE.client_id, scope: 'openid' });
    expect(typeof accessToken.payload.jti).toBe('string');
    expect(accessToken.payload.jti).not.toBe(idToken.payload.jti);

    const verifier = (audience: string, tokenType: 'jwt' | 'at+jwt') =>
      createVerifier({ issuer: iss, audience, algorithms: ['EdDSA'], tokenType, jwksUri: 'https://example.com/jwks.json', fetch: async () => new Response(JSON.stringify(jwks)), clock: () => now.getTime() });
    expect(await verifier(NATIVE.client_id, 'jwt').verify(body.id_token)).toMatchObject({ sub: alice.toText(), nonce: 'nonce-456' });
    expect(await verifier(NATIVE.access_token_audience, 'at+jwt').verify(body.access_token)).toMatchObject({ sub: alice.toText(), client_id: NATIVE.client_id });
    // Explicit typing (RFC 8725 §3.11): the access token does not pass where an ic-jwt token is expected.
    await expect(verifier(NATIVE.access_token_audience, 'jwt').verify(body.access_token)).rejects.toThrow(/access token/);

    const after = await issuedCounts(issuer);
    expect(after).toEqual({ tokens: before.tokens + 2n, signatures: before.signatures + 2n });
    // The exchange took the code out of stable memory.
    expect((await issuer.metrics()).authorization_codes).toBe(0n);

    // A reused code fails, and nothing more is issued.
    const again = await issuer.postToken(tokenForm(login));
    expect(again.status).toBe(400);
    expect(JSON.parse(again.body)).toMatchObject({ error: 'invalid_grant' });
    expect(await issuedCounts(issuer)).toEqual(after);
  });

  it('matches loopback redirects on any port but the same host and path, and private-use schemes exactly', async () => {
    const { challenge } = pkce();
    for (const redirect_uri of ['http://127.0.0.1/callback', 'http://127.0.0.1:1/callback', 'http://127.0.0.1:65535/callback', 'com.example.app:/oauth']) {
      expect(await issuer.checkAuthorization(authorizationRequest(challenge, { redirect_uri })), redirect_uri).toEqual({ Ok: { client_id: NATIVE.client_id } });
    }
    for (const redirect_uri of [
      'http://localhost:8080/callback',
      'http://[::1]:8080/callback',
      'http://127.0.0.1:8080/callback/',
      'http://127.0.0.1:8080/Callback',
      'http://127.0.0.1:65536/callback',
      'http://127.0.0.1:08080/callback',
      'http://127.0.0.1:8080/callback?x=1',
      'https://127.0.0.1:8080/callback',
      'com.example.app:/oauth/other',
      'com.evil.app:/oauth'
    ]) {
      const result = await issuer.checkAuthorization(authorizationRequest(challenge, { redirect_uri }));
      expect(result, redirect_uri).toEqual({ Err: { error: 'invalid_request', error_description: 'redirect_uri is not registered for this client', redirect_to: [] } });
    }
  });

  it('keeps clients, codes and pairwise subjects across an upgrade', async () => {
    const pairwise: OidcClient = { ...NATIVE, client_id: 'pairwise-native', subject_type: { Pairwise: null } };
    expect(await issuer.registerClient(pairwise)).toEqual({ Ok: null });
    const bob = randomPrincipal();
    const subjectOf = async (login: Login) => {
      const body = JSON.parse((await issuer.postToken(tokenForm(login, { client_id: pairwise.client_id }))).body);
      return JSON.parse(Buffer.from(body.id_token.split('.')[1], 'base64url').toString()).sub as string;
    };
    const first = await subjectOf(await authorizeAs(issuer, bob, { client_id: pairwise.client_id }));
    const pending = await authorizeAs(issuer, bob, { client_id: pairwise.client_id });
    await issuer.upgrade();
    await issuer.waitForSigningKey();
    expect((await issuer.listClients()).map((client) => client.client_id).sort()).toEqual(['native-cli', 'pairwise-native']);
    expect(await subjectOf(pending)).toBe(first);
  });
});

describe('subjects', () => {
  let issuer: JwtIssuer;
  const web = (client_id: string, host: string, subject_type: OidcClient['subject_type']): OidcClient => ({
    client_id,
    kind: { Web: null },
    redirect_uris: [`https://${host}/cb`],
    id_token_algorithm: 'EdDSA',
    access_token_audience: 'api',
    subject_type
  });
  beforeAll(async () => {
    issuer = await JwtIssuer.install(instance(), { config: { rateLimit: { capacity: 100, refillIntervalSeconds: 1 } } });
    for (const client of [web('a1', 'a.example.com', { Pairwise: null }), web('a2', 'a.example.com', { Pairwise: null }), web('b', 'b.example.com', { Pairwise: null }), web('pub', 'p.example.com', { Public: null })]) {
      expect(await issuer.registerClient(client)).toEqual({ Ok: null });
    }
  });

  async function subject(clientId: string, host: string, user: Principal): Promise<string> {
    const { verifier, challenge } = pkce();
    const result = await issuer.authorize(user, authorizationRequest(challenge, { client_id: clientId, redirect_uri: `https://${host}/cb` }));
    if (!('Ok' in result)) throw new Error(JSON.stringify(result.Err));
    const code = new URL(result.Ok.redirect_to).searchParams.get('code')!;
    const response = await issuer.postToken({ grant_type: 'authorization_code', code, redirect_uri: `https://${host}/cb`, client_id: clientId, code_verifier: verifier });
    expect(response.status, response.body).toBe(200);
    return JSON.parse(Buffer.from(JSON.parse(response.body).id_token.split('.')[1], 'base64url').toString()).sub;
  }

  it('are pairwise per sector (redirect host): equal within one, unrelated across sectors and users; public is the principal', async () => {
    const carol = randomPrincipal();
    const dave = randomPrincipal();
    const inA = await subject('a1', 'a.example.com', carol);
    expect(inA).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(inA).not.toContain(carol.toText());
    expect(await subject('a2', 'a.example.com', carol)).toBe(inA);
    expect(await subject('a1', 'a.example.com', carol)).toBe(inA);
    expect(await subject('b', 'b.example.com', carol)).not.toBe(inA);
    expect(await subject('a1', 'a.example.com', dave)).not.toBe(inA);
    expect(await subject('pub', 'p.example.com', carol)).toBe(carol.toText());
  });
});

describe('ES256K clients', () => {
  it('get ID and access tokens signed with sign_with_ecdsa, which our verifier accepts', async () => {
    const issuer = await JwtIssuer.install(instance());
    const client: OidcClient = { ...NATIVE, client_id: 'es256k-app', id_token_algorithm: 'ES256K' };
    expect(await issuer.registerClient(client)).toEqual({ Ok: null });
    const erin = randomPrincipal();
    const login = await authorizeAs(issuer, erin, { client_id: client.client_id });
    const body = JSON.parse((await issuer.postToken(tokenForm(login, { client_id: client.client_id }))).body);
    expect(decodeProtectedHeader(body.id_token)).toMatchObject({ alg: 'ES256K', typ: 'JWT' });
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'ES256K', typ: 'at+jwt' });
    const jwks = await issuer.jwks();
    const { issuer: iss } = await issuer.getConfig();
    const now = await issuer.now();
    const verifier = createVerifier({ issuer: iss, audience: client.client_id, algorithms: ['ES256K'], jwksUri: 'https://example.com/jwks.json', fetch: async () => new Response(JSON.stringify(jwks)), clock: () => now.getTime() });
    expect(await verifier.verify(body.id_token)).toMatchObject({ sub: erin.toText(), azp: client.client_id });
  });
});

describe('the client registry', () => {
  let issuer: JwtIssuer;
  beforeAll(async () => {
    issuer = await JwtIssuer.install(instance(), { config: { algorithms: ['EdDSA'] } });
  });

  it('takes registrations from controllers only', async () => {
    const stranger = randomPrincipal();
    expect(await issuer.registerClient(NATIVE, stranger)).toEqual({ Err: { NotController: { caller: stranger } } });
    expect(await issuer.removeClient(NATIVE.client_id, stranger)).toEqual({ Err: { NotController: { caller: stranger } } });
    expect(await issuer.listClients()).toEqual([]);
  });

  it.each<[string, Partial<OidcClient>, string, RegExp]>([
    ['an id with a space', { client_id: 'my app' }, 'client_id', /A-Z a-z 0-9/],
    ['an id of 65 characters', { client_id: 'x'.repeat(65) }, 'client_id', /1 to 64/],
    ['no redirect URI', { redirect_uris: [] }, 'redirect_uris', /1 to 10/],
    ['localhost (RFC 8252 §8.3)', { redirect_uris: ['http://localhost/callback'] }, 'redirect_uris', /localhost is not a loopback redirect/],
    ['a loopback URI with a query', { redirect_uris: ['http://127.0.0.1/cb?x=1'] }, 'redirect_uris', /without query or fragment/],
    ['a scheme without a dot', { redirect_uris: ['myapp:/cb'] }, 'redirect_uris', /private-use scheme/],
    ['http for a web client', { kind: { Web: null }, redirect_uris: ['http://app.example.com/cb'] }, 'redirect_uris', /https/],
    ['a loopback URI for a web client', { kind: { Web: null }, redirect_uris: ['http://127.0.0.1/cb'] }, 'redirect_uris', /https/],
    ['a repeated URI', { redirect_uris: ['http://127.0.0.1/cb', 'http://127.0.0.1/cb'] }, 'redirect_uris', /repeat/],
    ['an algorithm not enabled', { id_token_algorithm: 'ES256K' }, 'id_token_algorithm', /not enabled/],
    ['an unknown algorithm', { id_token_algorithm: 'RS256' }, 'id_token_algorithm', /must be/],
    ['an empty audience', { access_token_audience: '' }, 'access_token_audience', /1 to 128/]
  ])('refuses %s, naming the field', async (_, change, field, reason) => {
    const result = await issuer.registerClient({ ...NATIVE, ...change });
    expect(result).toMatchObject({ Err: { InvalidClient: { field } } });
    if ('Err' in result && 'InvalidClient' in result.Err) expect(result.Err.InvalidClient.reason).toMatch(reason);
    expect(await issuer.listClients()).toEqual([]);
  });

  it('registers, replaces, lists and removes; a removed client cannot redeem its codes', async () => {
    expect(await issuer.registerClient(NATIVE)).toEqual({ Ok: null });
    expect(await issuer.listClients()).toEqual([{ ...NATIVE, id_token_algorithm: 'EdDSA' }]);
    const replaced = { ...NATIVE, redirect_uris: ['http://[::1]/callback'] };
    expect(await issuer.registerClient(replaced)).toEqual({ Ok: null });
    expect(await issuer.listClients()).toEqual([{ ...replaced, id_token_algorithm: 'EdDSA' }]);
    const login = await authorizeAs(issuer, randomPrincipal(), { redirect_uri: 'http://[::1]:5000/callback' });
    expect(await issuer.removeClient(NATIVE.client_id)).toEqual({ Ok: null });
    expect(await issuer.removeClient(NATIVE.client_id)).toEqual({ Err: { UnknownClient: { client_id: NATIVE.client_id } } });
    const before = await issuedCounts(issuer);
    const response = await issuer.postToken(tokenForm(login));
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_client' });
    expect(await issuedCounts(issuer)).toEqual(before);
  });
});

describe('authorization errors (RFC 6749 §4.1.2.1)', () => {
  let issuer: JwtIssuer;
  let iss: string;
  beforeAll(async () => {
    issuer = await JwtIssuer.install(instance());
    expect(await issuer.registerClient(NATIVE)).toEqual({ Ok: null });
    iss = (await issuer.getConfig()).issuer;
  });

  // Without a known client and redirect URI there is no redirect: the page shows the error.
  it.each<[string, Partial<AuthorizationRequest>, string]>([
    ['an unknown client', { client_id: 'nobody' }, 'unauthorized_client'],
    ['no client_id', { client_id: '' }, 'invalid_request'],
    ['an unregistered redirect URI', { redirect_uri: 'http://127.0.0.1:8080/other' }, 'invalid_request'],
    ['a non-loopback redirect URI', { redirect_uri: 'https://attacker.example/callback' }, 'invalid_request'],
    ['localhost as a redirect', { redirect_uri: 'http://localhost:8080/callback' }, 'invalid_request'],
    ['no redirect_uri', { redirect_uri: '' }, 'invalid_request'],
    ['an oversized redirect_uri', { redirect_uri: `http://127.0.0.1:8080/callback${'x'.repeat(600)}` }, 'invalid_request']
  ])('%s: %s on the page, no redirect, nothing issued', async (_, change, error) => {
    const { challenge } = pkce();
    const request = authorizationRequest(challenge, change);
    const before = await issuedCounts(issuer);
    const checked = await issuer.checkAuthorization(request);
    expect(checked).toMatchObject({ Err: { error, redirect_to: [] } });
    expect(await issuer.authorize(randomPrincipal(), request)).toEqual(checked);
    expect(await issuedCounts(issuer)).toEqual(before);
  });

  // With a known client and redirect URI the error goes back to the client, with state and iss.
  it.each<[string, Partial<AuthorizationRequest>, string, boolean]>([
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type', true],
    ['no response_type', { response_type: '' }, 'unsupported_response_type', true],
    ['a scope without openid', { scope: 'profile email' }, 'invalid_scope', true],
    ['no state', { state: '' }, 'invalid_request', false],
    ['an oversized state', { state: 's'.repeat(513) }, 'invalid_request', false],
    ['no nonce', { nonce: '' }, 'invalid_request', true],
    ['an oversized nonce', { nonce: 'n'.repeat(513) }, 'invalid_request', true],
    ['an oversized scope', { scope: `openid ${'x'.repeat(300)}` }, 'invalid_request', true],
    ['no PKCE', { code_challenge: '', code_challenge_method: '' }, 'invalid_request', true],
    ['code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request', true],
    ['no code_challenge_method', { code_challenge_method: '' }, 'invalid_request', true],
    ['a malformed code_challenge', { code_challenge: 'short' }, 'invalid_request', true]
  ])('%s: %s redirected to the client, nothing issued', async (_, change, error, echoesState) => {
    const { challenge } = pkce();
    const request = authorizationRequest(challenge, change);
    const before = await issuedCounts(issuer);
    const checked = await issuer.checkAuthorization(request);
    if (!('Err' in checked)) throw new Error('accepted');
    expect(checked.Err.error).toBe(error);
    const redirect = new URL(checked.Err.redirect_to[0]!);
    expect(`${redirect.origin}${redirect.pathname}`).toBe('http://127.0.0.1:49152/callback');
    expect(redirect.searchParams.get('error')).toBe(error);
    expect(redirect.searchParams.get('error_description')).toBe(checked.Err.error_description);
    expect(redirect.searchParams.get('iss')).toBe(iss);
    expect(redirect.searchParams.get('state')).toBe(echoesState ? request.state : null);
    expect(redirect.searchParams.get('code')).toBeNull();
    expect(await issuer.authorize(randomPrincipal(), request)).toEqual(checked);
    expect(await issuedCounts(issuer)).toEqual(before);
  });

  it('refuses the anonymous principal with access_denied, back to the client', async () => {
    const { challenge } = pkce();
    const result = await issuer.authorize(Principal.anonymous(), authorizationRequest(challenge));
    if (!('Err' in result)) throw new Error('the anonymous principal got a code');
    expect(result.Err.error).toBe('access_denied');
    expect(new URL(result.Err.redirect_to[0]!).searchParams.get('code')).toBeNull();
  });
});

describe('token endpoint errors (RFC 6749 §5.2)', () => {
  let issuer: JwtIssuer;
  beforeAll(async () => {
    issuer = await JwtIssuer.install(instance());
    expect(await issuer.registerClient(NATIVE)).toEqual({ Ok: null });
    expect(await issuer.registerClient({ ...NATIVE, client_id: 'other-app' })).toEqual({ Ok: null });
  });

  async function expectRefused(response: { status: number; headers: Record<string, string>; body: string }, status: number, error: string): Promise<void> {
    expect(response.status, response.body).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(response.body);
    expect(body.error).toBe(error);
    expect(typeof body.error_description).toBe('string');
    expect(body.id_token).toBeUndefined();
  }

  /** A login whose code is spent by a bad request: the right request afterwards fails too, and nothing was issued. */
  it.each<[string, (login: Login) => Record<string, string>]>([
    ['a wrong code_verifier', (login) => tokenForm(login, { code_verifier: pkce().verifier })],
    ['another client', (login) => tokenForm(login, { client_id: 'other-app' })],
    ['another redirect URI (another port)', (login) => tokenForm(login, { redirect_uri: 'http://127.0.0.1:49153/callback' })]
  ])('%s: invalid_grant, and the code is spent', async (_, form) => {
    const before = await issuedCounts(issuer);
    const login = await authorizeAs(issuer, randomPrincipal());
    await expectRefused(await issuer.postToken(form(login)), 400, 'invalid_grant');
    await expectRefused(await issuer.postToken(tokenForm(login)), 400, 'invalid_grant');
    expect(await issuedCounts(issuer)).toEqual(before);
  });

  it('unused codes are pruned from stable memory once expired; every refusal is counted by its RFC error', async () => {
    await advanceTime(instance(), 125_000);
    expect((await issuer.metrics()).authorization_codes).toBe(0n);
    await authorizeAs(issuer, randomPrincipal());
    await authorizeAs(issuer, randomPrincipal());
    expect((await issuer.metrics()).authorization_codes).toBe(2n);
    // Expired after 60 s; the pruning timer runs every 60 s.
    await advanceTime(instance(), 125_000);
    expect((await issuer.metrics()).authorization_codes).toBe(0n);
    const rejections = Object.fromEntries((await issuer.metrics()).rejections.map(({ reason, count }) => [reason, count]));
    expect(rejections['token:invalid_grant']).toBeGreaterThan(0n);
  });

  it('an expired code (after 60 s): invalid_grant', async () => {
    const before = await issuedCounts(issuer);
    const login = await authorizeAs(issuer, randomPrincipal());
    await advanceTime(instance(), 61_000);
    await expectRefused(await issuer.postToken(tokenForm(login)), 400, 'invalid_grant');
    expect(await issuedCounts(issuer)).toEqual(before);
  });

  const code = 'A'.repeat(43);
  const valid = { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:1/callback', client_id: NATIVE.client_id, code_verifier: 'v'.repeat(43) };
  const encode = (form: Record<string, string>) => new URLSearchParams(form).toString();
  it.each<[string, number, string, string, string]>([
    ['an unknown code', 400, 'invalid_grant', encode(valid), 'application/x-www-form-urlencoded'],
    ['an unknown client', 401, 'invalid_client', encode({ ...valid, client_id: 'nobody' }), 'application/x-www-form-urlencoded'],
    ['a client secret (public clients only)', 401, 'invalid_client', encode({ ...valid, client_secret: 's' }), 'application/x-www-form-urlencoded'],
    ['grant_type=password', 400, 'unsupported_grant_type', encode({ ...valid, grant_type: 'password' }), 'application/x-www-form-urlencoded'],
    ['grant_type=refresh_token', 400, 'unsupported_grant_type', encode({ ...valid, grant_type: 'refresh_token' }), 'application/x-www-form-urlencoded'],
    ['no grant_type', 400, 'invalid_request', encode({ ...valid, grant_type: '' }), 'application/x-www-form-urlencoded'],
    ['no code', 400, 'invalid_request', encode({ ...valid, code: '' }), 'application/x-www-form-urlencoded'],
    ['no redirect_uri', 400, 'invalid_request', encode({ ...valid, redirect_uri: '' }), 'application/x-www-form-urlencoded'],
    ['no client_id', 400, 'invalid_request', encode({ ...valid, client_id: '' }), 'application/x-www-form-urlencoded'],
    ['no code_verifier (PKCE)', 400, 'invalid_request', encode({ ...valid, code_verifier: '' }), 'application/x-www-form-urlencoded'],
    ['a malformed code_verifier', 400, 'invalid_request', encode({ ...valid, code_verifier: 'short' }), 'application/x-www-form-urlencoded'],
    ['a repeated parameter', 400, 'invalid_request', `${encode(valid)}&code=${code}`, 'application/x-www-form-urlencoded'],
    ['a malformed percent-encoding', 400, 'invalid_request', `${encode(valid)}&x=%ZZ`, 'application/x-www-form-urlencoded'],
    ['invalid UTF-8', 400, 'invalid_request', `${encode(valid)}&x=%C3%28`, 'application/x-www-form-urlencoded'],
    ['an oversized body', 400, 'invalid_request', `${encode(valid)}&pad=${'x'.repeat(5000)}`, 'application/x-www-form-urlencoded'],
    ['a JSON body', 400, 'invalid_request', JSON.stringify(valid), 'application/json']
  ])('%s: %i %s', async (_, status, error, body, contentType) => {
    const before = await issuedCounts(issuer);
    await expectRefused(await issuer.postToken(body, contentType), status, error);
    expect(await issuedCounts(issuer)).toEqual(before);
  });

  it('GET /token is a certified 405; an update call for anything but POST /token is refused', async () => {
    const get = await issuer.httpRequest('GET', '/token');
    expect(get).toMatchObject({ status: 405, upgrade: false });
    expect(get.headers['allow']).toBe('POST, OPTIONS');
    expect((await issuer.httpRequest('POST', '/.well-known/jwks.json')).upgrade).toBe(false);
    const forged = await issuer.httpRequestUpdate('GET', '/.well-known/jwks.json', [], new Uint8Array());
    expect(forged.status).toBe(404);
    expect(JSON.parse(forged.body).error).toBe('invalid_request');
  });
});

describe('limits at the token endpoint', () => {
  it('the per-user rate limit answers 429 and leaves the code usable until it expires; nothing is signed', async () => {
    // One login is two signatures: a bucket of 3 takes one login, not two.
    const issuer = await JwtIssuer.install(instance(), { config: { rateLimit: { capacity: 3, refillIntervalSeconds: 3600 } } });
    expect(await issuer.registerClient(NATIVE)).toEqual({ Ok: null });
    const frank = randomPrincipal();
    const first = await authorizeAs(issuer, frank);
    expect((await issuer.postToken(tokenForm(first))).status).toBe(200);
    const before = await issuedCounts(issuer);
    const second = await authorizeAs(issuer, frank);
    const limited = await issuer.postToken(tokenForm(second));
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.body).error).toBe('temporarily_unavailable');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(await issuedCounts(issuer)).toEqual(before);
    // Another user is not limited by frank's bucket.
    expect((await issuer.postToken(tokenForm(await authorizeAs(issuer, randomPrincipal())))).status).toBe(200);
  });

  it('the cycle floor answers 503 before anything is paid', async () => {
    const issuer = await JwtIssuer.install(instance(), { config: { cycleFloor: 10n ** 16n } });
    expect(await issuer.registerClient(NATIVE)).toEqual({ Ok: null });
    const before = await issuedCounts(issuer);
    const response = await issuer.postToken(tokenForm(await authorizeAs(issuer, randomPrincipal())));
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body).error).toBe('temporarily_unavailable');
    expect(await issuedCounts(issuer)).toEqual(before);
  });
});
