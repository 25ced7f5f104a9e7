// Everything the canister keeps lives in stable memory, so upgrades keep config,
// keys and counters. Values are stored as JSON (Azle's stableJson keeps bigints); the
// schema, its validators and its migrations are in core/stable_schema.ts. Every read is
// validated: a value this release cannot read traps, naming its key.
//
// What every token reads (config, key ring, key version, counters, jti seed, global window) is
// also kept on the heap: read from stable memory once after install or upgrade (the heap starts
// empty then), and written through on every change, so stable memory stays the source of truth.
// Security: the two cannot disagree. Only updates and timers store (a query's heap changes are
// discarded like its stable-memory ones, so a query may fill the heap copy but never changes a
// value); a message that traps after a write-through has its heap and its stable memory rolled
// back together (tests/localnet/jwt_issuer_heap_copy.test.ts); and the heap copies are frozen,
// so a change that skips the write-through throws instead of diverging.
import { StableBTreeMap, StableJson, trap } from 'azle';

import './text_codec';

import { bytesToHex, hexToBytes } from './core/bytes';
import type { OidcClient } from './core/oidc/clients';
import { isExpired, type StoredCode } from './core/oidc/codes';
import { planPagePrune } from './core/prune_page';
import type { Config } from './core/config';
import type { KeyRing } from './core/key_ring';
import { planPrunePage, type Bucket, type GlobalWindow } from './core/rate_limit';
import { countersStableJson, plainStableJson } from './core/stable_json';
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
/**
 * The maps hold stableJson bytes, encoded and decoded here: Azle's insert and remove decode the
 * value they replace, which no caller here uses, and a key's bytes are encoded once.
 */
const bytes = { toBytes: (value: Uint8Array) => value, fromBytes: (value: Uint8Array) => value };
const settings = new StableBTreeMap<Uint8Array, Uint8Array>(0, bytes, bytes);
const buckets = new StableBTreeMap<Uint8Array, Uint8Array>(1, bytes, bytes);
const clients = new StableBTreeMap<Uint8Array, Uint8Array>(2, bytes, bytes);
const codes = new StableBTreeMap<Uint8Array, Uint8Array>(3, bytes, bytes);

const textEncoder = new TextEncoder();
/** A text key in stableJson's bytes (its replacer leaves strings as they are). */
const keyBytes = (key: string): Uint8Array => textEncoder.encode(JSON.stringify(key));
const decodeKey = (key: Uint8Array): string => json.fromBytes(key) as string;
const settingKeys = new Map<string, Uint8Array>();
function settingKey(key: string): Uint8Array {
  let encoded = settingKeys.get(key);
  if (encoded === undefined) settingKeys.set(key, (encoded = keyBytes(key)));
  return encoded;
}

/** Decoding (JSON) and validation failures both trap with the key's name; nothing after them runs. */
function readOrTrap<T>(read: () => T, key: string): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof StableValueError) trap(error.message);
    trap(new StableValueError(key, error instanceof Error ? error.message : String(error)).message);
  }
}

const decoded = (value: Uint8Array | undefined): unknown => (value === undefined ? undefined : json.fromBytes(value));

function rawSetting(key: string): unknown {
  return readOrTrap(() => decoded(settings.get(settingKey(key))), key);
}

/** The setting under `key`, validated by `read`; traps (naming the key) when it cannot be read. */
function readSetting<T>(key: string, read: (raw: unknown) => T): T {
  return readOrTrap(() => read(rawSetting(key)), key);
}

function writeSetting(key: string, value: Uint8Array): void {
  settings.insert(settingKey(key), value);
}

function removeSetting(key: string): void {
  settings.remove(settingKey(key));
}

/** Azle's stableJson, for values written rarely (config, rotation lease, cursors, pools). */
const stableJson = (value: unknown): Uint8Array => json.toBytes(value);

