import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { JWKS_MAX_AGE_SECONDS, type HttpResponse } from '../../src/backend/core/http';
import { createVerifier, type Verifier, type VerifierOptions } from '@ic-jwt/verifier';
import { backgroundRefreshDone } from './support/background_refresh';
import { withHeader } from './support/forge';
import { CALLER, TestIssuer } from './support/test_issuer';
import { canisterResponder, jsonResponse, startWellKnownServer, type WellKnownServer } from './support/well_known_server';

const JWKS = '/.well-known/jwks.json';
const DISCOVERY = '/.well-known/openid-configuration';

let server: WellKnownServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A clock the test moves; starts at the real time so freshly minted tokens are valid. */
function testClock() {
  let now = Date.now();
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

async function setUp(overrides: Partial<VerifierOptions> = {}) {
  const issuer = new TestIssuer();
  server = await startWellKnownServer(canisterResponder(() => issuer.httpResources()));
  const clock = testClock();
  const verifier = createVerifier({
    issuer: issuer.issuer,
    audience: issuer.config.defaultAudience,
    jwksUri: server.jwksUrl,
    clock: clock.now,
    ...overrides
  } as VerifierOptions);
  return { issuer, server, clock, verifier };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return 'OK';
}

const randomKid = (token: string) => withHeader(token, (header) => ({ ...header, kid: randomBytes(32).toString('base64url') }));

describe('the JWK Set cache', () => {
  it(`keeps the canister's JWK Set for its max-age (${JWKS_MAX_AGE_SECONDS} s), then refetches once`, async () => {
    const { issuer, server, clock, verifier } = await setUp();
    const token = issuer.mint();
    await verifier.verify(token);
    expect(server.count(JWKS)).toBe(1);
    clock.advance(JWKS_MAX_AGE_SECONDS - 1);
    for (let i = 0; i < 20; i++) await verifier.verify(token);
    expect(server.count(JWKS)).toBe(1);
    clock.advance(2);
    await Promise.all([verifier.verify(token), verifier.verify(token), verifier.verify(token)]);
    await verifier.verify(token);
    await backgroundRefreshDone(verifier, token);
    expect(server.count(JWKS)).toBe(2);
  });

  it('honours a shorter max-age and the Age header, within the bounds', async () => {
    // (The refetch cooldown bounds every fetch, so it is lowered here to show the 10 s minimum.)
    const { issuer, server, clock, verifier } = await setUp({ jwksCache: { minSeconds: 10, maxSeconds: 600, refreshCooldownSeconds: 1 } });
    let headers: [string, string][] = [['cache-control', 'max-age=60'], ['age', '20']];
    server.respondWith(() => jsonResponse(200, issuer.jwks(), headers));
    const token = issuer.mint();
    await verifier.verify(token);
    clock.advance(39);
    await verifier.verify(token);
    expect(server.count(JWKS)).toBe(1);
    clock.advance(2);
    headers = [['cache-control', 'no-store']];
    await verifier.verify(token);
    await backgroundRefreshDone(verifier, token);
    expect(server.count(JWKS)).toBe(2);
    // no-store lasts the minimum, 10 s.
    clock.advance(9);
    await verifier.verify(token);
    expect(server.count(JWKS)).toBe(2);
    clock.advance(2);
    headers = [['cache-control', 'max-age=31536000']];
    await verifier.verify(token);
    await backgroundRefreshDone(verifier, token);
    expect(server.count(JWKS)).toBe(3);
    // A year is cut to the maximum, 600 s.
    clock.advance(599);
    await verifier.verify(token);
    clock.advance(2);
    await verifier.verify(token);
    await backgroundRefreshDone(verifier, token);
    expect(server.count(JWKS)).toBe(4);
  });

  it('refetches for an unknown kid at most once per cooldown, however many random kids arrive', async () => {
    const { issuer, server, clock, verifier } = await setUp({ jwksCache: { refreshCooldownSeconds: 30 } });
    const token = issuer.mint();
    await verifier.verify(token);
    expect(server.count(JWKS)).toBe(1);

    // Within the cooldown of the first fetch: no refetch at all.
    const early = await Promise.all(Array.from({ length: 200 }, () => codeOf(verifier.verify(randomKid(token)))));
    expect(new Set(early)).toEqual(new Set(['ERR_JWT_UNKNOWN_KID']));
    expect(server.count(JWKS)).toBe(1);

    // After it: a storm of concurrent and then sequential random kids causes one refetch.
    clock.advance(31);
    const storm = await Promise.all(Array.from({ length: 500 }, () => codeOf(verifier.verify(randomKid(token)))));
    for (let i = 0; i < 100; i++) storm.push(await codeOf(verifier.verify(randomKid(token))));
    expect(new Set(storm)).toEqual(new Set(['ERR_JWT_UNKNOWN_KID']));
    expect(server.count(JWKS)).toBe(2);

    clock.advance(31);
    for (let i = 0; i < 100; i++) await codeOf(verifier.verify(randomKid(token)));
    expect(server.count(JWKS)).toBe(3);
    // Known kids keep verifying throughout.
    expect((await verifier.verify(token)).sub).toBe(CALLER);
    expect(server.count(JWKS)).toBe(3);
  });

  it('finds a new key after rotation with one refetch, and still accepts the retired key', async () => {
    const { issuer, server, clock, verifier } = await setUp();
    const oldToken = issuer.mint();
    await verifier.verify(oldToken);
    clock.advance(31);
    issuer.rotate();
    const newToken = issuer.mint();
    expect(newToken.split('.')[0]).not.toBe(oldToken.split('.')[0]);
    await Promise.all([verifier.verify(newToken), verifier.verify(newToken)]);
    await verifier.verify(oldToken);
    expect(server.count(JWKS)).toBe(2);
  });

  it('shares one in-flight fetch among concurrent verifications', async () => {
    const { issuer, server, verifier } = await setUp();
    const slow = canisterResponder(() => issuer.httpResources());
    server.respondWith(async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return slow(request);
    });
    const tokens = Array.from({ length: 50 }, () => issuer.mint());
    const claims = await Promise.all(tokens.map((token) => verifier.verify(token)));
    expect(new Set(claims.map((c) => c.jti)).size).toBe(50);
    expect(server.count(JWKS)).toBe(1);
  });

  it('shares one in-flight fetch among concurrent warmUp calls too', async () => {
    const { issuer, server, verifier } = await setUp();
    const slow = canisterResponder(() => issuer.httpResources());
    server.respondWith(async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return slow(request);
    });
    await Promise.all([verifier.warmUp(), verifier.warmUp(), verifier.warmUp(), verifier.verify(issuer.mint())]);
    expect(server.count(JWKS)).toBe(1);
  });

  it('checks the token before fetching anything: junk costs no request', async () => {
    const { issuer, server, verifier } = await setUp();
    const token = issuer.mint();
    const junk = [
      'not-a-token',
      withHeader(token, (h) => ({ ...h, alg: 'none' })),
      withHeader(token, (h) => ({ ...h, alg: 'HS256' })),
      withHeader(token, ({ kid: _kid, ...h }) => h),
      `${token.split('.').slice(0, 2).join('.')}.${Buffer.alloc(64, 0xff).toString('base64url')}`,
      'x'.repeat(9000)
    ];
    for (const bad of junk) expect(await codeOf(verifier.verify(bad))).not.toBe('OK');
    expect(server.requests).toEqual([]);
  });
});

