import { describe, expect, it } from 'vitest';

import { NEVER_ALLOWED_CLAIMS } from '../../src/backend/core/claim_names';
import { applyConfigInput, configFromStored, ConfigError, defaultConfig, type ConfigInput } from '../../src/backend/core/config';

const CANISTER = 'bkyz2-fmaaa-aaaaa-qaaaq-cai';
const base = defaultConfig(CANISTER);

function fieldOf(input: ConfigInput): string {
  try {
    applyConfigInput(base, input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain((error as ConfigError).field);
    return (error as ConfigError).field;
  }
  throw new Error('config was accepted');
}

describe('config', () => {
  it('has valid defaults naming the canister', () => {
    expect(applyConfigInput(base, {})).toEqual(base);
    expect(base.issuer).toBe(`https://${CANISTER}.icp0.io`);
    expect(base.keyName).toBe('dfx_test_key');
  });

  it('accepts every bound at its edge', () => {
    const config = applyConfigInput(base, {
      keyName: 'key_1',
      issuer: 'http://127.0.0.1:4943/issuer',
      audiences: ['a', 'b'.repeat(128)],
      defaultAudience: 'a',
      maxTtlSeconds: 30 * 24 * 3600,
      defaultTtlSeconds: 60,
      rateLimit: { capacity: 1000, refillIntervalSeconds: 1 },
      globalLimitPerMinute: 10_000,
      cycleFloor: 0n,
      allowedExtraClaims: [...Array.from({ length: 31 }, (_, i) => `c${i}`), 'https://example.com/claims/' + 'r'.repeat(37)]
    });
    expect(config.defaultTtlSeconds).toBe(60);
    expect(config.allowedExtraClaims).toHaveLength(32);
  });

  it.each<[string, ConfigInput]>([
    ['key_name', { keyName: 'prod_key' as never }],
    ['issuer', { issuer: 'http://example.com' }],
    ['issuer', { issuer: 'https://example.com/' }],
    ['issuer', { issuer: 'https://example.com?x=1' }],
    ['issuer', { issuer: 'https://example.com#f' }],
    ['issuer', { issuer: 'https://Example.com' }],
    ['issuer', { issuer: 'https://user@example.com' }],
    ['issuer', { issuer: 'https://a..b' }],
    ['issuer', { issuer: `https://${'a'.repeat(300)}.com` }],
    ['issuer', { issuer: 'example.com' }],
    ['audiences', { audiences: [] }],
    ['audiences', { audiences: ['a', 'a'] }],
    ['audiences', { audiences: ['has space'] }],
    ['audiences', { audiences: ['x'.repeat(129)] }],
    ['audiences', { audiences: Array.from({ length: 17 }, (_, i) => `a${i}`) }],
    ['default_audience', { defaultAudience: 'unlisted' }],
    ['max_ttl_seconds', { maxTtlSeconds: 59 }],
    ['max_ttl_seconds', { maxTtlSeconds: 30 * 24 * 3600 + 1 }],
    ['default_ttl_seconds', { defaultTtlSeconds: 7200, maxTtlSeconds: 3600 }],
    ['default_ttl_seconds', { defaultTtlSeconds: 59 }],
    ['rate_limit.capacity', { rateLimit: { capacity: 0, refillIntervalSeconds: 60 } }],
    ['rate_limit.refill_interval_seconds', { rateLimit: { capacity: 1, refillIntervalSeconds: 0 } }],
    ['global_limit_per_minute', { globalLimitPerMinute: 0 }],
    ['global_limit_per_minute', { globalLimitPerMinute: 10_001 }],
    ['cycle_floor', { cycleFloor: -1n }],
    ['cycle_floor', { cycleFloor: 10n ** 17n }],
    ['allowed_extra_claims', { allowedExtraClaims: Array.from({ length: 33 }, (_, i) => `c${i}`) }],
    ['allowed_extra_claims', { allowedExtraClaims: ['role', 'role'] }],
    ['allowed_extra_claims', { allowedExtraClaims: [''] }],
    ['allowed_extra_claims', { allowedExtraClaims: ['x'.repeat(65)] }],
    ['allowed_extra_claims', { allowedExtraClaims: ['has space'] }],
    ['allowed_extra_claims', { allowedExtraClaims: ['quote"'] }],
    ['allowed_extra_claims', { allowedExtraClaims: ['back\\slash'] }],
    ['allowed_extra_claims', { allowedExtraClaims: ['rôle'] }]
  ])('names %s when it is invalid (case %#)', (field, input) => {
    expect(fieldOf(input)).toBe(field);
  });

  it.each(NEVER_ALLOWED_CLAIMS)('can never allow the claim %s, and names it', (name) => {
    expect(() => applyConfigInput(base, { allowedExtraClaims: ['role', name] })).toThrow(
      new ConfigError('allowed_extra_claims', `${JSON.stringify(name)} is set by the issuer or reserved, and can never be allowed`)
    );
  });

  it('allows no extra claim by default, also for a config stored before the field existed', () => {
    expect(base.allowedExtraClaims).toEqual([]);
    const { allowedExtraClaims: _, ...earlier } = applyConfigInput(base, { audiences: ['x'] });
    expect(configFromStored(earlier).allowedExtraClaims).toEqual([]);
  });

  it('keeps the default audience when it stays allowed, else takes the first', () => {
    const withTwo = applyConfigInput(base, { audiences: [CANISTER, 'api'] });
    expect(withTwo.defaultAudience).toBe(CANISTER);
    expect(applyConfigInput(withTwo, { audiences: ['api', 'chat'] }).defaultAudience).toBe('api');
  });

  it('does not change the config it starts from', () => {
    const before = structuredClone(base);
    applyConfigInput(base, { audiences: ['x'], rateLimit: { capacity: 2, refillIntervalSeconds: 2 } });
    expect(() => applyConfigInput(base, { issuer: 'bad' })).toThrow(ConfigError);
    expect(base).toEqual(before);
  });
});
