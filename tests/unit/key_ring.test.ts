import { describe, expect, it } from 'vitest';

import { bytesToHex } from '../../src/backend/core/bytes';
import { JWKS_MAX_AGE_SECONDS } from '../../src/backend/core/http';
import {
  activateKey,
  activeKey,
  advanceKeyRing,
  derivationPath,
  EMPTY_KEY_RING,
  es256kSigningKey,
  introduceKey,
  KEY_PREPUBLICATION_SECONDS,
  nextKeyRingEventSeconds,
  publishedKeys,
  recordSignedExpiry,
  retireDisabled,
  RETIREMENT_MARGIN_SECONDS,
  VERIFIER_REFRESH_COOLDOWN_SECONDS
} from '../../src/backend/core/key_ring';
import { isLeaseHeld, newLease, ROTATION_LEASE_SECONDS } from '../../src/backend/core/rotation_lease';
import { resolveOptions } from '../../packages/verifier/src/options';
import { testKeyPair } from '../support/keys';

const keyA = es256kSigningKey('dfx_test_key', 1, testKeyPair().compressedPublicKey);
const keyB = es256kSigningKey('key_1', 1, testKeyPair().compressedPublicKey);
const kids = (ring: Parameters<typeof publishedKeys>[0]): string[] => publishedKeys(ring).map((jwk) => jwk.kid);

describe('key ring', () => {
  it('derives keys under a versioned path', () => {
    expect(derivationPath('ES256K', 1).map(bytesToHex)).toEqual(['69632d6a7774', '45533235364b', '00000001']);
    expect(bytesToHex(derivationPath('ES256K', 258)[2]!)).toBe('00000102');
  });

  it('signs with the first key of an algorithm at once: no token can be outstanding', () => {
    const ring = introduceKey(EMPTY_KEY_RING, keyA, 1000);
    expect(activeKey(ring, 'ES256K')).toEqual(keyA);
    expect(publishedKeys(ring)).toEqual([keyA.jwk]);
  });

  it('is idempotent when the same key is fetched again (every upgrade refetches)', () => {
    const ring = introduceKey(introduceKey(EMPTY_KEY_RING, keyA, 1000), keyA, 2000);
    expect(ring).toEqual({ active: [keyA], pending: [], retired: [] });
  });

  it('publishes a replacement first and signs with it only after the pre-publication delay', () => {
    const ring = introduceKey(introduceKey(EMPTY_KEY_RING, keyA, 1000), keyB, 2000);
    expect(activeKey(ring, 'ES256K')).toEqual(keyA);
    expect(kids(ring)).toEqual([keyA.jwk.kid, keyB.jwk.kid]);
    expect(nextKeyRingEventSeconds(ring)).toBe(2000 + KEY_PREPUBLICATION_SECONDS);
    expect(advanceKeyRing(ring, 2000 + KEY_PREPUBLICATION_SECONDS - 1)).toBe(ring);
    const activated = advanceKeyRing(ring, 2000 + KEY_PREPUBLICATION_SECONDS);
    expect(activeKey(activated, 'ES256K')?.jwk.kid).toBe(keyB.jwk.kid);
    expect(activated.pending).toEqual([]);
  });

  it('waits out the JWKS max-age and the verifier refetch cooldown (plus a margin) before signing with a new key', () => {
    expect(KEY_PREPUBLICATION_SECONDS).toBeGreaterThan(JWKS_MAX_AGE_SECONDS + VERIFIER_REFRESH_COOLDOWN_SECONDS);
    // The cooldown named here is our verifier's default.
    const verifier = resolveOptions({ issuer: 'https://aaaaa-aa.icp0.io', audience: 'x' });
    expect(verifier.cache.refreshCooldownSeconds).toBe(VERIFIER_REFRESH_COOLDOWN_SECONDS);
  });

  it('keeps a retired key until the latest exp it signed plus the margin, whatever the TTL policy is now', () => {
    let ring = introduceKey(EMPTY_KEY_RING, keyA, 0);
    // A 30-day token, then a short one: the latest exp wins.
    ring = recordSignedExpiry(ring, keyA.jwk.kid, 30 * 86400);
    ring = recordSignedExpiry(ring, keyA.jwk.kid, 3600);
    ring = advanceKeyRing(introduceKey(ring, keyB, 100), 100 + KEY_PREPUBLICATION_SECONDS);
    expect(ring.retired.map((key) => [key.jwk.kid, key.latestExpSeconds])).toEqual([[keyA.jwk.kid, 30 * 86400]]);
    const leaves = 30 * 86400 + RETIREMENT_MARGIN_SECONDS;
    expect(nextKeyRingEventSeconds(ring)).toBe(leaves);
    expect(kids(advanceKeyRing(ring, leaves - 1))).toEqual([keyB.jwk.kid, keyA.jwk.kid]);
    expect(kids(advanceKeyRing(ring, leaves))).toEqual([keyB.jwk.kid]);
  });

  it('records an exp on a key that was retired while it signed', () => {
    const ring = activateKey(activateKey(EMPTY_KEY_RING, keyA), keyB);
    const recorded = recordSignedExpiry(ring, keyA.jwk.kid, 5000);
    expect(recorded.retired[0]!.latestExpSeconds).toBe(5000);
    expect(recordSignedExpiry(recorded, keyA.jwk.kid, 10).retired[0]!.latestExpSeconds).toBe(5000);
  });

  it('drops a retired key that never signed at once', () => {
    const ring = activateKey(activateKey(EMPTY_KEY_RING, keyA), keyB);
    expect(kids(advanceKeyRing(ring, RETIREMENT_MARGIN_SECONDS))).toEqual([keyB.jwk.kid]);
  });

  it('does not list a key twice when switching back to a retired key, and keeps its record', () => {
    let ring = recordSignedExpiry(activateKey(EMPTY_KEY_RING, keyA), keyA.jwk.kid, 900);
    ring = activateKey(activateKey(ring, keyB), keyA);
    expect(kids(ring)).toEqual([keyA.jwk.kid, keyB.jwk.kid]);
    expect(activeKey(ring, 'ES256K')?.latestExpSeconds).toBe(900);
  });

  it('drops the pending key of a disabled algorithm and retires its active key', () => {
    const ring = retireDisabled(introduceKey(activateKey(EMPTY_KEY_RING, keyA), keyB, 0), ['EdDSA']);
    expect(ring).toEqual({ active: [], pending: [], retired: [keyA] });
  });
});

describe('rotation lease', () => {
  it('is held until it expires, then free for the next rotation', () => {
    const lease = newLease(1000);
    expect(lease).toEqual({ expiresAtSeconds: 1000 + ROTATION_LEASE_SECONDS });
    expect(isLeaseHeld(undefined, 1000)).toBe(false);
    expect(isLeaseHeld(lease, 1000 + ROTATION_LEASE_SECONDS - 1)).toBe(true);
    expect(isLeaseHeld(lease, 1000 + ROTATION_LEASE_SECONDS)).toBe(false);
  });
});
