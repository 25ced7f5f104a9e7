import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { SECP256K1_ORDER } from './secp256k1_derivation';

const { Point } = schnorr;

/**
 * BIP-340's nonce hashes the key and message with this value; zeros keep
 * signatures reproducible (BIP-340 allows it; random bytes only add
 * side-channel hardening, which test keys do not need).
 */
const AUX_RANDOMNESS = new Uint8Array(32);

/**
 * Signs `message` (any length) with BIP-340. With `taprootMerkleRoot` (empty
 * or 32 bytes, the IC's `aux.bip341.merkle_root_hash`) it signs for the
 * BIP-341 output key, i.e. the key tweaked by
 * tagged_hash("TapTweak", x(P) || merkleRoot), as the IC does.
 */
export function signBip340(secret: bigint, message: Uint8Array, taprootMerkleRoot?: Uint8Array): Uint8Array {
  const signingSecret = taprootMerkleRoot === undefined ? secret : taprootTweakedSecret(secret, taprootMerkleRoot);
  return schnorr.sign(message, numberToBytesBE(signingSecret, 32), AUX_RANDOMNESS);
}

function taprootTweakedSecret(secret: bigint, taprootMerkleRoot: Uint8Array): bigint {
  const internal = Point.BASE.multiply(secret);
  const evenYSecret = internal.toAffine().y % 2n === 0n ? secret : SECP256K1_ORDER - secret;
  // BIP-341 fails for a tweak >= n; that has probability below 2^-127, so it is not special-cased.
  const tweak = bytesToNumberBE(schnorr.utils.taggedHash('TapTweak', schnorr.utils.pointToBytes(internal), taprootMerkleRoot));
  return (evenYSecret + tweak) % SECP256K1_ORDER;
}
