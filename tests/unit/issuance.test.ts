import { describe, expect, it } from 'vitest';

import { base64UrlDecode } from '../../src/backend/core/base64url';
import { applyConfigInput, defaultConfig } from '../../src/backend/core/config';
import { signingFee } from '../../src/backend/core/fees';
import { ANONYMOUS_PRINCIPAL, completeIssuance, planIssuance, type IssuanceContext } from '../../src/backend/core/issuance';
import { activateKey, EMPTY_KEY_RING, es256kSigningKey } from '../../src/backend/core/key_ring';
import type { Bucket, GlobalWindow } from '../../src/backend/core/rate_limit';
import { signDigest, testKeyPair } from '../support/keys';

const CANISTER = 'bkyz2-fmaaa-aaaaa-qaaaq-cai';
const CALLER = 'xkbqi-2qaaa-aaaah-qbpqq-cai';
const NOW = 1_800_000_000_123_456_789n;
const { secretKey, compressedPublicKey } = testKeyPair();
const key = es256kSigningKey('test_key_1', 1, compressedPublicKey);
const config = applyConfigInput(defaultConfig(CANISTER), {
  keyName: 'test_key_1',
  rateLimit: { capacity: 2, refillIntervalSeconds: 30 },
  globalLimitPerMinute: 100,
  cycleFloor: 1_000_000_000_000n,
  allowedExtraClaims: ['room']
});
const SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

function context(overrides: Partial<IssuanceContext> = {}): IssuanceContext {
  return {
    config,
    keyRing: activateKey(EMPTY_KEY_RING, key),
    caller: CALLER,
    options: {},
    nowNanos: NOW,
    cycleBalance: 10n ** 14n,
    callerBucket: undefined,
    globalWindow: undefined,
    sequence: 41n,
    jtiSeed: SEED,
    ...overrides
  };
}

function jtiOf(issuance: IssuanceContext): string {
  const planned = planIssuance(issuance);
  if (!planned.ok) throw new Error(planned.error.kind);
  return String(payloadOf(`${planned.value.signingInput}.`).jti);
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64UrlDecode(token.split('.')[1]!)));
}

