// The hot values' encoders against Azle's own stableJson (the bytes the previous releases wrote and read).
import { describe, expect, it } from 'vitest';

import { ed25519SigningKey, es256kSigningKey } from '../../src/backend/core/key_ring';
import { countersStableJson, plainStableJson } from '../../src/backend/core/stable_json';
import { ed25519TestKey } from '../support/ed25519_keys';
import { testKeyPair } from '../support/keys';

// Azle's own JSON (what StableJson uses); imported untyped: its sources do not pass this project's strict typecheck.
const { jsonParse, jsonStringify } = (await import('azle' as string)) as { jsonParse(text: string): unknown; jsonStringify(value: unknown): string };

const ec = { ...es256kSigningKey('dfx_test_key', 1, testKeyPair().compressedPublicKey), latestExpSeconds: 1_800_003_600 };
const ed = ed25519SigningKey('key_1', 3, ed25519TestKey().publicKey);

describe('stableJson without the replacer', () => {
  it.each([
    ['a bucket', { tokens: 2.75, updatedAtMs: 1_800_000_000_123 }],
    ['an emptied bucket', { tokens: 0, updatedAtMs: 0 }],
    ['the global window', { slots: [{ second: 1_800_000_000, count: 3 }, { second: 1_800_000_001, count: 1 }] }],
    ['an empty window', { slots: [] }],
    ['the key ring', { active: [ec, ed], pending: [{ key: { ...ed, keyVersion: 4 }, activateAtSeconds: 1_800_000_360 }], retired: [ec] }]
  ])('writes %s as Azle does', (_, value) => {
    expect(plainStableJson(value)).toBe(jsonStringify(value));
  });

  it.each([
    ['no counts', { tokensIssued: 0n, signaturesRequested: 0n, rejections: {} }],
    ['counts past 2^53', { tokensIssued: 2n ** 63n + 5n, signaturesRequested: 2n ** 64n - 1n, rejections: { RateLimited: 7n, 'token:invalid_grant': 1n } }]
  ])('writes counters with %s as Azle does, and Azle reads them back', (_, counters) => {
    const text = countersStableJson(counters);
    expect(text).toBe(jsonStringify(counters));
    expect(jsonParse(text)).toEqual(counters);
  });
});
