import { describe, expect, it } from 'vitest';

import { buildClaims, EXTRA_CLAIMS_LIMITS, REGISTERED_CLAIMS, type IssueOptions } from '../../src/backend/core/claims';
import { applyConfigInput, defaultConfig } from '../../src/backend/core/config';

const config = applyConfigInput(defaultConfig('bkyz2-fmaaa-aaaaa-qaaaq-cai'), {
  audiences: ['chatbot', 'api'],
  defaultAudience: 'chatbot',
  defaultTtlSeconds: 600,
  maxTtlSeconds: 7200
});

function claimsFor(options: IssueOptions) {
  return buildClaims({ config, subject: 'caller-principal', options, issuedAtSeconds: 1_000_000, jti: 'j1' });
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

  it('merges extra claims after the registered ones', () => {
    const result = claimsFor({ extraClaims: '{"role":"member","rooms":["a","b"],"n":{"deep":1}}' });
    expect(result.ok && Object.keys(result.value)).toEqual([...['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti'], 'role', 'rooms', 'n']);
  });

  it.each(REGISTERED_CLAIMS)('refuses extra claims that set %s', (name) => {
    const result = claimsFor({ extraClaims: JSON.stringify({ [name]: 'x', other: 1 }) });
    expect(result).toEqual({ ok: false, error: { kind: 'ClaimsInvalid', reason: `extra claims may not set registered claims: ${name}` } });
  });

  it.each([
    ['not JSON', '{role:', /not valid JSON/],
    ['an array', '[1,2]', /must be a JSON object/],
    ['null', 'null', /must be a JSON object/],
    ['a string', '"x"', /must be a JSON object/],
    ['an empty name', '{"":1}', /empty name/],
    ['too deep', '{"a":'.repeat(10) + '1' + '}'.repeat(10), /deeper than 8/],
    ['too large', JSON.stringify({ big: 'x'.repeat(EXTRA_CLAIMS_LIMITS.maxBytes) }), /the limit is 2048/]
  ])('refuses extra claims that are %s', (_what, extraClaims, reason) => {
    const result = claimsFor({ extraClaims });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.kind === 'ClaimsInvalid' && result.error.reason).toMatch(reason);
  });

  it('keeps "__proto__" a plain claim without touching any prototype', () => {
    const result = claimsFor({ extraClaims: '{"__proto__":{"polluted":true}}' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(JSON.parse(JSON.stringify(result.value))['__proto__']).toEqual({ polluted: true });
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
