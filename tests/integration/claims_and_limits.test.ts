// Issue 11 §1 and §3 on the built Wasm: caller-asserted claims, the strict reading of the JSON
// that is signed, the largest token against our verifier's defaults, an unpredictable jti,
// a global limit that holds in every 60-second interval, and over-long HTTP paths.
import { beforeAll, describe, expect, it } from 'vitest';

import { CLAIMS_LIMITS } from '../../src/backend/core/claims';
import { createVerifier } from '@ic-jwt/verifier';
import { JwtIssuer, randomPrincipal, type IssueResult } from './harness/jwt_issuer';
import { advanceTime, useInstance, usePocketIcServer } from './harness/pic_network';

const server = usePocketIcServer();
const instance = useInstance(server);

const reasonOf = (result: IssueResult): string | undefined =>
  'Err' in result && 'ClaimsInvalid' in result.Err ? result.Err.ClaimsInvalid.reason : undefined;
const payloadOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

describe('caller-asserted claims', () => {
  let issuer: JwtIssuer;
  beforeAll(async () => {
    issuer = await JwtIssuer.install(instance(), { config: { rateLimit: { capacity: 1000, refillIntervalSeconds: 1 }, globalLimitPerMinute: 10_000 } });
  });

  it('refuses by default every extra claim that today is signed as if the issuer asserted it, naming it', async () => {
    for (const name of ['scope', 'roles', 'email_verified', 'azp', 'client_id', 'nonce', 'amr', '__proto__']) {
      const result = await issuer.issue(randomPrincipal(), { extraClaims: JSON.stringify({ [name]: 'admin' }) });
      expect(reasonOf(result)).toMatch(new RegExp(`"${name}"`));
    }
    expect((await issuer.metrics()).tokens_issued).toBe(0n);
  });

  it('signs the names a controller allowed, and lists them in discovery; reserved names can never be allowed', async () => {
    expect(await issuer.updateConfig(issuer.controller, { allowedExtraClaims: ['roles', 'email_verified'] })).toMatchObject({
      Ok: { allowed_extra_claims: ['roles', 'email_verified'] }
    });
    const token = await issuer.issueToken(randomPrincipal(), { extraClaims: '{"roles":["reader"],"email_verified":false}' });
    expect((await issuer.verify(token)).payload).toMatchObject({ roles: ['reader'], email_verified: false });
    expect(reasonOf(await issuer.issue(randomPrincipal(), { extraClaims: '{"roles":[],"scope":"admin"}' }))).toBe(
      'the claim "scope" is set by the issuer or reserved; no caller may set it'
    );
    const discovery = JSON.parse((await issuer.http('GET', '/.well-known/openid-configuration')).body);
    expect(discovery.claims_supported).toEqual(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'auth_time', 'nonce', 'azp', 'client_id', 'scope', 'roles', 'email_verified']);

    for (const name of ['scope', 'nonce', 'sub', 'constructor']) {
      expect(await issuer.updateConfig(issuer.controller, { allowedExtraClaims: ['roles', name] })).toEqual({
        Err: { InvalidConfig: { field: 'allowed_extra_claims', reason: `"${name}" is set by the issuer or reserved, and can never be allowed` } }
      });
    }
    expect((await issuer.getConfig()).allowed_extra_claims).toEqual(['roles', 'email_verified']);
    const stranger = randomPrincipal();
    expect(await issuer.updateConfig(stranger, { allowedExtraClaims: [] })).toEqual({ Err: { NotController: { caller: stranger } } });
  });

  it.each([
    ['{"roles":1e400}', /1e400 is out of range/],
    ['{"roles":9007199254740993}', /not a safe integer/],
    ['{"roles":9e20}', /not a safe integer/],
    ['{"roles":1.0}', /would be signed as 1/],
    ['{"roles":"user","roles":"admin"}', /duplicate member name "roles"/],
    ['{"roles":"\\ud800"}', /lone surrogate/],
    ['["roles"]', /must be a JSON object/]
  ])('refuses %s with the reason, spending nothing', async (extraClaims, reason) => {
    const before = await issuer.metrics();
    expect(reasonOf(await issuer.issue(randomPrincipal(), { extraClaims }))).toMatch(reason);
    const after = await issuer.metrics();
    expect(after.signatures_requested).toBe(before.signatures_requested);
    expect(after.tokens_issued).toBe(before.tokens_issued);
  });

  it('gives each token a jti that reveals neither the issue count nor the time', async () => {
    const tokens = [];
    for (let i = 0; i < 3; i++) tokens.push(await issuer.issueToken(randomPrincipal()));
    const jtis = tokens.map((token) => String(payloadOf(token)['jti']));
    expect(new Set(jtis).size).toBe(3);
    const { signatures_requested: count } = await issuer.metrics();
    for (const [index, token] of tokens.entries()) {
      const bytes = Buffer.from(jtis[index]!, 'base64url');
      expect(bytes).toHaveLength(16);
      // The former jti was the issue time in nanoseconds, then the sequence number, both u64.
      const iatNanos = BigInt(Number(payloadOf(token)['iat'])) * 1_000_000_000n;
      const first = bytes.readBigUInt64BE(0);
      expect(first > iatNanos - 10n ** 12n && first < iatNanos + 10n ** 12n).toBe(false);
      expect(bytes.readBigUInt64BE(8)).not.toBe(count - BigInt(tokens.length - index));
    }
  });
});

