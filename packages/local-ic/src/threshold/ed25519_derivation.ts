import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberBE, concatBytes, numberToBytesLE } from '@noble/curves/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

const { Point } = ed25519;
export const ED25519_ORDER = Point.Fn.ORDER;

const HKDF_INFO = utf8ToBytes('Ed25519');
const NONCE_PREFIX_DOMAIN = utf8ToBytes('ic-jwt localnet ed25519 nonce prefix');

export interface Ed25519Derivation {
  /** Sum of the per-level tweaks, mod L: the derived scalar is the parent scalar plus this. */
  offset: bigint;
  publicKey: EdwardsPoint;
  chainCode: Uint8Array;
}

/** An Ed25519 key held as its scalar (not a seed), the only form additive derivation allows. */
export interface Ed25519SecretKey {
  scalar: bigint;
  /** Secret input to the deterministic nonce, the role RFC 8032's second hash half plays. */
  noncePrefix: Uint8Array;
  /** 32-byte RFC 8032 encoding. */
  publicKey: Uint8Array;
  chainCode: Uint8Array;
}

/**
 * The IC's public-key derivation for Ed25519: per path element, HKDF-SHA512
 * over (public key || element) salted with the chain code yields 96 bytes:
 * a big-endian 64-byte tweak (reduced mod L) and the next chain code.
 */
export function deriveEd25519Offset(
  publicKey: EdwardsPoint,
  chainCode: Uint8Array,
  derivationPath: readonly Uint8Array[]
): Ed25519Derivation {
  let derivation: Ed25519Derivation = { offset: 0n, publicKey, chainCode };
  for (const index of derivationPath) {
    const okm = hkdf(sha512, concatBytes(derivation.publicKey.toBytes(), index), derivation.chainCode, HKDF_INFO, 96);
    const tweak = bytesToNumberBE(okm.subarray(0, 64)) % ED25519_ORDER;
    derivation = {
      offset: (derivation.offset + tweak) % ED25519_ORDER,
      publicKey: tweak === 0n ? derivation.publicKey : derivation.publicKey.add(Point.BASE.multiply(tweak)),
      chainCode: okm.slice(64, 96)
    };
  }
  return derivation;
}

export function deriveEd25519SecretKey(
  parentScalar: bigint,
  parentChainCode: Uint8Array,
  derivationPath: readonly Uint8Array[]
): Ed25519SecretKey {
  const derivation = deriveEd25519Offset(Point.BASE.multiply(parentScalar), parentChainCode, derivationPath);
  const scalar = (parentScalar + derivation.offset) % ED25519_ORDER;
  const nonceSeed = sha512(concatBytes(NONCE_PREFIX_DOMAIN, numberToBytesLE(scalar, 32), derivation.chainCode));
  return {
    scalar,
    noncePrefix: nonceSeed.slice(0, 32),
    publicKey: derivation.publicKey.toBytes(),
    chainCode: derivation.chainCode
  };
}
