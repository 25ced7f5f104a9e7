// Everything the canister keeps lives in stable memory, so upgrades keep config,
// keys and counters. Values are stored as JSON (Azle's stableJson keeps bigints).
import { StableBTreeMap } from 'azle';

import type { Config } from './core/config';
import { EMPTY_KEY_RING, type KeyRing } from './core/key_ring';
import { isBucketFull, type Bucket, type GlobalWindow } from './core/rate_limit';

export interface Counters {
  tokensIssued: bigint;
  /** Also the sequence number that makes each jti unique. */
  signaturesRequested: bigint;
  rejections: Record<string, bigint>;
}

const settings = new StableBTreeMap<string, unknown>(0);
const buckets = new StableBTreeMap<string, Bucket>(1);

/** Signing keys are derived under this version; rotation (a later feature) moves it on. */
export const CURRENT_KEY_VERSION = 1;

export function storedConfig(): Config | undefined {
  return settings.get('config') as Config | undefined;
}

export function storeConfig(config: Config): void {
  settings.insert('config', config);
}

export function storedKeyRing(): KeyRing {
  return (settings.get('keyRing') as KeyRing | undefined) ?? EMPTY_KEY_RING;
}

export function storeKeyRing(ring: KeyRing): void {
  settings.insert('keyRing', ring);
}

export function storedCounters(): Counters {
  return (
    (settings.get('counters') as Counters | undefined) ?? { tokensIssued: 0n, signaturesRequested: 0n, rejections: {} }
  );
}

export function storeCounters(counters: Counters): void {
  settings.insert('counters', counters);
}

export function storedGlobalWindow(): GlobalWindow | undefined {
  return settings.get('globalWindow') as GlobalWindow | undefined;
}

export function storeGlobalWindow(window: GlobalWindow): void {
  settings.insert('globalWindow', window);
}

export function storedBucket(principal: string): Bucket | undefined {
  return buckets.get(principal);
}

export function storeBucket(principal: string, bucket: Bucket): void {
  buckets.insert(principal, bucket);
}

/** Forgets buckets that have refilled: they hold no information. Returns how many were removed. */
export function pruneFullBuckets(config: Config, nowMs: number): number {
  let removed = 0;
  for (const [principal, bucket] of buckets.items()) {
    if (isBucketFull(bucket, config.rateLimit, nowMs)) {
      buckets.remove(principal);
      removed++;
    }
  }
  return removed;
}
