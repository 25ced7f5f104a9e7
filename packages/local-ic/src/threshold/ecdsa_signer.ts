import { secp256k1 } from '@noble/curves/secp256k1.js';
import { numberToBytesBE } from '@noble/curves/utils.js';

/**
 * Signs a 32-byte hash as it is (no further hashing) and returns r || s with
 * low S, as sign_with_ecdsa does. Nonces follow RFC 6979, so equal inputs
 * give equal signatures.
 */
export function signEcdsa(secret: bigint, messageHash: Uint8Array): Uint8Array {
  return secp256k1.sign(messageHash, numberToBytesBE(secret, 32), { prehash: false, lowS: true }).toCompactRawBytes();
}
