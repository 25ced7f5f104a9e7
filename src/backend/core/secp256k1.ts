// The little secp256k1 arithmetic the canister needs, kept here so the canister
// does not bundle a whole curve library. Tests check it against @noble/curves.
import { bigIntToBytes, bytesToBigInt } from './bytes';

const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;

export class Secp256k1Error extends Error {
  readonly code = 'ERR_SECP256K1';
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
    exponent >>= 1n;
  }
  return result;
}

/** SEC1 §2.3.4: a 33-byte compressed point to its affine coordinates (32 bytes each). */
export function decompressPublicKey(compressed: Uint8Array): { x: Uint8Array; y: Uint8Array } {
  if (compressed.length !== 33 || (compressed[0] !== 0x02 && compressed[0] !== 0x03)) {
    throw new Secp256k1Error(
      `expected a 33-byte compressed SEC1 public key (prefix 02 or 03), got ${compressed.length} bytes`
    );
  }
  const x = bytesToBigInt(compressed.subarray(1));
  if (x >= P) throw new Secp256k1Error('public key x coordinate is not below the field prime');
  const ySquared = (modPow(x, 3n, P) + 7n) % P;
  // P ≡ 3 (mod 4), so a square root is ySquared^((P + 1) / 4).
  let y = modPow(ySquared, (P + 1n) / 4n, P);
  if ((y * y) % P !== ySquared) throw new Secp256k1Error('public key x coordinate is not on the curve');
  const wantOdd = compressed[0] === 0x03;
  if ((y & 1n) === 1n) {
    if (!wantOdd) y = P - y;
  } else if (wantOdd) {
    y = P - y;
  }
  return { x: compressed.slice(1), y: bigIntToBytes(y, 32) };
}

/**
 * Returns r||s with s in the lower half of the group order. ECDSA signatures are
 * malleable ((r, s) and (r, n - s) both verify); verifiers such as ours and
 * noble-curves reject the high-S twin, so the canister never emits it.
 */
export function normalizeLowS(signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) {
    throw new Secp256k1Error(`expected a 64-byte r||s signature, got ${signature.length} bytes`);
  }
  const r = bytesToBigInt(signature.subarray(0, 32));
  const s = bytesToBigInt(signature.subarray(32));
  if (r === 0n || r >= N || s === 0n || s >= N) {
    throw new Secp256k1Error('signature r or s is outside [1, n-1]');
  }
  if (s <= HALF_N) return signature.slice();
  const out = signature.slice();
  out.set(bigIntToBytes(N - s, 32), 32);
  return out;
}

export const SECP256K1_ORDER = N;
