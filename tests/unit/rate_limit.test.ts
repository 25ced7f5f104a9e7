import { describe, expect, it } from 'vitest';

import { admit, admitGlobal, GLOBAL_WINDOW_SLOTS, isBucketFull, planPrunePage, type Bucket, type GlobalWindow } from '../../src/backend/core/rate_limit';

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

describe('global cap: a sliding window', () => {
  it('caps all callers together until the oldest admissions are 61 one-second slots old', () => {
    const driver = new Driver(5);
    for (let i = 0; i < 5; i++) expect(driver.request(`caller-${i}`, T0).admitted).toBe(true);
    // T0 lies on a second boundary: its slot leaves the window at T0 + 61 s.
    expect(driver.request('caller-new', T0 + 1_500)).toEqual({ admitted: false, scope: 'Global', retryAfterSeconds: 60 });
    // The old fixed minute reopened at the next minute boundary, 20 s after T0: no longer.
    expect(driver.request('caller-new', T0 + 20_000).admitted).toBe(false);
    expect(driver.request('caller-new', T0 + 60_999).admitted).toBe(false);
    expect(driver.request('caller-new', T0 + 61_000).admitted).toBe(true);
  });

  it('frees the window slot by slot, and says when enough has left it', () => {
    const driver = new Driver(3);
    driver.request('a', T0);
    driver.request('b', T0 + 10_000);
    driver.request('c', T0 + 20_000);
    expect(driver.request('d', T0 + 30_000)).toEqual({ admitted: false, scope: 'Global', retryAfterSeconds: 31 });
    expect(driver.request('d', T0 + 61_000).admitted).toBe(true);
    expect(driver.request('e', T0 + 61_000)).toEqual({ admitted: false, scope: 'Global', retryAfterSeconds: 10 });
  });

  it('refuses across a minute boundary what a fixed minute let through (issue 11: 60 in 5.7 s at 30/min)', () => {
    const driver = new Driver(30);
    const boundary = 1_700_000_100_000 - (1_700_000_100_000 % 60_000) + 60_000;
    let admitted = 0;
    for (let i = 0; i < 60; i++) if (driver.request(`caller-${i}`, boundary - 2_850 + i * 95).admitted) admitted++;
    expect(admitted).toBe(30);
  });

  it('keeps at most 61 slots, however long it runs', () => {
    const driver = new Driver(10_000);
    for (let i = 0; i < 500; i++) driver.request(`caller-${i}`, T0 + i * 700);
    expect(driver.window!.slots.length).toBeLessThanOrEqual(GLOBAL_WINDOW_SLOTS);
  });

  it('never lets more than the limit through in any 60-second interval (randomized arrivals)', () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 40; round++) {
      const limit = 1 + Math.floor(random() * 40);
      const driver = new Driver(limit);
      const admittedAt: number[] = [];
      let now = T0 + Math.floor(random() * 60_000);
      for (let i = 0; i < 1_500; i++) {
        // Bursts, trickles and long pauses, at millisecond resolution.
        const gap = random() < 0.7 ? Math.floor(random() * 200) : Math.floor(random() * 30_000);
        now += gap;
        if (driver.request(`caller-${i}`, now).admitted) admittedAt.push(now);
      }
      // Every interval [t, t + 60 s] that holds the most admissions starts at an admission.
      let start = 0;
      for (let end = 0; end < admittedAt.length; end++) {
        while (admittedAt[end]! - admittedAt[start]! > 60_000) start++;
        expect(end - start + 1).toBeLessThanOrEqual(limit);
      }
      expect(admittedAt.length).toBeGreaterThan(limit);
    }
  });

  it('does not take a caller token when the global cap refuses', () => {
    const driver = new Driver(1);
    driver.request('alice', T0);
    expect(driver.request('bob', T0).admitted).toBe(false);
    expect(driver.buckets.has('bob')).toBe(false);
  });

  it('stays closed when the limit is lowered below what the window holds', () => {
    let window: GlobalWindow | undefined;
    for (let i = 0; i < 10; i++) {
      const result = admitGlobal(window, 10, T0);
      if (result.admitted) window = result.window;
    }
    expect(admitGlobal(window, 4, T0 + 30_000)).toEqual({ admitted: false, retryAfterSeconds: 31 });
  });
});

describe('pruning full buckets in pages', () => {
  const full: Bucket = { tokens: policy.capacity, updatedAtMs: T0 };
  const empty: Bucket = { tokens: 0, updatedAtMs: T0 };

  /** Runs pages over a sorted map as the canister does (StableBTreeMap.items(cursor, pageSize)). */
  function prunePages(map: Map<string, Bucket>, pageSize: number) {
    const touched: number[] = [];
    const seen = new Set<string>();
    let cursor = 0;
    for (let pages = 0; pages < 1_000; pages++) {
      const page = [...map].sort(([a], [b]) => (a < b ? -1 : 1)).slice(cursor, cursor + pageSize);
      touched.push(page.length);
      for (const [caller] of page) seen.add(caller);
      const plan = planPrunePage(page, cursor, pageSize, policy, T0);
      for (const caller of plan.remove) map.delete(caller);
      cursor = plan.nextCursor;
      if (plan.done) return { touched, seen };
    }
    throw new Error('pruning never finished');
  }

  it('looks at no more than a page per step and at every bucket over the pages', () => {
    const map = new Map<string, Bucket>();
    for (let i = 0; i < 1_234; i++) map.set(`caller-${String(i).padStart(5, '0')}`, i % 3 === 0 ? empty : full);
    const callers = [...map.keys()];
    const { touched, seen } = prunePages(map, 100);
    expect(Math.max(...touched)).toBeLessThanOrEqual(100);
    expect(seen).toEqual(new Set(callers));
    expect([...map.values()].every((bucket) => bucket === empty)).toBe(true);
    expect(map.size).toBe(412);
  });

  it('keeps going when a whole page was removed, and stops at the end', () => {
    const map = new Map<string, Bucket>(Array.from({ length: 200 }, (_, i) => [`c${String(i).padStart(3, '0')}`, full] as const));
    const { touched } = prunePages(map, 100);
    expect(map.size).toBe(0);
    expect(touched).toEqual([100, 100, 0]);
  });

  it('starts over after the last page', () => {
    expect(planPrunePage([['a', full]], 7, 10, policy, T0)).toEqual({ remove: ['a'], nextCursor: 0, done: true });
    expect(planPrunePage([['a', empty], ['b', full]], 7, 2, policy, T0)).toEqual({ remove: ['b'], nextCursor: 8, done: false });
  });
});
