// The frontend's pure modules, in Node.
import { CertifiedRejectErrorCode, HttpFetchErrorCode, RejectError, TransportError, TrustError, CertificateVerificationErrorCode } from '@dfinity/agent';
import type { IDL } from '@dfinity/candid';
import { IcJwtError } from '@ic-jwt/client';
import { describe, expect, it } from 'vitest';

import { IssueErrorType } from '../../../src/backend/core/candid';
import { algorithmOptions } from '../../../src/frontend/algorithm_choice';
import { describeCallFailure } from '../../../src/frontend/call_failure';
import { INTERNET_IDENTITY, MAINNET_HOST, resolveConfig, shouldFetchRootKey, type ConfigSources } from '../../../src/frontend/config';
import { describeExpiry, describeRetryWait, formatExpiryDate, formatSeconds, isExpired, utcInstant } from '../../../src/frontend/countdown';
import { describeIssueError, formatCycles } from '../../../src/frontend/issue_error';
import { issuerDocuments } from '../../../src/frontend/issuer_documents';
import { claimRows, decodeJwt } from '../../../src/frontend/jwt';
import { describeLoginFailure } from '../../../src/frontend/login_failure';
import { verifySnippets, type SnippetInput } from '../../../src/frontend/verify_snippets';
import { bearerChallenge, interpretWhoami } from '../../../src/frontend/whoami';

const CANISTER = 'bkyz2-fmaaa-aaaaa-qaaaq-cai';
const PRINCIPAL = '2vxsx-fae';

describe('resolveConfig', () => {
  const sources = (overrides: Partial<ConfigSources>): ConfigSources => ({ pageUrl: 'https://abc.icp0.io/', served: undefined, buildEnv: {}, ...overrides });

  it('uses mainnet defaults on a deployed page', () => {
    expect(resolveConfig(sources({ served: { canisterId: CANISTER } }))).toEqual({
      ok: true,
      config: { canisterId: CANISTER, host: MAINNET_HOST, identityProvider: INTERNET_IDENTITY, apiUrl: null, derivationOrigin: null }
    });
  });

  it('uses the page origin as host on a local page', () => {
    const result = resolveConfig(sources({ pageUrl: 'http://127.0.0.1:4943/app/', served: { canisterId: CANISTER } }));
    expect(result.ok && result.config.host).toBe('http://127.0.0.1:4943');
  });

  it('lets config.json override build-time variables, and the query override both on a local page only', () => {
    const buildEnv = { VITE_JWT_ISSUER_CANISTER_ID: 'aaaaa-aa', VITE_DEMO_API_URL: 'https://api.example.org/' };
    const served = { canisterId: CANISTER, identityProvider: 'http://rdmx6-jaaaa-aaaaa-aaadq-cai.localhost:4943' };
    const local = resolveConfig({ pageUrl: 'http://app.localhost:4943/?apiUrl=http://127.0.0.1:3000&host=http://127.0.0.1:8080', served, buildEnv });
    expect(local).toEqual({
      ok: true,
      config: {
        canisterId: CANISTER,
        host: 'http://127.0.0.1:8080',
        identityProvider: 'http://rdmx6-jaaaa-aaaaa-aaadq-cai.localhost:4943',
        apiUrl: 'http://127.0.0.1:3000',
        derivationOrigin: null
      }
    });
    const deployed = resolveConfig({ pageUrl: 'https://abc.icp0.io/?identityProvider=https://evil.example&canisterId=aaaaa-aa', served: undefined, buildEnv });
    expect(deployed).toEqual({
      ok: true,
      config: { canisterId: 'aaaaa-aa', host: MAINNET_HOST, identityProvider: INTERNET_IDENTITY, apiUrl: 'https://api.example.org', derivationOrigin: null }
    });
  });

  it('names every problem', () => {
    const result = resolveConfig(sources({ served: { canisterId: 'not a principal', host: 'http://icp-api.io', apiUrl: 7, identityProvider: 'identity' } }));
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      'config.json: apiUrl must be a string',
      'canisterId is not a principal: not a principal',
      'host must use https (plain http only for localhost): http://icp-api.io',
      'identityProvider is not an absolute URL: identity'
    ]);
    expect(resolveConfig(sources({}))).toEqual({ ok: false, problems: [expect.stringContaining('no jwt_issuer canister id')] });
    expect(resolveConfig(sources({ served: '{not json' }))).toEqual({
      ok: false,
      problems: ['config.json must be a JSON object', expect.stringContaining('no jwt_issuer canister id')]
    });
  });

  it('fetches the root key from local replicas only', () => {
    expect(shouldFetchRootKey('http://127.0.0.1:4943')).toBe(true);
    expect(shouldFetchRootKey('http://localhost:4943')).toBe(true);
    expect(shouldFetchRootKey('http://bkyz2-fmaaa-aaaaa-qaaaq-cai.localhost:4943')).toBe(true);
    expect(shouldFetchRootKey('https://icp-api.io')).toBe(false);
    expect(shouldFetchRootKey('https://localhost.example.org')).toBe(false);
  });
});

