// Everything the canister keeps lives in stable memory, so upgrades keep config,
// keys and counters. Values are stored as JSON (Azle's stableJson keeps bigints).
import { StableBTreeMap } from 'azle';

import { configFromStored, type Config } from './core/config';
import { FIRST_KEY_VERSION, keyRingFromStored, type KeyRing } from './core/key_ring';
import { isBucketFull, type Bucket, type GlobalWindow } from './core/rate_limit';

export interface Counters {
  tokensIssued: bigint;
  /** Also the sequence number that makes each jti unique. */
  signaturesRequested: bigint;
  rejections: Record<string, bigint>;
}

const settings = new StableBTreeMap<string, unknown>(0);
const buckets = new StableBTreeMap<string, Bucket>(1);

/** Signing keys are derived under this version; rotate_keys moves it on. */
export function storedKeyVersion(): number {
  return (settings.get('keyVersion') as number | undefined) ?? FIRST_KEY_VERSION;
}

export function storeKeyVersion(version: number): void {
  settings.insert('keyVersion', version);
}

export function storedConfig(): Config | undefined {
  const stored = settings.get('config') as Parameters<typeof configFromStored>[0] | undefined;
  return stored === undefined ? undefined : configFromStored(stored);
}

export function storeConfig(config: Config): void {
  settings.insert('config', config);
}

export function storedKeyRing(): KeyRing {
  return keyRingFromStored(settings.get('keyRing'));
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
