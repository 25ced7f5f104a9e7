// Test-only secp256k1 key pairs, made fresh for each run.
import { secp256k1 } from '@noble/curves/secp256k1.js';

export function testKeyPair(): { secretKey: Uint8Array; compressedPublicKey: Uint8Array } {
  const secretKey = secp256k1.utils.randomSecretKey();
  return { secretKey, compressedPublicKey: secp256k1.getPublicKey(secretKey, true) };
}

/** Signs a 32-byte digest as sign_with_ecdsa does: no further hashing, 64 bytes r||s. */
export function signDigest(digest: Uint8Array, secretKey: Uint8Array, lowS = true): Uint8Array {
  return secp256k1.sign(digest, secretKey, { prehash: false, lowS }).toCompactRawBytes();
}
