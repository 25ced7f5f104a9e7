// Admission control in front of the paid signing call. Two limits apply, both
// before any cycles are spent:
// - a token bucket per caller, so one user cannot hog the issuer;
// - a global cap: no 60-second interval, wherever it starts, holds more than
//   global_limit_per_minute admissions. Principals cost nothing to create, so only the
//   global cap bounds what all callers together can make the canister spend:
//   at most global_limit_per_minute × signing fee cycles in any 60 seconds.
import type { RateLimit } from './config';
import { planPagePrune, type PrunePage } from './prune_page';

export interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

/**
 * Admissions per one-second slot, for the last GLOBAL_WINDOW_SLOTS slots, oldest first.
 * A sliding window of slots, not a fixed minute: a fixed minute (or a token bucket of the
 * same capacity) lets twice the limit through across a boundary.
 */
export interface GlobalWindow {
  slots: { second: number; count: number }[];
}

/**
 * An admission at second s counts every admission in seconds s−60 … s. Any 60-second interval
 * that ends with an admission at second s starts after s−61 seconds, so its admissions lie in
 * those 61 slots, which held fewer than the limit before the last one: at most the limit in all.
 */
export const GLOBAL_WINDOW_SLOTS = 61;

export type Admission =
  | { admitted: true; bucket: Bucket; window: GlobalWindow }
  | { admitted: false; scope: 'Caller' | 'Global'; retryAfterSeconds: number };

export function refill(bucket: Bucket | undefined, policy: RateLimit, nowMs: number): Bucket {
  if (bucket === undefined) return { tokens: policy.capacity, updatedAtMs: nowMs };
  const elapsedMs = Math.max(0, nowMs - bucket.updatedAtMs);
  const tokens = Math.min(policy.capacity, bucket.tokens + elapsedMs / (policy.refillIntervalSeconds * 1000));
  return { tokens, updatedAtMs: Math.max(nowMs, bucket.updatedAtMs) };
}

/** Takes one token from the caller's bucket and one admission of the global window, or says when to retry. */
export function admit(
  bucket: Bucket | undefined,
  window: GlobalWindow | undefined,
  policy: RateLimit,
  globalLimitPerMinute: number,
  nowMs: number
): Admission {
  const current = refill(bucket, policy, nowMs);
  if (current.tokens < 1) {
    const waitMs = (1 - current.tokens) * policy.refillIntervalSeconds * 1000;
    return { admitted: false, scope: 'Caller', retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
  const global = admitGlobal(window, globalLimitPerMinute, nowMs);
  if (!global.admitted) return { admitted: false, scope: 'Global', retryAfterSeconds: global.retryAfterSeconds };
  return { admitted: true, bucket: { tokens: current.tokens - 1, updatedAtMs: current.updatedAtMs }, window: global.window };
}

/** One admission against the sliding window, or the seconds until the oldest counted slots leave it. */
export function admitGlobal(
  window: GlobalWindow | undefined,
  limit: number,
  nowMs: number
): { admitted: true; window: GlobalWindow } | { admitted: false; retryAfterSeconds: number } {
  const second = Math.floor(nowMs / 1000);
  // Slots from before a clock step backwards stay counted: the window never forgets early.
  const newest = Math.max(second, ...(window?.slots.map((slot) => slot.second) ?? []));
  const slots = (window?.slots ?? []).filter((slot) => slot.second > newest - GLOBAL_WINDOW_SLOTS);
  let used = 0;
  for (const slot of slots) used += slot.count;
  if (used >= limit) {
    // The window admits again once enough of the oldest slots have left it.
    let remaining = used;
    for (const slot of slots) {
      remaining -= slot.count;
      if (remaining < limit) {
        const freeAtMs = (slot.second + GLOBAL_WINDOW_SLOTS) * 1000;
        return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAtMs - nowMs) / 1000)) };
      }
    }
  }
  const last = slots[slots.length - 1];
  const updated =
    last !== undefined && last.second === newest
      ? [...slots.slice(0, -1), { second: newest, count: last.count + 1 }]
      : [...slots, { second: newest, count: 1 }];
  return { admitted: true, window: { slots: updated } };
}

/** A bucket that has refilled completely carries no information and can be forgotten. */
export function isBucketFull(bucket: Bucket, policy: RateLimit, nowMs: number): boolean {
  return refill(bucket, policy, nowMs).tokens >= policy.capacity;
}

export type { PrunePage } from './prune_page';

/**
 * One bounded step of forgetting full buckets. `page` holds the entries at indices
 * cursor … cursor+pageSize−1 of the sorted bucket map (fewer at its end).
 */
export function planPrunePage(
  page: readonly (readonly [caller: string, bucket: Bucket])[],
  cursor: number,
  pageSize: number,
  policy: RateLimit,
  nowMs: number
): PrunePage {
  return planPagePrune(page, cursor, pageSize, (bucket) => isBucketFull(bucket, policy, nowMs));
}
