// Everything the canister keeps lives in stable memory, so upgrades keep config,
// keys and counters. Values are stored as JSON (Azle's stableJson keeps bigints).
import { StableBTreeMap } from 'azle';

import { bytesToHex, hexToBytes } from './core/bytes';
import { configFromStored, type Config } from './core/config';
import { FIRST_KEY_VERSION, keyRingFromStored, type KeyRing } from './core/key_ring';
import { planPrunePage, type Bucket, type GlobalWindow } from './core/rate_limit';

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

// 'globalSlidingWindow' replaced 'globalWindow' (a fixed minute, { minute, count }), which is no longer read.
export function storedGlobalWindow(): GlobalWindow | undefined {
  return settings.get('globalSlidingWindow') as GlobalWindow | undefined;
}

export function storeGlobalWindow(window: GlobalWindow): void {
  settings.insert('globalSlidingWindow', window);
}

/** The raw_rand seed that makes jti values unpredictable (hex in storage). */
export function storedJtiSeed(): Uint8Array | undefined {
  const hex = settings.get('jtiSeed') as string | undefined;
  return hex === undefined ? undefined : hexToBytes(hex);
}

export function storeJtiSeed(seed: Uint8Array): void {
  settings.insert('jtiSeed', bytesToHex(seed));
}

export function storedBucket(principal: string): Bucket | undefined {
  return buckets.get(principal);
}

export function storeBucket(principal: string, bucket: Bucket): void {
  buckets.insert(principal, bucket);
}

/**
 * Forgets the full buckets among at most `pageSize` buckets, starting where the previous page
 * stopped (a cursor in stable memory), so one timer callback does bounded work however many
 * callers there are. `done` once the page reached the end of the map.
 */
export function pruneBucketPage(config: Config, nowMs: number, pageSize: number): { removed: number; done: boolean } {
  const cursor = (settings.get('bucketPruneCursor') as number | undefined) ?? 0;
  const page = buckets.items(cursor, pageSize);
  const { remove, nextCursor, done } = planPrunePage(page, cursor, pageSize, config.rateLimit, nowMs);
  for (const caller of remove) buckets.remove(caller);
  settings.insert('bucketPruneCursor', nextCursor);
  return { removed: remove.length, done };
}
