import { describe, expect, it } from 'vitest';

import { admit, isBucketFull, type Bucket, type GlobalWindow } from '../../src/backend/core/rate_limit';

const policy = { capacity: 3, refillIntervalSeconds: 20 };
const T0 = 1_700_000_080_000; // 40 s into a minute

/** Drives admit() through time like the canister does, keeping the state it returns. */
class Driver {
  buckets = new Map<string, Bucket>();
  window: GlobalWindow | undefined;
  constructor(readonly globalLimit = 1000) {}
  request(caller: string, nowMs: number) {
    const result = admit(this.buckets.get(caller), this.window, policy, this.globalLimit, nowMs);
    if (result.admitted) {
      this.buckets.set(caller, result.bucket);
      this.window = result.window;
    }
    return result;
  }
}

describe('per-caller token bucket', () => {
  it('allows a burst of capacity, then says when to retry', () => {
    const driver = new Driver();
    for (let i = 0; i < 3; i++) expect(driver.request('alice', T0).admitted).toBe(true);
    expect(driver.request('alice', T0)).toEqual({ admitted: false, scope: 'Caller', retryAfterSeconds: 20 });
    expect(driver.request('alice', T0 + 5_000)).toEqual({ admitted: false, scope: 'Caller', retryAfterSeconds: 15 });
  });

  it('recovers one token per refill interval, and only one', () => {
    const driver = new Driver();
    for (let i = 0; i < 3; i++) driver.request('alice', T0);
    expect(driver.request('alice', T0 + 19_999).admitted).toBe(false);
    expect(driver.request('alice', T0 + 20_000).admitted).toBe(true);
    expect(driver.request('alice', T0 + 20_000).admitted).toBe(false);
  });

  it('refills to capacity and no further', () => {
    const driver = new Driver();
    driver.request('alice', T0);
    for (let i = 0; i < 3; i++) expect(driver.request('alice', T0 + 3_600_000).admitted).toBe(true);
    expect(driver.request('alice', T0 + 3_600_000).admitted).toBe(false);
    expect(isBucketFull(driver.buckets.get('alice')!, policy, T0 + 3_600_000 + 60_000)).toBe(true);
    expect(isBucketFull(driver.buckets.get('alice')!, policy, T0 + 3_600_000 + 59_000)).toBe(false);
  });

  it('keeps callers apart', () => {
    const driver = new Driver();
    for (let i = 0; i < 3; i++) driver.request('alice', T0);
    expect(driver.request('alice', T0).admitted).toBe(false);
    expect(driver.request('bob', T0).admitted).toBe(true);
  });

  it('does not refill when the clock goes backwards', () => {
    const driver = new Driver();
    for (let i = 0; i < 3; i++) driver.request('alice', T0);
    expect(driver.request('alice', T0 - 60_000).admitted).toBe(false);
  });
});

describe('global cap per minute', () => {
  it('caps all callers together until the next minute starts', () => {
    const driver = new Driver(5);
    for (let i = 0; i < 5; i++) expect(driver.request(`caller-${i}`, T0).admitted).toBe(true);
    expect(driver.request('caller-new', T0 + 1_500)).toEqual({ admitted: false, scope: 'Global', retryAfterSeconds: 19 });
    expect(driver.request('caller-new', T0 + 19_999).admitted).toBe(false);
    expect(driver.request('caller-new', T0 + 20_000).admitted).toBe(true);
  });

  it('does not take a caller token when the global cap refuses', () => {
    const driver = new Driver(1);
    driver.request('alice', T0);
    expect(driver.request('bob', T0).admitted).toBe(false);
    expect(driver.buckets.has('bob')).toBe(false);
  });
});