function deepFreeze<T>(value: T): T {
  // A typed array's elements cannot be frozen; the jti seed is only ever replaced whole.
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/** A setting every token reads, kept on the heap (see the note at the top). */
class HeapCopy<T> {
  private loaded = false;
  private value: T | undefined;

  constructor(
    private readonly key: string,
    private readonly read: (raw: unknown) => T,
    private readonly encode: (value: T) => Uint8Array
  ) {}

  get(): T {
    if (!this.loaded) {
      this.value = deepFreeze(readSetting(this.key, this.read));
      this.loaded = true;
    }
    return this.value as T;
  }

  /** Writes stable memory first: if that traps, the heap copy is not touched (and the IC rolls back both anyway). */
  set(value: T): void {
    writeSetting(this.key, this.encode(value));
    this.value = deepFreeze(value);
    this.loaded = true;
  }

  /** After stable memory changed under the copy (a migration): read it again when next needed. */
  forget(): void {
    this.loaded = false;
    this.value = undefined;
  }
}

/** UTF-8 (an ASCII text, as JSON of these values is, takes the fast path of text_codec.ts). */
const encodeText = (text: string): Uint8Array => textEncoder.encode(text);

const heap = {
  config: new HeapCopy(STABLE_KEYS.config, readConfig, stableJson),
  keyVersion: new HeapCopy(STABLE_KEYS.keyVersion, readKeyVersion, stableJson),
  keyRing: new HeapCopy(STABLE_KEYS.keyRing, readKeyRing, (ring) => encodeText(plainStableJson(ring))),
  counters: new HeapCopy(STABLE_KEYS.counters, readCounters, (counters) => encodeText(countersStableJson(counters))),
  jtiSeed: new HeapCopy(STABLE_KEYS.jtiSeed, readJtiSeed, (seed) => stableJson(bytesToHex(seed!))),
  globalWindow: new HeapCopy(STABLE_KEYS.globalWindow, readGlobalWindow, (window) => encodeText(plainStableJson(window!)))
};

/**
 * post_upgrade, before anything else: validates every stored setting and migrates the
 * schema to SCHEMA_VERSION. Returns the version it found.
 */
export function migrateStableSchema(nowSeconds: number): number {
  const migration = readOrTrap(() => planMigration(rawSetting, nowSeconds), STABLE_KEYS.schemaVersion);
  for (const key of migration.removes) removeSetting(key);
  for (const [key, value] of migration.writes) writeSetting(key, stableJson(value));
  for (const copy of Object.values(heap)) copy.forget();
  return migration.from;
}

/** init: a fresh canister starts at the current schema. */
export function storeSchemaVersion(): void {
  writeSetting(STABLE_KEYS.schemaVersion, stableJson(SCHEMA_VERSION));
}

/** Signing keys are derived under this version; rotate_keys moves it on. */
export function storedKeyVersion(): number {
  return heap.keyVersion.get();
}

export function storeKeyVersion(version: number): void {
  heap.keyVersion.set(version);
}

export function storedConfig(): Config | undefined {
  return heap.config.get();
}

export function storeConfig(config: Config): void {
  heap.config.set(config);
}

export function storedKeyRing(): KeyRing {
  return heap.keyRing.get();
}

export function storeKeyRing(ring: KeyRing): void {
  heap.keyRing.set(ring);
}

export function storedCounters(): Counters {
  return heap.counters.get();
}

export function storeCounters(counters: Counters): void {
  heap.counters.set(counters);
}

export function storedRotationLease(): RotationLease | undefined {
  return readSetting(STABLE_KEYS.rotationLease, readRotationLease);
}

export function storeRotationLease(lease: RotationLease): void {
  writeSetting(STABLE_KEYS.rotationLease, stableJson(lease));
}

export function releaseRotationLease(): void {
  removeSetting(STABLE_KEYS.rotationLease);
}

export function storedGlobalWindow(): GlobalWindow | undefined {
  return heap.globalWindow.get();
}

export function storeGlobalWindow(window: GlobalWindow): void {
  heap.globalWindow.set(window);
}

/** The raw_rand seed that makes jti values unpredictable (hex in storage). */
export function storedJtiSeed(): Uint8Array | undefined {
  return heap.jtiSeed.get();
}

export function storeJtiSeed(seed: Uint8Array): void {
  heap.jtiSeed.set(seed);
}

export function storedBucket(principal: string): Bucket | undefined {
  return readOrTrap(() => readBucket(decoded(buckets.get(keyBytes(principal))), principal), `bucket ${principal}`);
}

export function storeBucket(principal: string, bucket: Bucket): void {
  buckets.insert(keyBytes(principal), encodeText(plainStableJson(bucket)));
}

/** A map's entries from `start` on (at most `length`), keys and values decoded; traps naming the map if one is not JSON. */
function decodedItems(map: StableBTreeMap<Uint8Array, Uint8Array>, name: string, start?: number, length?: number): [string, unknown][] {
  return readOrTrap(() => map.items(start, length).map(([key, value]): [string, unknown] => [decodeKey(key), json.fromBytes(value)]), name);
}

/**
 * Forgets the full buckets among at most `pageSize` buckets, starting where the previous page
 * stopped (a cursor in stable memory), so one timer callback does bounded work however many
 * callers there are. `done` once the page reached the end of the map.
 */
export function pruneBucketPage(config: Config, nowMs: number, pageSize: number): { removed: number; done: boolean } {
  const cursor = readSetting(STABLE_KEYS.bucketPruneCursor, readBucketPruneCursor);
  const page = decodedItems(buckets, 'buckets', cursor, pageSize).map(
    ([principal, raw]) => [principal, readOrTrap(() => readBucket(raw, principal), `bucket ${principal}`)!] as const
  );
  const { remove, nextCursor, done } = planPrunePage(page, cursor, pageSize, config.rateLimit, nowMs);
  for (const caller of remove) buckets.remove(keyBytes(caller));
  writeSetting(STABLE_KEYS.bucketPruneCursor, stableJson(nextCursor));
  return { removed: remove.length, done };
}

export function storedClient(clientId: string): OidcClient | undefined {
  return readOrTrap(() => readClient(decoded(clients.get(keyBytes(clientId))), clientId), `client ${clientId}`);
}

export function storeClient(client: OidcClient): void {
  clients.insert(keyBytes(client.clientId), stableJson(client));
}

/** Whether a client was registered under `clientId` (and is now removed). */
export function removeClient(clientId: string): boolean {
  return clients.remove(keyBytes(clientId)) !== undefined;
}

/** Every registered client (at most CLIENT_BOUNDS.clientsMax). */
export function storedClients(): OidcClient[] {
  return decodedItems(clients, 'clients').map(([clientId, raw]) => readOrTrap(() => readClient(raw, clientId), `client ${clientId}`)!);
}

export function clientCount(): number {
  return Number(clients.len());
}

export function storeCode(key: string, code: StoredCode): void {
  codes.insert(keyBytes(key), stableJson(code));
}

export function storedCodeAt(key: string): StoredCode | undefined {
  return readOrTrap(() => readStoredCode(decoded(codes.get(keyBytes(key))), key), `code ${key.slice(0, 16)}`);
}

export function removeCode(key: string): void {
  codes.remove(keyBytes(key));
}

export function liveCodeCount(): number {
  return Number(codes.len());
}

/** Forgets the expired codes among at most `pageSize`, from where the previous page stopped. */
export function pruneCodePage(nowMs: number, pageSize: number): { removed: number; done: boolean } {
  const cursor = readSetting(STABLE_KEYS.codePruneCursor, readCodePruneCursor);
  const page = decodedItems(codes, 'codes', cursor, pageSize).map(
    ([key, raw]) => [key, readOrTrap(() => readStoredCode(raw, key), `code ${key.slice(0, 16)}`)!] as const
  );
  const { remove, nextCursor, done } = planPagePrune(page, cursor, pageSize, (code) => isExpired(code, nowMs));
  for (const key of remove) codes.remove(keyBytes(key));
  writeSetting(STABLE_KEYS.codePruneCursor, stableJson(nextCursor));
  return { removed: remove.length, done };
}

export function storedPairwiseSalt(): Uint8Array | undefined {
  return readSetting(STABLE_KEYS.pairwiseSalt, readPairwiseSalt);
}

/** Sets the salt once; a salt already stored is kept (a new one would change every pairwise subject). Returns the stored salt. */
export function storePairwiseSaltOnce(salt: Uint8Array): Uint8Array {
  const stored = storedPairwiseSalt();
  if (stored !== undefined) return stored;
  writeSetting(STABLE_KEYS.pairwiseSalt, stableJson(bytesToHex(salt)));
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
  writeSetting(STABLE_KEYS.codeEntropy, stableJson(pool.slice(0, -1)));
  return hexToBytes(taken);
}

/** Adds raw_rand outputs to the pool, up to CODE_ENTROPY_POOL_MAX. */
export function addCodeEntropy(outputs: Uint8Array[]): void {
  const pool = readSetting(STABLE_KEYS.codeEntropy, readCodeEntropy);
  writeSetting(STABLE_KEYS.codeEntropy, stableJson([...pool, ...outputs.map(bytesToHex)].slice(0, CODE_ENTROPY_POOL_MAX)));
}