describe('when the JWK Set cannot be had', () => {
  it('says the JWK Set is unreachable when nothing listens, and retries only after the cooldown', async () => {
    const { issuer, server: live, clock } = await setUp();
    const { origin } = live;
    await live.close();
    server = undefined;
    const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.config.defaultAudience, jwksUri: `${origin}${JWKS}`, clock: clock.now });
    const token = issuer.mint();
    expect(await codeOf(verifier.verify(token))).toBe('ERR_JWKS_UNREACHABLE');
    await expect(verifier.verify(token)).rejects.toThrow(/cannot fetch http:\/\/127\.0\.0\.1/);
    await expect(verifier.warmUp()).rejects.toMatchObject({ code: 'ERR_JWKS_UNREACHABLE', tokenRejected: false });
  });

  it('treats HTTP errors as unreachable and non-JSON as invalid, and recovers after the cooldown', async () => {
    const { issuer, server, clock, verifier } = await setUp();
    const token = issuer.mint();
    server.respondWith(() => jsonResponse(503, { error: 'busy' }));
    expect(await codeOf(verifier.verify(token))).toBe('ERR_JWKS_UNREACHABLE');
    expect(await codeOf(verifier.verify(token))).toBe('ERR_JWKS_UNREACHABLE');
    expect(server.count(JWKS)).toBe(1);
    clock.advance(31);
    server.respondWith(() => jsonResponse(200, '<html>maintenance</html>'));
    expect(await codeOf(verifier.verify(token))).toBe('ERR_JWKS_INVALID');
    clock.advance(31);
    server.respondWith(() => jsonResponse(200, { keys: 'none' }));
    expect(await codeOf(verifier.verify(token))).toBe('ERR_JWKS_INVALID');
    clock.advance(31);
    server.respondWith(canisterResponder(() => issuer.httpResources()));
    expect(await codeOf(verifier.verify(token))).toBe('OK');
    expect(server.count(JWKS)).toBe(4);
  });

  it('gives up on a silent server after fetchTimeoutMs', async () => {
    const { issuer, server, verifier } = await setUp({ fetchTimeoutMs: 200 });
    server.respondWith(() => new Promise(() => undefined));
    await expect(verifier.verify(issuer.mint())).rejects.toMatchObject({ code: 'ERR_JWKS_UNREACHABLE', message: expect.stringMatching(/no answer within 200 ms/) });
  });

  it('refuses an oversized JWK Set', async () => {
    const { issuer, server, verifier } = await setUp();
    server.respondWith(() => jsonResponse(200, { keys: [], padding: 'x'.repeat(300 * 1024) }));
    await expect(verifier.verify(issuer.mint())).rejects.toMatchObject({ code: 'ERR_JWKS_INVALID', message: expect.stringMatching(/more than/) });
  });
});