describe('decodeJwt', () => {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = { alg: 'ES256K', typ: 'JWT', kid: 'k1' };
  const claims = { iss: 'https://x.icp0.io', sub: PRINCIPAL, aud: 'api', iat: 1_800_000_000, exp: 1_800_003_600, name: 'Zoë' };

  it('reads the header and the claims', () => {
    expect(decodeJwt(`${part(header)}.${part(claims)}.c2ln`)).toEqual({ header, claims });
  });

  it('refuses what is not a compact JWS of two JSON objects', () => {
    expect(() => decodeJwt('a.b')).toThrow('has 2');
    expect(() => decodeJwt(`${part(header)}.${part([1])}.x`)).toThrow('claims is not a JSON object');
    expect(() => decodeJwt(`${part(header)}.a+b.x`)).toThrow('claims is not base64url-encoded JSON');
    expect(() => decodeJwt(`${Buffer.from([0xff, 0xfe]).toString('base64url')}.${part(claims)}.x`)).toThrow('header is not base64url-encoded JSON');
  });

  it('lists claims with NumericDate claims as UTC instants', () => {
    expect(claimRows(claims)).toEqual([
      { name: 'iss', value: 'https://x.icp0.io' },
      { name: 'sub', value: PRINCIPAL },
      { name: 'aud', value: 'api' },
      { name: 'iat', value: '1800000000', note: '2027-01-15T08:00:00Z' },
      { name: 'exp', value: '1800003600', note: '2027-01-15T09:00:00Z' },
      { name: 'name', value: 'Zoë' }
    ]);
    expect(claimRows({ roles: ['a'], exp: 'soon' })).toEqual([
      { name: 'roles', value: '["a"]' },
      { name: 'exp', value: 'soon' }
    ]);
  });
});

describe('countdown', () => {
  it('formats seconds', () => {
    expect(formatSeconds(0)).toBe('0 s');
    expect(formatSeconds(45)).toBe('45 s');
    expect(formatSeconds(180)).toBe('3 min');
    expect(formatSeconds(3725)).toBe('1 h 2 min 5 s');
    expect(formatSeconds(-5)).toBe('0 s');
  });

  it('counts down to exp and then up from it', () => {
    const exp = 1_800_003_600;
    expect(describeExpiry(exp, (exp - 3598) * 1000)).toBe('Expires in 59 min 58 s');
    expect(describeExpiry(exp, (exp - 3598) * 1000 + 400)).toBe('Expires in 59 min 58 s');
    expect(describeExpiry(exp, exp * 1000)).toBe('Expired 0 s ago');
    expect(describeExpiry(exp, (exp + 3) * 1000)).toBe('Expired 3 s ago');
    expect(isExpired(exp, exp * 1000 - 1)).toBe(false);
    expect(isExpired(exp, exp * 1000)).toBe(true);
  });
});