describe('planning one token', () => {
  it('never issues to the anonymous principal, whatever else is asked (invariant 1)', () => {
    expect(planIssuance(context({ caller: ANONYMOUS_PRINCIPAL }))).toEqual({ ok: false, error: { kind: 'AnonymousCaller' } });
    expect(planIssuance(context({ caller: ANONYMOUS_PRINCIPAL, options: { audience: 'x', extraClaims: '{"sub":"y"}' } }))).toEqual({
      ok: false,
      error: { kind: 'AnonymousCaller' }
    });
  });

  it('signs for the caller only: no option moves sub, iss, iat, nbf or exp beyond policy (invariant 2)', () => {
    const attempts = [
      { extraClaims: '{"sub":"someone-else"}' },
      { extraClaims: '{"iss":"https://evil"}' },
      { extraClaims: '{"exp":99999999999}' },
      { extraClaims: '{"iat":0}' },
      { extraClaims: '{"nbf":0}' },
      { extraClaims: '{"jti":"mine"}' },
      { ttlSeconds: config.maxTtlSeconds + 1 },
      { audience: 'not-allowed' }
    ];
    for (const options of attempts) expect(planIssuance(context({ options })).ok).toBe(false);

    const planned = planIssuance(context({ options: { ttlSeconds: 120, extraClaims: '{"room":"chat"}' } }));
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    const payload = payloadOf(completeIssuance(planned.value, signDigest(planned.value.message, secretKey)).token);
    const iat = Number(NOW / 1_000_000_000n);
    expect(payload).toMatchObject({ sub: CALLER, iss: config.issuer, iat, nbf: iat, exp: iat + 120, room: 'chat' });
  });

  it('waits for the signing key', () => {
    expect(planIssuance(context({ keyRing: EMPTY_KEY_RING }))).toEqual({
      ok: false,
      error: { kind: 'SigningKeyNotReady', algorithm: 'ES256K', status: { kind: 'Fetching' } }
    });
  });

  it('waits for the jti seed from raw_rand, after checking the options', () => {
    expect(planIssuance(context({ jtiSeed: undefined }))).toEqual({
      ok: false,
      error: { kind: 'SigningKeyNotReady', algorithm: 'ES256K', status: { kind: 'Fetching' } }
    });
    expect(planIssuance(context({ jtiSeed: undefined, options: { extraClaims: '{"role":"x"}' } }))).toMatchObject({
      ok: false,
      error: { kind: 'ClaimsInvalid' }
    });
  });

  it('reports bad options before a missing key', () => {
    expect(planIssuance(context({ keyRing: EMPTY_KEY_RING, options: { ttlSeconds: 1 } }))).toMatchObject({
      ok: false,
      error: { kind: 'TtlOutOfRange' }
    });
  });

  it('stops before the balance would drop under the floor', () => {
    const fee = signingFee('test_key_1');
    const floor = config.cycleFloor;
    expect(planIssuance(context({ cycleBalance: floor + fee - 1n }))).toEqual({
      ok: false,
      error: { kind: 'CyclesBelowFloor', balance: floor + fee - 1n, floor, fee }
    });
    expect(planIssuance(context({ cycleBalance: floor + fee })).ok).toBe(true);
  });

  it('attaches the fee of the key that signs', () => {
    const planned = planIssuance(context());
    expect(planned.ok && planned.value.fee).toBe(10_000_000_000n);
    const key1 = es256kSigningKey('key_1', 1, compressedPublicKey);
    const planned1 = planIssuance(context({ keyRing: activateKey(EMPTY_KEY_RING, key1) }));
    expect(planned1.ok && planned1.value.fee).toBe(26_153_846_153n);
  });

  it('spends at most the rate limit in signatures (invariant 5)', () => {
    let bucket: Bucket | undefined;
    let window: GlobalWindow | undefined;
    let sequence = 0n;
    let admitted = 0;
    let cyclesCommitted = 0n;
    for (let i = 0; i < 50; i++) {
      const planned = planIssuance(context({ callerBucket: bucket, globalWindow: window, sequence }));
      if (!planned.ok) {
        expect(planned.error).toMatchObject({ kind: 'RateLimited', scope: 'Caller', retryAfterSeconds: 30 });
        continue;
      }
      admitted++;
      cyclesCommitted += planned.value.fee;
      ({ callerBucket: bucket, globalWindow: window, sequence } = planned.value);
    }
    expect(admitted).toBe(2);
    expect(cyclesCommitted).toBe(2n * signingFee('test_key_1'));
  });

  it('gives every token its own jti', () => {
    const ids = new Set<unknown>();
    let sequence = 0n;
    for (let i = 0; i < 100; i++) {
      const planned = planIssuance(context({ sequence }));
      if (!planned.ok) throw new Error(planned.error.kind);
      sequence = planned.value.sequence;
      ids.add(payloadOf(`${planned.value.signingInput}.`).jti);
    }
    expect(ids.size).toBe(100);
    expect(sequence).toBe(100n);
  });

  it('makes the jti SHA-256(seed || sequence as u64 big-endian), first 128 bits, base64url', async () => {
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256')
      .update(SEED)
      .update(Buffer.from('0000000000000029', 'hex'))
      .digest()
      .subarray(0, 16)
      .toString('base64url');
    expect(jtiOf(context())).toBe(expected);
    expect(expected).toHaveLength(22);
  });

  it('leaks neither the issue count nor the time: the jti holds no sequence or clock bytes', () => {
    const early = jtiOf(context({ sequence: 0n, nowNanos: NOW }));
    const later = jtiOf(context({ sequence: 1n, nowNanos: NOW }));
    const sameSequenceLater = jtiOf(context({ sequence: 0n, nowNanos: NOW + 3_600_000_000_000n }));
    // Same seed and sequence, another time: the same jti, so no time is in it.
    expect(sameSequenceLater).toBe(early);
    // Consecutive sequences share no prefix a reader could count with (today's jti was time || sequence).
    expect(Buffer.from(early, 'base64url').subarray(0, 8).equals(Buffer.from(later, 'base64url').subarray(0, 8))).toBe(false);
    for (const jti of [early, later]) {
      const bytes = Buffer.from(jti, 'base64url');
      expect(bytes.includes(Buffer.from('0000000000000001', 'hex'))).toBe(false);
      expect(bytes.includes(Buffer.from(NOW.toString(16).padStart(16, '0'), 'hex'))).toBe(false);
    }
    // Another seed, the same sequence: unrelated values.
    expect(jtiOf(context({ sequence: 0n, jtiSeed: new Uint8Array(32) }))).not.toBe(early);
  });

  it('signs the SHA-256 of the signing input under the active kid', async () => {
    const planned = planIssuance(context());
    if (!planned.ok) throw new Error(planned.error.kind);
    const { createHash } = await import('node:crypto');
    expect(Buffer.from(planned.value.message).equals(createHash('sha256').update(planned.value.signingInput).digest())).toBe(true);
    const header = JSON.parse(Buffer.from(planned.value.signingInput.split('.')[0]!, 'base64url').toString());
    expect(header.kid).toBe(key.jwk.kid);
  });
});
