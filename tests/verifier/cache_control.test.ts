import { describe, expect, it } from 'vitest';

import { JWKS_MAX_AGE_SECONDS } from '../../src/backend/core/http';
import { freshnessLifetimeSeconds } from '../../packages/verifier/src/cache_control';

const bounds = { minSeconds: 30, maxSeconds: 3600 };

describe('freshness lifetime from Cache-Control', () => {
  it("honours the canister's own header", () => {
    expect(freshnessLifetimeSeconds(`public, max-age=${JWKS_MAX_AGE_SECONDS}`, null, bounds)).toBe(JWKS_MAX_AGE_SECONDS);
  });

  it.each([
    ['max-age=120', null, 120],
    ['MAX-AGE=120', null, 120],
    ['max-age="120"', null, 120],
    ['public,max-age=120 , must-revalidate', null, 120],
    ['max-age=120, max-age=9', null, 120],
    ['max-age=300', '200', 100],
    ['max-age=300', '290', 30],
    ['max-age=300', 'junk', 300],
    ['max-age=5', null, 30],
    ['max-age=0', null, 30],
    ['max-age=99999999', null, 3600],
    ['no-store, max-age=300', null, 30],
    ['max-age=300, no-cache', null, 30],
    ['max-age=-5', null, 30],
    ['max-age=1e3', null, 30],
    ['s-maxage=600', null, 30],
    [null, null, 30],
    ['', null, 30]
  ])('%j with Age %j lasts %i s within [30, 3600]', (cacheControl, age, expected) => {
    expect(freshnessLifetimeSeconds(cacheControl, age, bounds)).toBe(expected);
  });
});
