// Admission control in front of the paid signing call. Two limits apply, both
// before any cycles are spent:
// - a token bucket per caller, so one user cannot hog the issuer;
// - a global cap per minute. Principals cost nothing to create, so only the
//   global cap bounds what all callers together can make the canister spend:
//   at most global_limit_per_minute × signing fee cycles per minute.
import type { RateLimit } from './config';

export interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export interface GlobalWindow {
  minute: number;
  count: number;
}

export type Admission =
  | { admitted: true; bucket: Bucket; window: GlobalWindow }
  | { admitted: false; scope: 'Caller' | 'Global'; retryAfterSeconds: number };

export function refill(bucket: Bucket | undefined, policy: RateLimit, nowMs: number): Bucket {
  if (bucket === undefined) return { tokens: policy.capacity, updatedAtMs: nowMs };
  const elapsedMs = Math.max(0, nowMs - bucket.updatedAtMs);
  const tokens = Math.min(policy.capacity, bucket.tokens + elapsedMs / (policy.refillIntervalSeconds * 1000));
  return { tokens, updatedAtMs: Math.max(nowMs, bucket.updatedAtMs) };
}

/** Takes one token from the caller's bucket and one slot of the global minute, or says when to retry. */
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
  const minute = Math.floor(nowMs / 60_000);
  const used = window !== undefined && window.minute === minute ? window.count : 0;
  if (used >= globalLimitPerMinute) {
    const waitMs = (minute + 1) * 60_000 - nowMs;
    return { admitted: false, scope: 'Global', retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
  return {
    admitted: true,
    bucket: { tokens: current.tokens - 1, updatedAtMs: current.updatedAtMs },
    window: { minute, count: used + 1 }
  };
}

/** A bucket that has refilled completely carries no information and can be forgotten. */
export function isBucketFull(bucket: Bucket, policy: RateLimit, nowMs: number): boolean {
  return refill(bucket, policy, nowMs).tokens >= policy.capacity;
}
