// Signatures checked by @noble/curves: plain JavaScript, for runtimes with neither OpenSSL's
// secp256k1 nor WebCrypto's Ed25519. Same verdicts as OpenSSL on the keys and signature forms
// that keys.ts and algorithms.ts let through (low-S ECDSA; RFC 8032 Ed25519, not ZIP-215).
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';

import { uncompressedPoint, type CryptoProvider, type VerificationKey } from './keys.js';

export function nobleEs256k(kid: string, x: Uint8Array, y: Uint8Array): VerificationKey {
  const point = uncompressedPoint(x, y);
  return {
    kid,
    alg: 'ES256K',
    backend: 'noble',
    verify: (input, signature) => secp256k1.verify(signature, sha256(input), point, { prehash: false, lowS: true })
  };
}

export function nobleEd25519(kid: string, x: Uint8Array): VerificationKey {
  return { kid, alg: 'EdDSA', backend: 'noble', verify: (input, signature) => ed25519.verify(signature, input, x, { zip215: false }) };
}

export const nobleCrypto: CryptoProvider = { es256k: nobleEs256k, eddsa: nobleEd25519 };
