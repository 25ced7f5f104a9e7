import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, concatBytes, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { ED25519_ORDER, type Ed25519SecretKey } from './ed25519_derivation';

/**
 * RFC 8032 Ed25519 signing from an expanded key (scalar + nonce prefix)
 * rather than a seed, since derived keys have no seed. The result verifies
 * with any standard Ed25519 verifier.
 */
export function signEd25519(key: Ed25519SecretKey, message: Uint8Array): Uint8Array {
  const nonce = hashToScalar(key.noncePrefix, message);
  const commitment = ed25519.Point.BASE.multiply(nonce).toBytes();
  const challenge = hashToScalar(commitment, key.publicKey, message);
  const response = (nonce + challenge * key.scalar) % ED25519_ORDER;
  return concatBytes(commitment, numberToBytesLE(response, 32));
}

function hashToScalar(...parts: Uint8Array[]): bigint {
  return bytesToNumberLE(sha512(concatBytes(...parts))) % ED25519_ORDER;
}
