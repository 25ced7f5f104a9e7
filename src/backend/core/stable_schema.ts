// The stable-memory schema: the keys of the settings map, a validator for every value the
// canister reads back, and the migrations post_upgrade runs from each earlier schema version.
// Security: a value the code cannot read stops the upgrade (or the call) with a message naming
// the key, before anything is paid for or overwritten; nothing is guessed from a bad value.
import { isJwsAlgorithm } from './algorithms';
import { hexToBytes } from './bytes';
import { CONFIG_BOUNDS, configFromStored, validateConfig, type Config } from './config';
import { isKeyName } from './fees';
import { FIRST_KEY_VERSION, type KeyRing, type PendingKey, type SigningKey } from './key_ring';
import { CLIENT_BOUNDS, isClientId, type OidcClient } from './oidc/clients';
import { CODE_BYTES, type StoredCode } from './oidc/codes';
import { PAIRWISE_SALT_BYTES } from './oidc/pairwise';
import { describeRedirectUriProblem } from './oidc/redirect_uri';
import { GLOBAL_WINDOW_SLOTS, type Bucket, type GlobalWindow } from './rate_limit';

/**
 * 1 was the unversioned layout of release ad0ff1f (no `schemaVersion` key); 2 added the key
 * ring's expiries and the sliding window; 3 added the OpenID clients (memory 2), the
 * authorization codes (memory 3), the pairwise salt and the code entropy pool.
 */
export const SCHEMA_VERSION = 3;
export const UNVERSIONED_SCHEMA = 1;

/**
 * The keys of the settings map (StableBTreeMap memory 0). Per-caller buckets live in memory 1,
 * keyed by principal; OpenID clients in memory 2, keyed by client id; authorization codes in
 * memory 3, keyed by the hex SHA-256 of the code.
 */
export const STABLE_KEYS = {
  schemaVersion: 'schemaVersion',
  config: 'config',
  keyVersion: 'keyVersion',
  keyRing: 'keyRing',
  counters: 'counters',
  rotationLease: 'rotationLease',
  /** The global limit's sliding window of one-second slots. */
  globalWindow: 'globalSlidingWindow',
  /** Schema 1's minute counter of the global limit ({ minute, count }); dropped by the migration to 2. */
  legacyGlobalWindow: 'globalWindow',
  /** 32 bytes from raw_rand, hex: what makes jti values unpredictable. */
  jtiSeed: 'jtiSeed',
  /** Where the next page of bucket pruning starts (an index into the bucket map). */
  bucketPruneCursor: 'bucketPruneCursor',
  /** 32 bytes from raw_rand, hex, set once: the key of every pairwise subject. */
  pairwiseSalt: 'pairwiseSalt',
  /** raw_rand outputs (hex) not used yet, each to become one authorization code. */
  codeEntropy: 'codeEntropy',
  /** Where the next page of code pruning starts (an index into the code map). */
  codePruneCursor: 'codePruneCursor'
} as const;

/** Unused raw_rand outputs kept for authorization codes, at most. */
export const CODE_ENTROPY_POOL_MAX = 16;

export interface Counters {
  tokensIssued: bigint;
  /** Also the sequence number that makes each jti unique. */
  signaturesRequested: bigint;
  rejections: Record<string, bigint>;
}

export const ZERO_COUNTERS: Counters = { tokensIssued: 0n, signaturesRequested: 0n, rejections: {} };

/** Held while rotate_keys awaits the management canister; a later rotation may take it over once it has expired. */
export interface RotationLease {
  expiresAtSeconds: number;
}

export class StableValueError extends Error {
  readonly code = 'ERR_STABLE_VALUE';
  constructor(
    readonly key: string,
    readonly reason: string
  ) {
    super(`jwt_issuer: stable memory key "${key}" holds a value this release cannot read: ${reason}`);
  }
}

type Check = (condition: boolean, reason: string) => asserts condition;