describe('a stale JWK Set, refreshed in the background', { timeout: 20_000 }, () => {
  /** A JWK Set host that holds every request until the test answers it. */
  function hang(): { respond: (answer: HttpResponse) => void; responder: () => Promise<HttpResponse> } {
    let respond!: (answer: HttpResponse) => void;
    const answer = new Promise<HttpResponse>((resolve) => (respond = resolve));
    return { respond, responder: () => answer };
  }

  /** The verification, failing the test if it waits for the hanging host (which answers in a minute at the earliest). */
  async function promptly<T>(verification: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the verification waited for the JWK Set refetch')), 4000);
    });
    try {
      return await Promise.race([verification, stalled]);
    } finally {
      clearTimeout(timer);
    }
  }

  it('verifies cached kids at once while the refetch hangs, and an unknown kid waits for that one refetch', async () => {
    const { issuer, server, clock, verifier } = await setUp({ fetchTimeoutMs: 60_000 });
    const token = issuer.mint({ ttlSeconds: 86400 });
    await verifier.verify(token);
    const host = hang();
    server.respondWith(host.responder);
    clock.advance(JWKS_MAX_AGE_SECONDS + 1);
    for (let i = 0; i < 20; i++) expect((await promptly(verifier.verify(token))).sub).toBe(CALLER);
    await vi.waitFor(() => expect(server.count(JWKS)).toBe(2));
    // Past the cooldown, the refetch still hangs: no second one, and no waiting.
    clock.advance(60);
    expect((await promptly(verifier.verify(token))).sub).toBe(CALLER);

    issuer.rotate();
    const newToken = issuer.mint();
    let newTokenSettled = false;
    const newTokenVerified = verifier.verify(newToken).finally(() => (newTokenSettled = true));
    expect((await promptly(verifier.verify(token))).sub).toBe(CALLER);
    expect(newTokenSettled).toBe(false);

    host.respond(await canisterResponder(() => issuer.httpResources())({ method: 'GET', url: JWKS }));
    expect((await newTokenVerified).sub).toBe(CALLER);
    await verifier.verify(token);
    await verifier.verify(newToken);
    expect(server.count(JWKS)).toBe(2);
  });

  it('keeps the held keys for maxStaleSeconds past freshness while refetches fail, then waits for a good one', async () => {
    const { issuer, server, clock, verifier } = await setUp({ fetchTimeoutMs: 200, jwksCache: { maxStaleSeconds: 600 } });
    const token = issuer.mint({ ttlSeconds: 86400 });
    await verifier.verify(token);
    server.respondWith(() => new Promise(() => undefined));
    clock.advance(JWKS_MAX_AGE_SECONDS + 1);
    expect((await promptly(verifier.verify(token))).sub).toBe(CALLER);
    // An unknown kid joins the refetch and learns that it timed out: the key source is at fault.
    expect(await codeOf(verifier.verify(randomKid(token)))).toBe('ERR_JWKS_UNREACHABLE');
    expect(server.count(JWKS)).toBe(2);

    server.respondWith(() => jsonResponse(500, {}));
    clock.advance(598);
    expect((await promptly(verifier.verify(token))).sub).toBe(CALLER);
    await backgroundRefreshDone(verifier, token);
    expect(server.count(JWKS)).toBe(3);
    // maxStaleSeconds after freshness ended, the held keys no longer verify.
    clock.advance(1);
    expect(await codeOf(verifier.verify(token))).toBe('ERR_JWKS_UNREACHABLE');
    expect(server.count(JWKS)).toBe(3);
    clock.advance(30);
    expect(await codeOf(verifier.verify(token))).toBe('ERR_JWKS_UNREACHABLE');
    expect(server.count(JWKS)).toBe(4);

    clock.advance(30);
    server.respondWith(canisterResponder(() => issuer.httpResources()));
    expect((await verifier.verify(token)).sub).toBe(CALLER);
    expect(server.count(JWKS)).toBe(5);
  });

  it('with maxStaleSeconds 0, waits for the refetch once the key set is stale', async () => {
    const { issuer, server, clock, verifier } = await setUp({ jwksCache: { maxStaleSeconds: 0 } });
    const token = issuer.mint();
    await verifier.verify(token);
    server.respondWith(() => jsonResponse(503, {}));
    clock.advance(JWKS_MAX_AGE_SECONDS);
    expect(await codeOf(verifier.verify(token))).toBe('ERR_JWKS_UNREACHABLE');
    expect(server.count(JWKS)).toBe(2);
  });
});