describe('expiry date and retry wait', () => {
  const exp = 1_800_003_600;

  it('shows exp as a date in the given locale and zone, and as an ISO instant', () => {
    expect(utcInstant(exp)).toBe('2027-01-15T09:00:00Z');
    expect(formatExpiryDate(exp, 'en-GB', 'UTC')).toBe('15 Jan 2027, 09:00:00 UTC');
    expect(formatExpiryDate(exp, 'en-US', 'Asia/Tokyo')).toBe('Jan 15, 2027, 6:00:00 PM GMT+9');
  });

  it('counts down the wait the issuer asked for, then lets go', () => {
    const retryAt = 1_800_000_000_000;
    expect(describeRetryWait(retryAt, retryAt - 42_000)).toBe('New token possible in 42 s');
    expect(describeRetryWait(retryAt, retryAt - 41_001)).toBe('New token possible in 42 s');
    expect(describeRetryWait(retryAt, retryAt - 1)).toBe('New token possible in 1 s');
    expect(describeRetryWait(retryAt, retryAt)).toBeNull();
  });
});

describe('algorithmOptions', () => {
  it('offers exactly the enabled algorithms, the default chosen until the user picks another', () => {
    const both = { enabled: ['ES256K', 'EdDSA'], defaultAlgorithm: 'EdDSA' };
    expect(algorithmOptions(both, undefined).map(({ algorithm, checked }) => [algorithm, checked])).toEqual([
      ['ES256K', false],
      ['EdDSA', true]
    ]);
    expect(algorithmOptions(both, 'ES256K').map(({ checked }) => checked)).toEqual([true, false]);
    const onlyEs256k = algorithmOptions({ enabled: ['ES256K'], defaultAlgorithm: 'ES256K' }, 'EdDSA');
    expect(onlyEs256k.map(({ algorithm, checked }) => [algorithm, checked])).toEqual([['ES256K', true]]);
    expect(algorithmOptions({ enabled: ['RS256', 'EdDSA'], defaultAlgorithm: 'EdDSA' }, undefined).map(({ algorithm }) => algorithm)).toEqual(['EdDSA']);
  });

  it('says which verifiers accept each, as the verifier matrix found', () => {
    const [es256k, eddsa] = algorithmOptions({ enabled: ['ES256K', 'EdDSA'], defaultAlgorithm: 'ES256K' }, undefined);
    expect(es256k!.hint).toContain('PyJWT');
    expect(es256k!.hint).toContain('not by jose');
    expect(eddsa!.hint).toContain('jose');
  });
});

describe('issuerDocuments', () => {
  it('goes through a local replica with ?canisterId=, since <id>.localhost does not resolve outside browsers and curl', () => {
    expect(issuerDocuments({ canisterId: CANISTER, host: 'http://localhost:4943' }, `http://${CANISTER}.localhost:4943`)).toEqual({
      jwksUrl: `http://localhost:4943/.well-known/jwks.json?canisterId=${CANISTER}`,
      discoveryUrl: `http://localhost:4943/.well-known/openid-configuration?canisterId=${CANISTER}`
    });
  });

  it("uses the issuer's own URLs elsewhere, as its discovery document names them", () => {
    expect(issuerDocuments({ canisterId: CANISTER, host: MAINNET_HOST }, 'https://auth.example.org')).toEqual({
      jwksUrl: 'https://auth.example.org/.well-known/jwks.json',
      discoveryUrl: 'https://auth.example.org/.well-known/openid-configuration'
    });
  });
});

describe('verifySnippets', () => {
  const input = (algorithm: 'ES256K' | 'EdDSA'): SnippetInput => ({
    token: 'aGVhZGVy.Y2xhaW1z.c2ln',
    algorithm,
    issuer: `https://${CANISTER}.icp0.io`,
    audience: "it's-me",
    jwksUrl: `https://${CANISTER}.icp0.io/.well-known/jwks.json`,
    discoveryUrl: "https://example.org/it's/.well-known/openid-configuration"
  });

  it('offers jose only for EdDSA, which it verifies', () => {
    expect(verifySnippets(input('ES256K')).map(({ id }) => id)).toEqual(['python', 'node-verifier']);
    expect(verifySnippets(input('EdDSA')).map(({ id }) => id)).toEqual(['python', 'node-verifier', 'node-jose']);
  });

  it('pins the algorithm and requires the issuer and audience in each', () => {
    for (const algorithm of ['ES256K', 'EdDSA'] as const) {
      for (const { text } of verifySnippets(input(algorithm))) {
        expect(text).toContain(`[${JSON.stringify(algorithm)}]`);
        expect(text).toContain(JSON.stringify(`https://${CANISTER}.icp0.io`));
        expect(text).toContain(JSON.stringify("it's-me"));
        expect(text).toContain('aGVhZGVy.Y2xhaW1z.c2ln');
      }
    }
  });

  it('quotes values for the shell so that a quote in a URL stays part of it', () => {
    const [python] = verifySnippets(input('ES256K'));
    expect(python!.text.split('\n')[0]).toBe(`curl -s 'https://example.org/it'\\''s/.well-known/openid-configuration'; echo`);
  });
});

