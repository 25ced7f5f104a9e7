// The signature algorithms this verifier accepts, and what each demands of keys and signatures.
// Security: the allow-list is closed. `none`, HS* (whose "secret" could be a public key)
// and everything else are rejected before any key is looked up.
import { bytesFromHex as hex32, compareBytes } from './bytes.js';

export const SUPPORTED_ALGORITHMS = ['ES256K', 'EdDSA'] as const;
export type SupportedAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

export function isSupportedAlgorithm(value: unknown): value is SupportedAlgorithm {
  return (SUPPORTED_ALGORITHMS as readonly unknown[]).includes(value);
}

/** The JWK type and curve that each algorithm must be verified with (RFC 8812 §3.1, RFC 8037 §3.1). */
export const KEY_TYPE_OF: Readonly<Record<SupportedAlgorithm, { kty: 'EC' | 'OKP'; crv: 'secp256k1' | 'Ed25519' }>> = {
  ES256K: { kty: 'EC', crv: 'secp256k1' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' }
};

export const SIGNATURE_BYTES = 64;

const ZERO_32 = new Uint8Array(32);
const SECP256K1_N = hex32('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
const SECP256K1_HALF_N = hex32('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0');
// The Ed25519 group order L, little-endian as S is encoded.
const ED25519_L_LE = hex32('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');

/** Why `signature` cannot be a valid signature for `alg`, or undefined when its form is acceptable. */
export function signatureFormProblem(alg: SupportedAlgorithm, signature: Uint8Array): string | undefined {
  if (signature.length !== SIGNATURE_BYTES) {
    return `an ${alg} signature is ${SIGNATURE_BYTES} bytes, this one ${signature.length}`;
  }
  return alg === 'ES256K' ? es256kFormProblem(signature) : ed25519FormProblem(signature);
}

/**
 * ES256K is r||s, 32 bytes each, big-endian (RFC 8812 §3.2). Security: (r, s) and
 * (r, n - s) both satisfy the ECDSA equation; OpenSSL accepts either, so we demand
 * s <= n/2 (low-S, as the issuer always emits) or a token would have two valid spellings.
 */
function es256kFormProblem(signature: Uint8Array): string | undefined {
  const r = signature.subarray(0, 32);
  const s = signature.subarray(32, 64);
  if (compareBytes(r, ZERO_32) === 0 || compareBytes(r, SECP256K1_N) >= 0) return 'r is outside [1, n-1]';
  if (compareBytes(s, ZERO_32) === 0 || compareBytes(s, SECP256K1_N) >= 0) return 's is outside [1, n-1]';
  if (compareBytes(s, SECP256K1_HALF_N) > 0) return 's is in the upper half of the group order (high-S); only low-S is accepted';
  return undefined;
}

/** Ed25519 is R||S with S little-endian; S >= L would make the signature malleable (RFC 8032 §5.1.7). */
function ed25519FormProblem(signature: Uint8Array): string | undefined {
  const s = signature.subarray(32, 64);
  for (let i = 31; i >= 0; i--) {
    if (s[i]! !== ED25519_L_LE[i]!) return s[i]! < ED25519_L_LE[i]! ? undefined : 'S is not below the group order';
  }
  return 'S is not below the group order';
}
