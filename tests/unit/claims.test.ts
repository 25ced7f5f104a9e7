import { describe, expect, it } from 'vitest';

import { NEVER_ALLOWED_CLAIMS, OIDC_RESERVED_CLAIMS } from '../../src/backend/core/claim_names';
import { buildClaims, CLAIMS_LIMITS, REGISTERED_CLAIMS, type IssueOptions } from '../../src/backend/core/claims';
import { applyConfigInput, defaultConfig } from '../../src/backend/core/config';

const config = applyConfigInput(defaultConfig('bkyz2-fmaaa-aaaaa-qaaaq-cai'), {
  audiences: ['chatbot', 'api'],
  defaultAudience: 'chatbot',
  defaultTtlSeconds: 600,
  maxTtlSeconds: 7200,
  allowedExtraClaims: ['role', 'rooms', 'n', 'big']
});

function claimsFor(options: IssueOptions, allowed = config.allowedExtraClaims) {
  return buildClaims({ config: { ...config, allowedExtraClaims: allowed }, subject: 'caller-principal', options, issuedAtSeconds: 1_000_000, jti: 'j1' });
}

function reasonOf(result: ReturnType<typeof claimsFor>): string | undefined {
  return !result.ok && result.error.kind === 'ClaimsInvalid' ? result.error.reason : undefined;
}

describe('claims policy', () => {
  it('fills the registered claims from config, caller and clock', () => {
    expect(claimsFor({})).toEqual({
      ok: true,
      value: { iss: config.issuer, sub: 'caller-principal', aud: 'chatbot', iat: 1_000_000, nbf: 1_000_000, exp: 1_000_600, jti: 'j1' }
    });
  });

  it('accepts an allowed audience and a ttl within bounds', () => {
    const result = claimsFor({ audience: 'api', ttlSeconds: 7200 });
    expect(result.ok && result.value).toMatchObject({ aud: 'api', exp: 1_007_200 });
  });

  it('rejects an audience outside the allow-list, saying which are allowed', () => {
    expect(claimsFor({ audience: 'evil' })).toEqual({
      ok: false,
      error: { kind: 'AudienceNotAllowed', audience: 'evil', allowed: ['chatbot', 'api'] }
    });
  });

  it.each([0, 59, 7201, 2 ** 32 - 1])('rejects ttl %i with the bounds', (ttlSeconds) => {
    expect(claimsFor({ ttlSeconds })).toEqual({
      ok: false,
      error: { kind: 'TtlOutOfRange', requested: ttlSeconds, min: 60, max: 7200 }
    });
  });

  it('merges allowed extra claims after the registered ones', () => {
    const result = claimsFor({ extraClaims: '{"role":"member","rooms":["a","b"],"n":{"deep":1}}' });
    expect(result.ok && Object.keys(result.value)).toEqual([...['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti'], 'role', 'rooms', 'n']);
  });
});

describe('caller-asserted claims (issue 11 §1)', () => {
  it('refuses by default every extra claim, naming it: the default config allows none', () => {
    const defaults = applyConfigInput(defaultConfig('bkyz2-fmaaa-aaaaa-qaaaq-cai'), {});
    expect(defaults.allowedExtraClaims).toEqual([]);
    const result = claimsFor({ extraClaims: '{"roles":["admin"]}' }, defaults.allowedExtraClaims);
    expect(reasonOf(result)).toBe('the claim "roles" is not in allowed_extra_claims (allowed: none)');
  });

  it.each(['email_verified', 'roles', 'Role', 'role '])('refuses the claim %j when it is not allowed', (name) => {
    expect(reasonOf(claimsFor({ extraClaims: JSON.stringify({ role: 'x', [name]: true }) }))).toBe(
      `the claim ${JSON.stringify(name)} is not in allowed_extra_claims (allowed: role, rooms, n, big)`
    );
  });

  it.each([...REGISTERED_CLAIMS, ...OIDC_RESERVED_CLAIMS])('never lets a caller set %s, even if a config listed it', (name) => {
    // A stored config cannot list it (validation refuses it); the claims policy refuses it anyway.
    const result = claimsFor({ extraClaims: JSON.stringify({ [name]: 'x' }) }, [name]);
    expect(reasonOf(result)).toBe(`the claim "${name}" is set by the issuer or reserved; no caller may set it`);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses %s as a name at any depth', (name) => {
    for (const text of [`{"${name}":{"polluted":true}}`, `{"role":{"${name}":{"polluted":true}}}`, `{"rooms":[{"${name}":1}]}`]) {
      expect(reasonOf(claimsFor({ extraClaims: text }, [...config.allowedExtraClaims, name]))).toMatch(name);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('lists every name no config may allow', () => {
    expect([...NEVER_ALLOWED_CLAIMS].sort()).toEqual(
      ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'nonce', 'auth_time', 'azp', 'amr', 'acr', 'at_hash', 'c_hash', 'sid', 'cnf', 'scope', 'client_id', '__proto__', 'constructor', 'prototype'].sort()
    );
  });

  it.each([
    ['not JSON', '{role:', /expected a member name/],
    ['an array', '[1,2]', /must be a JSON object/],
    ['null', 'null', /must be a JSON object/],
    ['a string', '"x"', /must be a JSON object/],
    ['too deep', '{"n":' + '{"a":'.repeat(8) + '1' + '}'.repeat(9), /deeper than 8/],
    ['a duplicate name', '{"role":"user","role":"admin"}', /duplicate member name "role"/],
    ['1e400', '{"n":1e400}', /out of range/],
    ['a large integer', '{"n":9007199254740993}', /not a safe integer/],
    ['9e20', '{"n":9e20}', /not a safe integer/],
    ['a lone surrogate', '{"role":"\\ud800"}', /lone surrogate/]
  ])('refuses extra claims that are %s, saying why', (_what, extraClaims, reason) => {
    expect(reasonOf(claimsFor({ extraClaims }))).toMatch(reason);
  });

  it('limits the claims as signed, registered ones included', () => {
    const registeredBytes = JSON.stringify(claimsFor({}).ok && (claimsFor({}) as { value: object }).value).length;
    // The extras' own text is small enough; with the registered claims the payload is one byte over.
    const fill = CLAIMS_LIMITS.maxSignedBytes - registeredBytes - ',"big":""'.length;
    expect(claimsFor({ extraClaims: JSON.stringify({ big: 'x'.repeat(fill) }) }).ok).toBe(true);
    expect(reasonOf(claimsFor({ extraClaims: JSON.stringify({ big: 'x'.repeat(fill + 1) }) }))).toBe(
      `the signed claims would be ${CLAIMS_LIMITS.maxSignedBytes + 1} bytes; the limit is ${CLAIMS_LIMITS.maxSignedBytes}`
    );
  });

  it('counts bytes as signed: escapes the signer removes do not count, multi-byte characters do', () => {
    const registeredBytes = JSON.stringify((claimsFor({}) as { value: object }).value).length;
    const room = CLAIMS_LIMITS.maxSignedBytes - registeredBytes - ',"big":""'.length;
    // "\u0078" is six characters of input but one byte ("x") once signed.
    expect(claimsFor({ extraClaims: `{"big":"${'\\u0078'.repeat(room)}"}` }).ok).toBe(true);
    // "é" is one character but two bytes of UTF-8.
    expect(reasonOf(claimsFor({ extraClaims: JSON.stringify({ big: 'é'.repeat(Math.floor(room / 2) + 1) }) }))).toMatch(/the limit is 4096/);
  });
});