describe('IssueError in words', () => {
  const cases: [IcJwtError, string][] = [
    [new IcJwtError('AnonymousCaller', {}), 'does not give tokens to the anonymous principal. Log in'],
    [new IcJwtError('AudienceNotAllowed', { audience: 'chat', allowed: ['api', 'web'] }), 'The audience "chat" is not allowed by the issuer. Allowed: "api", "web".'],
    [new IcJwtError('TtlOutOfRange', { requested: 10, min: 60, max: 86400 }), 'A lifetime of 10 s is out of range: the issuer allows 60 to 86400 seconds.'],
    [new IcJwtError('ClaimsInvalid', { reason: 'sets registered claim "sub"' }), 'The extra claims were refused: sets registered claim "sub".'],
    [new IcJwtError('RateLimited', { scope: 'Caller', retryAfterSeconds: 75 }), 'You have asked for too many tokens. Try again in 1 min 15 s.'],
    [new IcJwtError('RateLimited', { scope: 'Global', retryAfterSeconds: 9 }), 'for everyone right now. Try again in 9 s.'],
    [new IcJwtError('AlgorithmNotEnabled', { algorithm: 'EdDSA', enabled: ['ES256K'] }), 'does not sign with EdDSA'],
    [new IcJwtError('SigningKeyNotReady', { algorithm: 'ES256K', status: { kind: 'Fetching' } }), 'has not fetched its signing key yet'],
    [
      new IcJwtError('SigningKeyNotReady', {
        algorithm: 'EdDSA',
        status: { kind: 'Failed', rejectCode: 4, message: 'Requested unknown threshold key', attempts: 3, nextRetryAtSeconds: 1_800_000_000 }
      }),
      'no EdDSA signing key: the subnet refused it (reject code 4: Requested unknown threshold key)'
    ],
    [new IcJwtError('SigningFailed', { rejectCode: 4, message: 'no such key' }), 'reject code 4: no such key'],
    [
      new IcJwtError('CyclesBelowFloor', { balance: 900_000_000_000n, floor: 1_000_000_000_000n, fee: 26_153_846_153n }),
      'it holds 0.900 T cycles, keeps at least 1.00 T cycles and a signature costs 0.026 T cycles'
    ]
  ];

  it.each(cases.map(([error, words]) => ({ code: error.code, error, words })))('$code reads as words', ({ error, words }) => {
    expect(describeIssueError(error)).toContain(words);
  });

  it('covers every case the canister can answer', () => {
    const variantNames = (IssueErrorType as IDL.VariantClass)._fields.map(([name]) => name);
    expect(new Set(cases.map(([error]) => error.code))).toEqual(new Set(variantNames));
  });

  it('formats cycles in trillions', () => {
    expect(formatCycles(26_153_846_153n)).toBe('0.026 T cycles');
    expect(formatCycles(12_345_000_000_000n)).toBe('12.35 T cycles');
  });
});