function checker(key: string): Check {
  return (condition, reason) => {
    if (!condition) throw new StableValueError(key, reason);
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isWholeNumber = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

const isCount = (value: unknown): value is bigint => typeof value === 'bigint' && value >= 0n && value < 2n ** 64n;

const U32_MAX = 2 ** 32 - 1;

export function readSchemaVersion(raw: unknown): number {
  if (raw === undefined) return UNVERSIONED_SCHEMA;
  const check: Check = checker(STABLE_KEYS.schemaVersion);
  check(isWholeNumber(raw, UNVERSIONED_SCHEMA + 1, U32_MAX), `expected a schema version of at least ${UNVERSIONED_SCHEMA + 1}`);
  return raw;
}

export function readConfig(raw: unknown): Config | undefined {
  if (raw === undefined) return undefined;
  const check: Check = checker(STABLE_KEYS.config);
  check(isRecord(raw), 'expected a config record');
  check(typeof raw['cycleFloor'] === 'bigint', 'cycleFloor is not a bigint');
  check(isRecord(raw['rateLimit']), 'rateLimit is not a record');
  check(Array.isArray(raw['audiences']), 'audiences is not a list');
  check(raw['algorithms'] === undefined || Array.isArray(raw['algorithms']), 'algorithms is not a list');
  const config = configFromStored(raw as Parameters<typeof configFromStored>[0]);
  try {
    validateConfig(config);
  } catch (error) {
    throw new StableValueError(STABLE_KEYS.config, error instanceof Error ? error.message : String(error));
  }
  return config;
}

export function readKeyVersion(raw: unknown): number {
  if (raw === undefined) return FIRST_KEY_VERSION;
  const check: Check = checker(STABLE_KEYS.keyVersion);
  check(isWholeNumber(raw, FIRST_KEY_VERSION, U32_MAX), `expected a whole number from ${FIRST_KEY_VERSION} to ${U32_MAX}`);
  return raw;
}

export function readCounters(raw: unknown): Counters {
  if (raw === undefined) return ZERO_COUNTERS;
  const check: Check = checker(STABLE_KEYS.counters);
  check(isRecord(raw), 'expected a counters record');
  check(isCount(raw['tokensIssued']), 'tokensIssued is not a u64 bigint');
  check(isCount(raw['signaturesRequested']), 'signaturesRequested is not a u64 bigint');
  const rejections = raw['rejections'];
  check(isRecord(rejections), 'rejections is not a record');
  for (const [reason, count] of Object.entries(rejections)) check(isCount(count), `rejections.${reason} is not a u64 bigint`);
  return { tokensIssued: raw['tokensIssued'], signaturesRequested: raw['signaturesRequested'], rejections: rejections as Record<string, bigint> };
}

export function readRotationLease(raw: unknown): RotationLease | undefined {
  if (raw === undefined) return undefined;
  const check: Check = checker(STABLE_KEYS.rotationLease);
  check(isRecord(raw) && isWholeNumber(raw['expiresAtSeconds'], 0, Number.MAX_SAFE_INTEGER), 'expected { expiresAtSeconds }');
  return { expiresAtSeconds: raw['expiresAtSeconds'] };
}

export function readGlobalWindow(raw: unknown): GlobalWindow | undefined {
  if (raw === undefined) return undefined;
  const check: Check = checker(STABLE_KEYS.globalWindow);
  check(isRecord(raw) && Array.isArray(raw['slots']), 'expected { slots }');
  const slots: unknown[] = raw['slots'];
  check(slots.length <= GLOBAL_WINDOW_SLOTS, `expected at most ${GLOBAL_WINDOW_SLOTS} slots; found ${slots.length}`);
  slots.forEach((slot, i) => {
    check(
      isRecord(slot) && isWholeNumber(slot['second'], 0, Number.MAX_SAFE_INTEGER) && isWholeNumber(slot['count'], 1, U32_MAX),
      `slots[${i}] is not { second, count }`
    );
  });
  return { slots: slots as GlobalWindow['slots'] };
}

export function readJtiSeed(raw: unknown): Uint8Array | undefined {
  if (raw === undefined) return undefined;
  const check: Check = checker(STABLE_KEYS.jtiSeed);
  check(typeof raw === 'string' && /^[0-9a-f]{64}$/.test(raw), 'expected 32 bytes as lowercase hex');
  return hexToBytes(raw);
}

function readCursor(key: string, raw: unknown): number {
  if (raw === undefined) return 0;
  const check: Check = checker(key);
  check(isWholeNumber(raw, 0, Number.MAX_SAFE_INTEGER), 'expected a whole number');
  return raw;
}

export function readBucketPruneCursor(raw: unknown): number {
  return readCursor(STABLE_KEYS.bucketPruneCursor, raw);
}

export function readCodePruneCursor(raw: unknown): number {
  return readCursor(STABLE_KEYS.codePruneCursor, raw);
}

export function readPairwiseSalt(raw: unknown): Uint8Array | undefined {
  if (raw === undefined) return undefined;
  const check: Check = checker(STABLE_KEYS.pairwiseSalt);
  check(typeof raw === 'string' && new RegExp(`^[0-9a-f]{${2 * PAIRWISE_SALT_BYTES}}$`).test(raw), `expected ${PAIRWISE_SALT_BYTES} bytes as lowercase hex`);
  return hexToBytes(raw);
}

export function readCodeEntropy(raw: unknown): string[] {
  if (raw === undefined) return [];
  const check: Check = checker(STABLE_KEYS.codeEntropy);
  check(Array.isArray(raw) && raw.length <= CODE_ENTROPY_POOL_MAX, `expected a list of at most ${CODE_ENTROPY_POOL_MAX} entries`);
  const pattern = new RegExp(`^[0-9a-f]{${2 * CODE_BYTES}}$`);
  raw.forEach((entry: unknown, i) => check(typeof entry === 'string' && pattern.test(entry), `[${i}] is not ${CODE_BYTES} bytes as lowercase hex`));
  return raw as string[];
}

const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;

/** A registered client; `clientId` (its map key) names the entry in messages. */
export function readClient(raw: unknown, clientId: string): OidcClient | undefined {
  if (raw === undefined) return undefined;
  const check: Check = checker(`client ${clientId}`);
  check(isRecord(raw), 'expected a client record');
  check(raw['clientId'] === clientId && isClientId(clientId), 'clientId is not its key');
  check(raw['kind'] === 'Native' || raw['kind'] === 'Web', 'kind is not Native or Web');
  const uris = raw['redirectUris'];
  check(Array.isArray(uris) && uris.length >= 1 && uris.length <= CLIENT_BOUNDS.redirectUrisMax, 'redirectUris is not a list of 1 to 10');
  uris.forEach((uri: unknown, i) => check(typeof uri === 'string' && describeRedirectUriProblem(raw['kind'] as OidcClient['kind'], uri) === undefined, `redirectUris[${i}] is not a redirect URI of its kind`));
  check(typeof raw['idTokenAlgorithm'] === 'string' && isJwsAlgorithm(raw['idTokenAlgorithm']), 'idTokenAlgorithm is not a known algorithm');
  check(isText(raw['accessTokenAudience'], CLIENT_BOUNDS.audienceMaxLength) && raw['accessTokenAudience'] !== '', 'accessTokenAudience is not an audience');
  check(raw['subjectType'] === 'Public' || raw['subjectType'] === 'Pairwise', 'subjectType is not Public or Pairwise');
  return raw as unknown as OidcClient;
}

/** An authorization code's record; `key` (its map key) names the entry in messages. */
export function readStoredCode(raw: unknown, key: string): StoredCode | undefined {
  if (raw === undefined) return undefined;
  const check: Check = checker(`code ${key.slice(0, 16)}`);
  check(isRecord(raw), 'expected a code record');
  for (const field of ['principal', 'clientId', 'redirectUri', 'codeChallenge', 'nonce', 'scope'] as const) {
    check(isText(raw[field], 1024), `${field} is not text`);
  }
  check(isWholeNumber(raw['authTimeSeconds'], 0, Number.MAX_SAFE_INTEGER), 'authTimeSeconds is not a time in seconds');
  check(isWholeNumber(raw['expiresAtMs'], 0, Number.MAX_SAFE_INTEGER), 'expiresAtMs is not a time in milliseconds');
  return raw as unknown as StoredCode;
}

/** A per-caller bucket; `principal` names the entry in messages. */
export function readBucket(raw: unknown, principal: string): Bucket | undefined {
  if (raw === undefined) return undefined;
  const check: Check = checker(`bucket ${principal}`);
  check(isRecord(raw), 'expected { tokens, updatedAtMs }');
  const { tokens, updatedAtMs } = raw;
  check(typeof tokens === 'number' && Number.isFinite(tokens) && tokens >= 0, 'tokens is not a non-negative number');
  check(isWholeNumber(updatedAtMs, 0, Number.MAX_SAFE_INTEGER), 'updatedAtMs is not a time in milliseconds');
  return { tokens, updatedAtMs };
}

/** Checks a key's fields; `latestExpSeconds` only in the current schema (schema 1 did not record it). */
function checkSigningKeyFields(check: Check, raw: unknown, where: string): asserts raw is Record<string, unknown> {
  check(isRecord(raw), `${where} is not a key record`);
  check(typeof raw['alg'] === 'string' && isJwsAlgorithm(raw['alg']), `${where}.alg is not a known algorithm`);
  check(typeof raw['keyName'] === 'string' && isKeyName(raw['keyName']), `${where}.keyName is not a known key name`);
  check(isWholeNumber(raw['keyVersion'], FIRST_KEY_VERSION, U32_MAX), `${where}.keyVersion is not a key version`);
  const hexLength = raw['alg'] === 'ES256K' ? 66 : 64;
  check(typeof raw['publicKeyHex'] === 'string' && new RegExp(`^[0-9a-f]{${hexLength}}$`).test(raw['publicKeyHex']), `${where}.publicKeyHex is not a public key`);
  const jwk = raw['jwk'];
  check(isRecord(jwk) && typeof jwk['kid'] === 'string' && jwk['alg'] === raw['alg'], `${where}.jwk is not this key's JWK`);
}

function readSigningKey(check: Check, raw: unknown, where: string): SigningKey {
  checkSigningKeyFields(check, raw, where);
  check(isWholeNumber(raw['latestExpSeconds'], 0, Number.MAX_SAFE_INTEGER), `${where}.latestExpSeconds is not a time in seconds`);
  return raw as unknown as SigningKey;
}

function checkOnePerAlgorithm(check: Check, keys: SigningKey[], list: string): void {
  check(new Set(keys.map((key) => key.alg)).size === keys.length, `${list} has two keys of one algorithm`);
}

export function readKeyRing(raw: unknown): KeyRing {
  const check: Check = checker(STABLE_KEYS.keyRing);
  if (raw === undefined) return { active: [], pending: [], retired: [] };
  check(isRecord(raw), 'expected { active, pending, retired }');
  const { active, pending, retired } = raw;
  check(Array.isArray(active) && Array.isArray(pending) && Array.isArray(retired), 'expected { active, pending, retired } lists');
  const ring: KeyRing = {
    active: active.map((key: unknown, i: number) => readSigningKey(check, key, `active[${i}]`)),
    pending: pending.map((entry: unknown, i: number): PendingKey => {
      check(isRecord(entry) && isWholeNumber(entry['activateAtSeconds'], 0, Number.MAX_SAFE_INTEGER), `pending[${i}] lacks activateAtSeconds`);
      return { key: readSigningKey(check, entry['key'], `pending[${i}].key`), activateAtSeconds: entry['activateAtSeconds'] };
    }),
    retired: retired.map((key: unknown, i: number) => readSigningKey(check, key, `retired[${i}]`))
  };
  checkOnePerAlgorithm(check, ring.active, 'active');
  checkOnePerAlgorithm(check, ring.pending.map((entry) => entry.key), 'pending');
  return ring;
}

/**
 * Schema 1's ring: `active` a list of keys (before EdDSA: one ES256K key or null), `retired`
 * entries `{ key, removeAfterSeconds }`, and no record of the tokens each key signed.
 */
function readUnversionedKeyRing(raw: unknown): { active: Record<string, unknown>[]; retired: Record<string, unknown>[] } {
  const check: Check = checker(STABLE_KEYS.keyRing);
  if (raw === undefined || raw === null) return { active: [], retired: [] };
  check(isRecord(raw), 'expected { active, retired }');
  const active: unknown[] = Array.isArray(raw['active']) ? raw['active'] : raw['active'] === null ? [] : [raw['active']];
  const retired = raw['retired'];
  check(Array.isArray(retired), 'retired is not a list');
  active.forEach((key, i) => checkSigningKeyFields(check, key, `active[${i}]`));
  retired.forEach((entry: unknown, i: number) => {
    check(isRecord(entry) && isWholeNumber(entry['removeAfterSeconds'], 0, Number.MAX_SAFE_INTEGER), `retired[${i}] lacks removeAfterSeconds`);
    checkSigningKeyFields(check, entry['key'], `retired[${i}].key`);
  });
  return {
    active: active as Record<string, unknown>[],
    retired: (retired as Record<string, unknown>[]).map((entry) => entry['key'] as Record<string, unknown>)
  };
}

/**
 * Schema 1 did not record which tokens a key signed, and the bug it had (retirement by the
 * max_ttl_seconds of the day) means its removal times cannot be trusted. Every token it
 * signed was signed before now and lives at most the longest TTL any config allows, so each
 * of its keys is kept until then.
 */
function keyRingFromUnversioned(legacy: ReturnType<typeof readUnversionedKeyRing>, nowSeconds: number): KeyRing {
  const latestExpSeconds = nowSeconds + CONFIG_BOUNDS.ttlSecondsMax;
  const upgrade = (key: Record<string, unknown>): SigningKey => ({ ...(key as unknown as SigningKey), latestExpSeconds });
  const active = legacy.active.map(upgrade);
  const activeKids = new Set(active.map((key) => key.jwk.kid));
  return { active, pending: [], retired: legacy.retired.map(upgrade).filter((key) => !activeKids.has(key.jwk.kid)) };
}

/** What post_upgrade writes and removes, computed from values read (and validated) beforehand. */
export interface Migration {
  from: number;
  writes: [key: string, value: unknown][];
  removes: string[];
}

/**
 * Validates every settings value the stored schema has and computes the migration to
 * SCHEMA_VERSION. Throws StableValueError (naming the key) on anything unreadable, and for a
 * schema newer than this release (a downgrade would lose what it does not know).
 */
export function planMigration(read: (key: string) => unknown, nowSeconds: number): Migration {
  const from = readSchemaVersion(read(STABLE_KEYS.schemaVersion));
  if (from > SCHEMA_VERSION) {
    throw new StableValueError(STABLE_KEYS.schemaVersion, `schema ${from} is newer than this release's ${SCHEMA_VERSION}; upgrade to a newer release instead`);
  }
  const config = readConfig(read(STABLE_KEYS.config));
  readKeyVersion(read(STABLE_KEYS.keyVersion));
  readCounters(read(STABLE_KEYS.counters));
  if (from === UNVERSIONED_SCHEMA) {
    const ring = keyRingFromUnversioned(readUnversionedKeyRing(read(STABLE_KEYS.keyRing)), nowSeconds);
    return {
      from,
      writes: [
        ...(config === undefined ? [] : ([[STABLE_KEYS.config, config]] as [string, unknown][])),
        [STABLE_KEYS.keyRing, ring],
        [STABLE_KEYS.schemaVersion, SCHEMA_VERSION]
      ],
      removes: [STABLE_KEYS.legacyGlobalWindow]
    };
  }
  readKeyRing(read(STABLE_KEYS.keyRing));
  readRotationLease(read(STABLE_KEYS.rotationLease));
  readGlobalWindow(read(STABLE_KEYS.globalWindow));
  readJtiSeed(read(STABLE_KEYS.jtiSeed));
  readBucketPruneCursor(read(STABLE_KEYS.bucketPruneCursor));
  readPairwiseSalt(read(STABLE_KEYS.pairwiseSalt));
  readCodeEntropy(read(STABLE_KEYS.codeEntropy));
  readCodePruneCursor(read(STABLE_KEYS.codePruneCursor));
  // Schema 3 only added keys and maps that start empty.
  return { from, writes: from === SCHEMA_VERSION ? [] : [[STABLE_KEYS.schemaVersion, SCHEMA_VERSION]], removes: [] };
}
