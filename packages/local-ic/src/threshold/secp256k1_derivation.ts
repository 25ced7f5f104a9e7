import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, concatBytes } from '@noble/curves/utils.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';

export type Secp256k1Point = WeierstrassPoint<bigint>;

const { Point } = secp256k1;
export const SECP256K1_ORDER = Point.Fn.ORDER;

export interface Secp256k1Derivation {
  /** Sum of the per-level tweaks, mod n: the derived secret is the parent secret plus this. */
  offset: bigint;
  publicKey: Secp256k1Point;
  chainCode: Uint8Array;
}

export interface Secp256k1SecretKey {
  secret: bigint;
  /** 33-byte compressed SEC1. */
  publicKey: Uint8Array;
  chainCode: Uint8Array;
}

/**
 * The IC's public-key derivation for secp256k1 (ECDSA and BIP-340): BIP-32
 * non-hardened CKD with HMAC-SHA512, extended to path elements of any length,
 * retrying as SLIP-0010 prescribes when a tweak is out of range.
 */
export function deriveSecp256k1Offset(
  publicKey: Secp256k1Point,
  chainCode: Uint8Array,
  derivationPath: readonly Uint8Array[]
): Secp256k1Derivation {
  let derivation: Secp256k1Derivation = { offset: 0n, publicKey, chainCode };
  for (const index of derivationPath) {
    const child = childTweak(derivation.publicKey, derivation.chainCode, index);
    derivation = {
      offset: (derivation.offset + child.offset) % SECP256K1_ORDER,
      publicKey: child.publicKey,
      chainCode: child.chainCode
    };
  }
  return derivation;
}

export function deriveSecp256k1SecretKey(
  parentSecret: bigint,
  parentChainCode: Uint8Array,
  derivationPath: readonly Uint8Array[]
): Secp256k1SecretKey {
  const parentPublicKey = Point.BASE.multiply(parentSecret);
  const derivation = deriveSecp256k1Offset(parentPublicKey, parentChainCode, derivationPath);
  return {
    secret: (parentSecret + derivation.offset) % SECP256K1_ORDER,
    publicKey: derivation.publicKey.toBytes(true),
    chainCode: derivation.chainCode
  };
}

function childTweak(parent: Secp256k1Point, chainCode: Uint8Array, index: Uint8Array): Secp256k1Derivation {
  let input = parent.toBytes(true);
  for (;;) {
    const mac = hmac(sha512, chainCode, concatBytes(input, index));
    const tweak = bytesToNumberBE(mac.subarray(0, 32));
    const childChainCode = mac.slice(32);
    if (tweak < SECP256K1_ORDER) {
      const child = tweak === 0n ? parent : parent.add(Point.BASE.multiply(tweak));
      if (!child.equals(Point.ZERO)) return { offset: tweak, publicKey: child, chainCode: childChainCode };
    }
    input = concatBytes(Uint8Array.of(0x01), childChainCode);
  }
}
