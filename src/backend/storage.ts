// Everything the canister keeps lives in stable memory, so upgrades keep config,
// keys and counters. Values are stored as JSON (Azle's stableJson keeps bigints); the
// schema, its validators and its migrations are in core/stable_schema.ts. Every read is
// validated: a value this release cannot read traps, naming its key.
import { StableBTreeMap, StableJson, trap } from 'azle';

import './text_codec';

import { bytesToHex, hexToBytes } from './core/bytes';
import type { OidcClient } from './core/oidc/clients';
import { isExpired, type StoredCode } from './core/oidc/codes';
import { planPagePrune } from './core/prune_page';
import type { Config } from './core/config';
import type { KeyRing } from './core/key_ring';
import { planPrunePage, type Bucket, type GlobalWindow } from './core/rate_limit';
import {
  planMigration,
  readBucket,
  readBucketPruneCursor,
  readClient,
  readCodeEntropy,
  readCodePruneCursor,
  readPairwiseSalt,
  readStoredCode,
  readConfig,
  readCounters,
  readGlobalWindow,
  readJtiSeed,
  readKeyRing,
  readKeyVersion,
  readRotationLease,
  CODE_ENTROPY_POOL_MAX,
  SCHEMA_VERSION,
  STABLE_KEYS,
  StableValueError,
  type Counters,
  type RotationLease
} from './core/stable_schema';

export type { Counters };

/** Azle's stableJson (the same bytes), made after text_codec.ts: Azle's own instance keeps the slow polyfill. */
const json = StableJson();
const settings = new StableBTreeMap<string, unknown>(0, json, json);
const buckets = new StableBTreeMap<string, unknown>(1, json, json);
const clients = new StableBTreeMap<string, unknown>(2, json, json);
const codes = new StableBTreeMap<string, unknown>(3, json, json);

/** Decoding (JSON) and validation failures both trap with the key's name; nothing after them runs. */
function readOrTrap<T>(read: () => T, key: string): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof StableValueError) trap(error.message);
    trap(new StableValueError(key, error instanceof Error ? error.message : String(error)).message);
  }
}

function rawSetting(key: string): unknown {
  return readOrTrap(() => settings.get(key), key);
}

/** The setting under `key`, validated by `read`; traps (naming the key) when it cannot be read. */
function readSetting<T>(key: string, read: (raw: unknown) => T): T {
  return readOrTrap(() => read(rawSetting(key)), key);
}

/**
 * post_upgrade, before anything else: validates every stored setting and migrates the
 * schema to SCHEMA_VERSION. Returns the version it found.
 */
export function migrateStableSchema(nowSeconds: number): number {
  const migration = readOrTrap(() => planMigration(rawSetting, nowSeconds), STABLE_KEYS.schemaVersion);
  for (const key of migration.removes) settings.remove(key);
  for (const [key, value] of migration.writes) settings.insert(key, value);
  return migration.from;
}

/** init: a fresh canister starts at the current schema. */
export function storeSchemaVersion(): void {
  settings.insert(STABLE_KEYS.schemaVersion, SCHEMA_VERSION);
}

/** Signing keys are derived under this version; rotate_keys moves it on. */
export function storedKeyVersion(): number {
  return readSetting(STABLE_KEYS.keyVersion, readKeyVersion);
}

export function storeKeyVersion(version: number): void {
  settings.insert(STABLE_KEYS.keyVersion, version);
}

export function storedConfig(): Config | undefined {
  return readSetting(STABLE_KEYS.config, readConfig);
}

export function storeConfig(config: Config): void {
  settings.insert(STABLE_KEYS.config, config);
}

export function storedKeyRing(): KeyRing {
  return readSetting(STABLE_KEYS.keyRing, readKeyRing);
}

export function storeKeyRing(ring: KeyRing): void {
  settings.insert(STABLE_KEYS.keyRing, ring);
}

export function storedCounters(): Counters {
  return readSetting(STABLE_KEYS.counters, readCounters);
}

export function storeCounters(counters: Counters): void {
  settings.insert(STABLE_KEYS.counters, counters);
}

export function storedRotationLease(): RotationLease | undefined {
  return readSetting(STABLE_KEYS.rotationLease, readRotationLease);
}

export function storeRotationLease(lease: RotationLease): void {
  settings.insert(STABLE_KEYS.rotationLease, lease);
}

export function releaseRotationLease(): void {
  settings.remove(STABLE_KEYS.rotationLease);
}

export function storedGlobalWindow(): GlobalWindow | undefined {
  return readSetting(STABLE_KEYS.globalWindow, readGlobalWindow);
}

export function storeGlobalWindow(window: GlobalWindow): void {
  settings.insert(STABLE_KEYS.globalWindow, window);
}