describe('describeCallFailure', () => {
  it('explains an unreachable replica, with a hint for local ones', () => {
    const transport = TransportError.fromCode(new HttpFetchErrorCode(new TypeError('fetch failed')));
    expect(describeCallFailure(transport, 'http://127.0.0.1:4943')).toBe(
      'Could not reach the Internet Computer at http://127.0.0.1:4943. Is the local IC running? (Failed to fetch HTTP request: TypeError: fetch failed)'
    );
    expect(describeCallFailure(new TypeError('Failed to fetch'), 'https://icp-api.io')).toBe(
      'Could not reach the Internet Computer at https://icp-api.io. Check your connection. (Failed to fetch)'
    );
  });

  it('explains rejects and unverifiable answers', () => {
    const reject = RejectError.fromCode(new CertifiedRejectErrorCode(new Uint8Array(32) as never, 5, 'Canister trapped: out of cycles', 'IC0503'));
    expect(describeCallFailure(reject, 'https://icp-api.io')).toBe('The canister rejected the call (reject code 5): Canister trapped: out of cycles');
    const trust = TrustError.fromCode(new CertificateVerificationErrorCode('signature verification failed'));
    expect(describeCallFailure(trust, 'https://icp-api.io')).toMatch(/^The replica's answer could not be verified, so it was not used: .*signature verification failed/);
    expect(describeCallFailure(new Error('boom:\n  detail\n    at f (x.js:1)'), 'https://icp-api.io')).toBe('The call failed: boom: detail');
  });
});

describe('describeLoginFailure', () => {
  it('explains a closed window and passes other reasons on', () => {
    expect(describeLoginFailure('UserInterrupt')).toContain('login window was closed');
    expect(describeLoginFailure('The user cancelled sign-in.')).toBe('The identity provider did not log you in: The user cancelled sign-in.');
    expect(describeLoginFailure(undefined)).toBe('The identity provider did not log you in: no reason given');
  });
});

describe('interpretWhoami', () => {
  it('reports the verified principal (as examples/express-api answers) and whether it is the logged-in one', () => {
    const body = JSON.stringify({ principal: PRINCIPAL, claims: { sub: PRINCIPAL, aud: 'api' } });
    expect(interpretWhoami({ status: 200, body, wwwAuthenticate: null }, PRINCIPAL)).toEqual({
      ok: true,
      sub: PRINCIPAL,
      matchesPrincipal: true,
      claims: { sub: PRINCIPAL, aud: 'api' },
      summary: `The API verified the token: sub is ${PRINCIPAL} (your principal).`
    });
    const bareSub = interpretWhoami({ status: 200, body: JSON.stringify({ sub: 'aaaaa-aa' }), wwwAuthenticate: null }, PRINCIPAL);
    expect(bareSub).toMatchObject({ ok: true, sub: 'aaaaa-aa', matchesPrincipal: false, claims: null, summary: expect.stringContaining(`not your principal ${PRINCIPAL}`) });
    const claimsOnly = interpretWhoami({ status: 200, body: JSON.stringify({ claims: { sub: PRINCIPAL } }), wwwAuthenticate: null }, PRINCIPAL);
    expect(claimsOnly).toMatchObject({ ok: true, matchesPrincipal: true });
  });

  it('explains refusals in words', () => {
    const challenge = 'Bearer realm="api", error="invalid_token", error_description="the token expired at 2027-01-15T09:00:00Z"';
    expect(interpretWhoami({ status: 401, body: '', wwwAuthenticate: challenge }, PRINCIPAL)).toEqual({
      ok: false,
      summary: 'The API refused the token (401): the token expired at 2027-01-15T09:00:00Z.'
    });
    const hiddenHeader = JSON.stringify({ error: 'unauthorized', error_description: 'a bearer token is required' });
    expect(interpretWhoami({ status: 401, body: hiddenHeader, wwwAuthenticate: null }, PRINCIPAL).summary).toBe('The API refused the token (401): a bearer token is required.');
    expect(interpretWhoami({ status: 401, body: '', wwwAuthenticate: null }, PRINCIPAL).summary).toContain('no reason given');
    const unavailable = JSON.stringify({ error: 'temporarily_unavailable', error_description: "the token issuer's keys cannot be fetched right now" });
    expect(interpretWhoami({ status: 503, body: unavailable, wwwAuthenticate: null }, PRINCIPAL).summary).toBe(
      "The API answered 503: the token issuer's keys cannot be fetched right now"
    );
    expect(interpretWhoami({ status: 500, body: 'oops', wwwAuthenticate: null }, PRINCIPAL).summary).toBe('The API answered 500: oops');
    expect(interpretWhoami({ status: 200, body: '{"user":1}', wwwAuthenticate: null }, PRINCIPAL).summary).toContain('without a principal');
  });

  it('parses Bearer challenges with quoted and bare values', () => {
    expect(bearerChallenge('Bearer error=invalid_token, error_description="say \\"hi\\""')).toEqual({ error: 'invalid_token', error_description: 'say "hi"' });
  });
});
