import { describe, expect, it } from 'vitest';

import { CONFIG_BOUNDS, defaultConfig } from '../../src/backend/core/config';
import { ed25519SigningKey, es256kSigningKey, type SigningKey } from '../../src/backend/core/key_ring';
import {
  planMigration,
  readBucket,
  readBucketPruneCursor,
  readClient,
  readCodeEntropy,
  readConfig,
  readPairwiseSalt,
  readStoredCode,
  readCounters,
  readGlobalWindow,
  readJtiSeed,
  readKeyRing,
  readKeyVersion,
  readRotationLease,
  readSchemaVersion,
  SCHEMA_VERSION,
  STABLE_KEYS,
  StableValueError
} from '../../src/backend/core/stable_schema';
import { ed25519TestKey } from '../support/ed25519_keys';
import { testKeyPair } from '../support/keys';

const ec = es256kSigningKey('dfx_test_key', 1, testKeyPair().compressedPublicKey);
const ed = ed25519SigningKey('dfx_test_key', 1, ed25519TestKey().publicKey);
/** A key as release ad0ff1f stored it: no latestExpSeconds. */
const legacy = (key: SigningKey): Omit<SigningKey, 'latestExpSeconds'> => {
  const { latestExpSeconds: _, ...rest } = key;
  return rest;
};
const config = defaultConfig('aaaaa-aa');
const counters = { tokensIssued: 3n, signaturesRequested: 4n, rejections: { RateLimited: 1n } };

function errorOf(read: () => unknown): StableValueError {
  try {
    read();
  } catch (error) {
    if (error instanceof StableValueError) return error;
    throw error;
  }
  throw new Error('the value was accepted');
}

describe('stable value validators', () => {
  it('accept what the canister writes', () => {
    expect(readConfig(config)).toEqual(config);
    expect(readCounters(counters)).toEqual(counters);
    expect(readKeyVersion(7)).toBe(7);
    expect(readKeyRing({ active: [ec], pending: [{ key: ed, activateAtSeconds: 9 }], retired: [] })).toEqual({
      active: [ec],
      pending: [{ key: ed, activateAtSeconds: 9 }],
      retired: []
    });
    expect(readRotationLease({ expiresAtSeconds: 5 })).toEqual({ expiresAtSeconds: 5 });
    expect(readBucket({ tokens: 2.5, updatedAtMs: 1000 }, 'p')).toEqual({ tokens: 2.5, updatedAtMs: 1000 });
    expect(readGlobalWindow({ slots: [{ second: 10, count: 2 }] })).toEqual({ slots: [{ second: 10, count: 2 }] });
    expect(readJtiSeed('ab'.repeat(32))).toEqual(new Uint8Array(32).fill(0xab));
    expect(readBucketPruneCursor(500)).toBe(500);
  });

  it('give the defaults for absent values', () => {
    expect(readSchemaVersion(undefined)).toBe(1);
    expect(readConfig(undefined)).toBeUndefined();
    expect(readCounters(undefined)).toEqual({ tokensIssued: 0n, signaturesRequested: 0n, rejections: {} });
    expect(readKeyVersion(undefined)).toBe(1);
    expect(readKeyRing(undefined)).toEqual({ active: [], pending: [], retired: [] });
    expect(readGlobalWindow(undefined)).toBeUndefined();
    expect(readJtiSeed(undefined)).toBeUndefined();
    expect(readBucketPruneCursor(undefined)).toBe(0);
  });

  it.each([
    ['counters', () => readCounters({ ...counters, tokensIssued: 3 })],
    ['counters', () => readCounters({ ...counters, signaturesRequested: -1n })],
    ['counters', () => readCounters({ ...counters, rejections: { RateLimited: 'x' } })],
    ['counters', () => readCounters('garbage')],
    ['keyVersion', () => readKeyVersion(0)],
    ['keyVersion', () => readKeyVersion(1.5)],
    ['config', () => readConfig({ ...config, cycleFloor: 5 })],
    ['config', () => readConfig({ ...config, maxTtlSeconds: -1 })],
    ['config', () => readConfig({ ...config, keyName: 'my_key' })],
    ['config', () => readConfig([])],
    ['keyRing', () => readKeyRing({ active: [legacy(ec)], pending: [], retired: [] })],
    ['keyRing', () => readKeyRing({ active: [ec, ec], pending: [], retired: [] })],
    ['keyRing', () => readKeyRing({ active: [{ ...ec, publicKeyHex: 'zz' }], pending: [], retired: [] })],
    ['keyRing', () => readKeyRing({ active: [], pending: [{ key: ec }], retired: [] })],
    ['schemaVersion', () => readSchemaVersion('2')],
    ['rotationLease', () => readRotationLease({ expiresAtSeconds: 'soon' })],
    ['bucket p', () => readBucket({ tokens: Number.NaN, updatedAtMs: 1 }, 'p')],
    ['globalSlidingWindow', () => readGlobalWindow({ minute: 5, count: 3 })],
    ['globalSlidingWindow', () => readGlobalWindow({ slots: [{ second: 1, count: 0 }] })],
    ['globalSlidingWindow', () => readGlobalWindow({ slots: Array.from({ length: 62 }, (_, i) => ({ second: i, count: 1 })) })],
    ['jtiSeed', () => readJtiSeed('ab'.repeat(31))],
    ['jtiSeed', () => readJtiSeed(new Uint8Array(32))],
    ['bucketPruneCursor', () => readBucketPruneCursor(-1)]
  ])('refuse a bad %s value, naming the key', (key, read) => {
    const error = errorOf(read);
    expect(error.key).toBe(key);
    expect(error.message).toContain(`stable memory key "${key}"`);
  });
});

