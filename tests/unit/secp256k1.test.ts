import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';

import { bigIntToBytes, bytesToBigInt, bytesToHex } from '../../src/backend/core/bytes';
import { decompressPublicKey, normalizeLowS, Secp256k1Error, SECP256K1_ORDER } from '../../src/backend/core/secp256k1';
import { signDigest, testKeyPair } from '../support/keys';

describe('SEC1 decompression', () => {
  it('matches @noble/curves for keys of both parities', () => {
    const seenPrefixes = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const { compressedPublicKey } = testKeyPair();
      seenPrefixes.add(compressedPublicKey[0]!);
      const uncompressed = secp256k1.Point.fromBytes(compressedPublicKey).toBytes(false);
      const { x, y } = decompressPublicKey(compressedPublicKey);
      expect(bytesToHex(x)).toBe(bytesToHex(uncompressed.subarray(1, 33)));
      expect(bytesToHex(y)).toBe(bytesToHex(uncompressed.subarray(33)));
    }
    expect(seenPrefixes).toEqual(new Set([2, 3]));
  });

  it('rejects wrong lengths, prefixes and x coordinates off the curve', () => {
    const { compressedPublicKey } = testKeyPair();
    expect(() => decompressPublicKey(compressedPublicKey.subarray(1))).toThrow(Secp256k1Error);
    expect(() => decompressPublicKey(Uint8Array.of(0x04, ...compressedPublicKey.subarray(1)))).toThrow(/prefix 02 or 03/);
    // x = 5: 5^3 + 7 = 132 is not a square mod p, so no point has this x.
    const offCurve = new Uint8Array(33);
    offCurve[0] = 2;
    offCurve[32] = 5;
    expect(() => secp256k1.Point.fromBytes(offCurve)).toThrow();
    expect(() => decompressPublicKey(offCurve)).toThrow(/not on the curve/);
  });
});

describe('low-S normalisation', () => {
  it('turns a high-S signature into its low-S twin, which noble (strict low-S) accepts', () => {
    const { secretKey, compressedPublicKey } = testKeyPair();
    const digest = secp256k1.utils.randomSecretKey();
    const low = signDigest(digest, secretKey);
    const s = bytesToBigInt(low.subarray(32));
    const high = Uint8Array.of(...low.subarray(0, 32), ...bigIntToBytes(SECP256K1_ORDER - s, 32));

    expect(secp256k1.verify(high, digest, compressedPublicKey, { prehash: false })).toBe(false);
    expect(secp256k1.verify(high, digest, compressedPublicKey, { prehash: false, lowS: false })).toBe(true);
    const normalized = normalizeLowS(high);
    expect(bytesToHex(normalized)).toBe(bytesToHex(low));
    expect(secp256k1.verify(normalized, digest, compressedPublicKey, { prehash: false })).toBe(true);
  });

  it('leaves low-S signatures unchanged and rejects malformed ones', () => {
    const { secretKey } = testKeyPair();
    const low = signDigest(new Uint8Array(32).fill(7), secretKey);
    expect(bytesToHex(normalizeLowS(low))).toBe(bytesToHex(low));
    expect(() => normalizeLowS(low.subarray(1))).toThrow(/64-byte/);
    const zeroR = low.slice();
    zeroR.fill(0, 0, 32);
    expect(() => normalizeLowS(zeroR)).toThrow(/outside/);
  });
});
