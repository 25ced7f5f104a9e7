import { describe, expect, it } from 'vitest';

import { bytesToHex } from '../../src/backend/core/bytes';
import {
  activateKey,
  derivationPath,
  EMPTY_KEY_RING,
  es256kSigningKey,
  nextRetirementSeconds,
  pruneRetired,
  publishedKeys,
  RETIREMENT_MARGIN_SECONDS
} from '../../src/backend/core/key_ring';
import { testKeyPair } from '../support/keys';

const keyA = es256kSigningKey('dfx_test_key', 1, testKeyPair().compressedPublicKey);
const keyB = es256kSigningKey('key_1', 1, testKeyPair().compressedPublicKey);

describe('key ring', () => {
  it('derives keys under a versioned path', () => {
    expect(derivationPath('ES256K', 1).map(bytesToHex)).toEqual(['69632d6a7774', '45533235364b', '00000001']);
    expect(bytesToHex(derivationPath('ES256K', 258)[2]!)).toBe('00000102');
  });

  it('publishes the first key as active', () => {
    const ring = activateKey(EMPTY_KEY_RING, keyA, 1000, 3600);
    expect(publishedKeys(ring)).toEqual([keyA.jwk]);
  });

  it('is idempotent when the same key is fetched again (every upgrade refetches)', () => {
    const ring = activateKey(activateKey(EMPTY_KEY_RING, keyA, 1000, 3600), keyA, 2000, 3600);
    expect(ring.retired).toEqual([]);
  });

  it('keeps a replaced key published until its last token has expired, then drops it', () => {
    const ring = activateKey(activateKey(EMPTY_KEY_RING, keyA, 1000, 3600), keyB, 2000, 3600);
    const removeAfter = 2000 + 3600 + RETIREMENT_MARGIN_SECONDS;
    expect(publishedKeys(ring).map((jwk) => jwk.kid)).toEqual([keyB.jwk.kid, keyA.jwk.kid]);
    expect(nextRetirementSeconds(ring)).toBe(removeAfter);
    expect(pruneRetired(ring, removeAfter - 1)).toBe(ring);
    expect(publishedKeys(pruneRetired(ring, removeAfter))).toEqual([keyB.jwk]);
  });

  it('does not list a key twice when switching back to a retired key', () => {
    const ring = activateKey(activateKey(activateKey(EMPTY_KEY_RING, keyA, 0, 60), keyB, 10, 60), keyA, 20, 60);
    expect(publishedKeys(ring).map((jwk) => jwk.kid)).toEqual([keyA.jwk.kid, keyB.jwk.kid]);
  });
});