/** The raw_rand seed that makes jti values unpredictable (hex in storage). */
export function storedJtiSeed(): Uint8Array | undefined {
  return readSetting(STABLE_KEYS.jtiSeed, readJtiSeed);
}

export function storeJtiSeed(seed: Uint8Array): void {
  settings.insert(STABLE_KEYS.jtiSeed, bytesToHex(seed));
}

export function storedBucket(principal: string): Bucket | undefined {
  const key = `bucket ${principal}`;
  return readOrTrap(() => readBucket(buckets.get(principal), principal), key);
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
  const cursor = readSetting(STABLE_KEYS.bucketPruneCursor, readBucketPruneCursor);
  const page = readOrTrap(() => buckets.items(cursor, pageSize), 'buckets').map(
    ([principal, raw]) => [principal, readOrTrap(() => readBucket(raw, principal), `bucket ${principal}`)!] as const
  );
  const { remove, nextCursor, done } = planPrunePage(page, cursor, pageSize, config.rateLimit, nowMs);
  for (const caller of remove) buckets.remove(caller);
  settings.insert(STABLE_KEYS.bucketPruneCursor, nextCursor);
  return { removed: remove.length, done };
}

export function storedClient(clientId: string): OidcClient | undefined {
  return readOrTrap(() => readClient(clients.get(clientId), clientId), `client ${clientId}`);
}

export function storeClient(client: OidcClient): void {
  clients.insert(client.clientId, client);
}

/** Whether a client was registered under `clientId` (and is now removed). */
export function removeClient(clientId: string): boolean {
  return clients.remove(clientId) !== undefined;
}

/** Every registered client (at most CLIENT_BOUNDS.clientsMax). */
export function storedClients(): OidcClient[] {
  return readOrTrap(() => clients.items(), 'clients').map(([clientId, raw]) => readOrTrap(() => readClient(raw, clientId), `client ${clientId}`)!);
}

export function clientCount(): number {
  return Number(clients.len());
}

export function storeCode(key: string, code: StoredCode): void {
  codes.insert(key, code);
}

export function storedCodeAt(key: string): StoredCode | undefined {
  return readOrTrap(() => readStoredCode(codes.get(key), key), `code ${key.slice(0, 16)}`);
}

export function removeCode(key: string): void {
  codes.remove(key);
}

export function liveCodeCount(): number {
  return Number(codes.len());
}

/** Forgets the expired codes among at most `pageSize`, from where the previous page stopped. */
export function pruneCodePage(nowMs: number, pageSize: number): { removed: number; done: boolean } {
  const cursor = readSetting(STABLE_KEYS.codePruneCursor, readCodePruneCursor);
  const page = readOrTrap(() => codes.items(cursor, pageSize), 'codes').map(
    ([key, raw]) => [key, readOrTrap(() => readStoredCode(raw, key), `code ${key.slice(0, 16)}`)!] as const
  );
  const { remove, nextCursor, done } = planPagePrune(page, cursor, pageSize, (code) => isExpired(code, nowMs));
  for (const key of remove) codes.remove(key);
  settings.insert(STABLE_KEYS.codePruneCursor, nextCursor);
  return { removed: remove.length, done };
}

export function storedPairwiseSalt(): Uint8Array | undefined {
  return readSetting(STABLE_KEYS.pairwiseSalt, readPairwiseSalt);
}

/** Sets the salt once; a salt already stored is kept (a new one would change every pairwise subject). Returns the stored salt. */
export function storePairwiseSaltOnce(salt: Uint8Array): Uint8Array {
  const stored = storedPairwiseSalt();
  if (stored !== undefined) return stored;
  settings.insert(STABLE_KEYS.pairwiseSalt, bytesToHex(salt));
  return salt;
}

export function codeEntropyCount(): number {
  return readSetting(STABLE_KEYS.codeEntropy, readCodeEntropy).length;
}

/** Takes one unused raw_rand output out of the pool, or undefined when it is empty. */
export function takeCodeEntropy(): Uint8Array | undefined {
  const pool = readSetting(STABLE_KEYS.codeEntropy, readCodeEntropy);
  const taken = pool[pool.length - 1];
  if (taken === undefined) return undefined;
  settings.insert(STABLE_KEYS.codeEntropy, pool.slice(0, -1));
  return hexToBytes(taken);
}

/** Adds raw_rand outputs to the pool, up to CODE_ENTROPY_POOL_MAX. */
export function addCodeEntropy(outputs: Uint8Array[]): void {
  const pool = readSetting(STABLE_KEYS.codeEntropy, readCodeEntropy);
  settings.insert(STABLE_KEYS.codeEntropy, [...pool, ...outputs.map(bytesToHex)].slice(0, CODE_ENTROPY_POOL_MAX));
}