describe('the largest token', () => {
  const longIssuer = 'https://example.com/' + 'p'.repeat(236);
  const longAudience = '"'.repeat(128);

  it.each(['ES256K', 'EdDSA'] as const)('%s: verifies with our verifier at its default maxTokenBytes', async (algorithm) => {
    const issuer = await JwtIssuer.install(instance(), {
      config: { issuer: longIssuer, audiences: [longAudience], maxTtlSeconds: 30 * 24 * 3600, defaultTtlSeconds: 30 * 24 * 3600, allowedExtraClaims: ['pad'] }
    });
    const caller = randomPrincipal();
    expect(caller.toText()).toHaveLength(63);
    const bare = await issuer.issueToken(caller, { algorithm });
    const room = CLAIMS_LIMITS.maxSignedBytes - Buffer.from(bare.split('.')[1]!, 'base64url').length - ',"pad":""'.length;
    // The jti and the times have fixed lengths, so the room is the same for the next token.
    const token = await issuer.issueToken(caller, { algorithm, extraClaims: JSON.stringify({ pad: 'x'.repeat(room) }) });
    expect(Buffer.from(token.split('.')[1]!, 'base64url').length).toBe(CLAIMS_LIMITS.maxSignedBytes);
    expect(reasonOf(await issuer.issue(caller, { algorithm, extraClaims: JSON.stringify({ pad: 'x'.repeat(room + 1) }) }))).toMatch(/the limit is 4096/);

    const jwks = await issuer.jwks();
    const iat = Number(payloadOf(token)['iat']);
    const verifier = createVerifier({
      issuer: longIssuer,
      audience: longAudience,
      algorithms: [algorithm],
      jwksUri: 'https://example.com/jwks.json',
      fetch: async () => new Response(JSON.stringify(jwks), { headers: { 'content-type': 'application/json' } }),
      clock: () => iat * 1000
    });
    expect(token.length).toBeLessThanOrEqual(8192);
    expect(await verifier.verify(token)).toMatchObject({ sub: caller.toText(), aud: longAudience, pad: 'x'.repeat(room) });
  });
});

describe('the global limit', () => {
  it('lets at most 30 through in any 60 seconds across a minute boundary (today 60 passed in 5.7 s)', async () => {
    const issuer = await JwtIssuer.install(instance(), { config: { globalLimitPerMinute: 30 } });
    // Learn the canister's clock from a token, then let that token leave the window.
    const probeIat = Number(payloadOf(await issuer.issueToken(randomPrincipal()))['iat']);
    const nextBoundary = (Math.floor(probeIat / 60) + 2) * 60;
    await advanceTime(instance(), (nextBoundary - probeIat - 3) * 1000);

    const admittedAt: number[] = [];
    const record = (result: IssueResult) => {
      if ('Ok' in result) admittedAt.push(Number(payloadOf(result.Ok.token)['iat']));
      else expect(result.Err).toMatchObject({ RateLimited: { scope: { Global: null } } });
    };
    // 60 callers in 5.7 seconds, straddling the minute boundary.
    for (let i = 0; i < 60; i++) {
      record(await issuer.issue(randomPrincipal()));
      await advanceTime(instance(), 95);
    }
    expect(admittedAt).toHaveLength(30);
    // Then one caller a second for 70 seconds: the window frees slots only as they age out.
    for (let i = 0; i < 70; i++) {
      record(await issuer.issue(randomPrincipal()));
      await advanceTime(instance(), 1000);
    }
    for (let start = 0; start < admittedAt.length; start++) {
      const within = admittedAt.filter((iat) => iat >= admittedAt[start]! && iat < admittedAt[start]! + 60);
      expect(within.length).toBeLessThanOrEqual(30);
    }
    expect(admittedAt.length).toBeGreaterThan(30);
  });
});

describe('http_request with an over-long path', () => {
  // The certificate header is checked in tests/network/certification.test.ts, where queries carry a data certificate.
  it('answers 1,600 segments, and 20,000, with the 414', async () => {
    const issuer = await JwtIssuer.install(instance());
    for (const url of ['/a'.repeat(1_600), '/b'.repeat(20_000), '/' + 'c'.repeat(2_048)]) {
      const response = await issuer.http('GET', url);
      expect(response.status).toBe(414);
      expect(JSON.parse(response.body)).toEqual({ error: 'uri_too_long', message: 'Paths are limited to 2048 characters and 32 segments.' });
    }
    expect((await issuer.http('GET', '/a'.repeat(32))).status).toBe(404);
    expect((await issuer.http('GET', '/'.repeat(3_000) + '.well-known/jwks.json')).status).toBe(200);
  });

  // Azle's TextDecoder (a JavaScript polyfill) made decoding the request's Candid text quadratic
  // in its length: a 200 KB url crossed the IC's 5 billion instruction limit for a query before
  // any canister code ran. ASCII is now decoded in linear time (core/ascii_text_codec.ts).
  it('answers 100,000 segments (200 KB) with the 414 too', async () => {
    const issuer = await JwtIssuer.install(instance());
    const response = await issuer.http('GET', '/b'.repeat(100_000));
    expect(response.status).toBe(414);
    expect(JSON.parse(response.body)).toEqual({ error: 'uri_too_long', message: 'Paths are limited to 2048 characters and 32 segments.' });
  });
});