describe('migrations', () => {
  const store = (entries: Record<string, unknown>) => (key: string) => entries[key];
  const now = 1_800_000_000;

  it('from the unversioned release (ad0ff1f): keeps every old key until a token of the longest TTL could expire', () => {
    const retiredEntry = { key: legacy(ed), removeAfterSeconds: now - 10 };
    const migration = planMigration(
      store({
        config,
        keyVersion: 2,
        counters,
        keyRing: { active: [legacy(ec)], retired: [retiredEntry] },
        globalWindow: { minute: 5, count: 3 }
      }),
      now
    );
    expect(migration.from).toBe(1);
    expect(migration.removes).toEqual([STABLE_KEYS.legacyGlobalWindow]);
    const writes = Object.fromEntries(migration.writes);
    expect(writes[STABLE_KEYS.schemaVersion]).toBe(SCHEMA_VERSION);
    expect(writes[STABLE_KEYS.config]).toEqual(config);
    const latestExpSeconds = now + CONFIG_BOUNDS.ttlSecondsMax;
    expect(writes[STABLE_KEYS.keyRing]).toEqual({
      active: [{ ...ec, latestExpSeconds }],
      pending: [],
      retired: [{ ...ed, latestExpSeconds }]
    });
    // What it writes, this release reads.
    expect(readKeyRing(writes[STABLE_KEYS.keyRing])).toEqual(writes[STABLE_KEYS.keyRing]);
  });

  it('from a ring stored before EdDSA (one active key or null)', () => {
    const ring = (active: unknown) =>
      Object.fromEntries(planMigration(store({ config, keyRing: { active, retired: [] } }), now).writes)[STABLE_KEYS.keyRing];
    expect(ring(null)).toEqual({ active: [], pending: [], retired: [] });
    expect(ring(legacy(ec))).toMatchObject({ active: [{ jwk: ec.jwk }] });
  });

  it('from schema 2: validates and only moves the version on (clients, codes and the OIDC settings start empty)', () => {
    const migration = planMigration(store({ schemaVersion: 2, config, counters, keyRing: { active: [ec], pending: [], retired: [] } }), now);
    expect(migration).toEqual({ from: 2, writes: [[STABLE_KEYS.schemaVersion, 3]], removes: [] });
  });

  it('reads the OIDC settings (pairwise salt, code entropy pool, prune cursor) and refuses bad ones, naming the key', () => {
    const hex = 'ab'.repeat(32);
    expect(readPairwiseSalt(hex)).toEqual(new Uint8Array(32).fill(0xab));
    expect(readPairwiseSalt(undefined)).toBeUndefined();
    expect(readCodeEntropy([hex, hex])).toEqual([hex, hex]);
    expect(readCodeEntropy(undefined)).toEqual([]);
    expect(errorOf(() => readPairwiseSalt('ab'.repeat(16))).key).toBe('pairwiseSalt');
    expect(errorOf(() => readCodeEntropy(Array.from({ length: 17 }, () => hex))).key).toBe('codeEntropy');
    expect(errorOf(() => readCodeEntropy(['xyz'])).key).toBe('codeEntropy');
    expect(errorOf(() => planMigration(store({ schemaVersion: 2, config, pairwiseSalt: 'no' }), now)).key).toBe('pairwiseSalt');
  });

  it('reads clients and codes as the canister stores them, and refuses a client whose redirect URI is not of its kind', () => {
    const client = { clientId: 'app', kind: 'Native', redirectUris: ['http://127.0.0.1/cb'], idTokenAlgorithm: 'EdDSA', accessTokenAudience: 'api', subjectType: 'Public' };
    expect(readClient(client, 'app')).toEqual(client);
    expect(errorOf(() => readClient(client, 'other')).key).toBe('client other');
    expect(errorOf(() => readClient({ ...client, kind: 'Web' }, 'app')).key).toBe('client app');
    const code = { principal: 'aaaaa-aa', clientId: 'app', redirectUri: 'http://127.0.0.1:1/cb', codeChallenge: 'c', nonce: 'n', scope: 'openid', authTimeSeconds: 1, expiresAtMs: 2 };
    expect(readStoredCode(code, 'k')).toEqual(code);
    expect(errorOf(() => readStoredCode({ ...code, expiresAtMs: -1 }, 'k')).key).toBe('code k');
  });

  it('at the current version: validates and writes nothing', () => {
    const migration = planMigration(store({ schemaVersion: SCHEMA_VERSION, config, counters, keyRing: { active: [ec], pending: [], retired: [] } }), now);
    expect(migration).toEqual({ from: SCHEMA_VERSION, writes: [], removes: [] });
  });

  it('refuses a value it cannot read before computing anything, naming the key', () => {
    expect(errorOf(() => planMigration(store({ config, counters: { tokensIssued: 'x' } }), now)).key).toBe('counters');
    expect(errorOf(() => planMigration(store({ config, keyRing: { active: [{ alg: 'HS256' }], retired: [] } }), now)).key).toBe('keyRing');
    expect(errorOf(() => planMigration(store({ schemaVersion: SCHEMA_VERSION, keyRing: { active: [legacy(ec)], retired: [] } }), now)).key).toBe('keyRing');
  });

  it('refuses a schema newer than this release (a downgrade)', () => {
    const error = errorOf(() => planMigration(store({ schemaVersion: SCHEMA_VERSION + 1 }), now));
    expect(error.key).toBe('schemaVersion');
    expect(error.message).toMatch(/newer than this release/);
  });
});