describe('OpenID discovery', () => {
  async function discoverySetUp(): Promise<{ issuer: TestIssuer; verifier: Verifier; server: WellKnownServer }> {
    const issuer = new TestIssuer();
    server = await startWellKnownServer(canisterResponder(() => issuer.httpResources()));
    // The canister accepts a plain-http issuer on 127.0.0.1; its discovery then points here.
    issuer.reconfigure({ issuer: server.origin });
    const verifier = createVerifier({ issuer: server.origin, audience: issuer.config.defaultAudience, discovery: true });
    return { issuer, verifier, server };
  }

  it("finds the JWK Set through the canister's discovery document", async () => {
    const { issuer, verifier, server } = await discoverySetUp();
    expect(verifier.keySource).toBe(`${server.origin}${DISCOVERY}`);
    expect((await verifier.verify(issuer.mint())).iss).toBe(server.origin);
    await verifier.verify(issuer.mint());
    expect(server.requests.map((url) => url.split('?')[0])).toEqual([DISCOVERY, JWKS]);
  });

  it('refuses a discovery document that names another issuer', async () => {
    const { issuer, verifier, server } = await discoverySetUp();
    const token = issuer.mint();
    issuer.reconfigure({ issuer: `${server.origin}/other` });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_JWKS_INVALID', message: expect.stringMatching(/names issuer/) });
    expect(server.count(JWKS)).toBe(0);
  });
});

describe('a canister through a local gateway', () => {
  it('fetches /.well-known/jwks.json?canisterId=<id> from http://127.0.0.1:<port>', async () => {
    const issuer = new TestIssuer();
    server = await startWellKnownServer(canisterResponder(() => issuer.httpResources()));
    const canisterId = issuer.config.defaultAudience;
    const verifier = createVerifier({ canisterId, gatewayHost: server.origin, audience: canisterId });
    expect(verifier.issuer).toBe(`https://${canisterId}.icp0.io`);
    expect((await verifier.verify(issuer.mint())).aud).toBe(canisterId);
    expect(server.requests).toEqual([`${JWKS}?canisterId=${canisterId}`]);
  });
});
