import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { ED25519_ORDER } from './ed25519_derivation';
import type { KeyName, ThresholdAlgorithm } from './key_ids';
import { SECP256K1_ORDER } from './secp256k1_derivation';

/*
 * TEST-ONLY, PUBLICLY KNOWN KEYS. Like the keys of dfx's local replica, these
 * master keys exist only for an offline local network: anyone can recompute
 * the secrets from the labels below. Never use them to protect anything real.
 */

export interface MasterSecret {
  /** Scalar of the curve the algorithm uses (secp256k1 or Ed25519). */
  secret: bigint;
  chainCode: Uint8Array;
}

export interface MasterPublicKey {
  /** 33-byte compressed SEC1 for ECDSA and BIP-340, 32 bytes for Ed25519. */
  publicKey: Uint8Array;
  chainCode: Uint8Array;
}

/** The IC's master keys carry an all-zero chain code as well. */
const MASTER_CHAIN_CODE = new Uint8Array(32);

export function masterKeyLabel(algorithm: ThresholdAlgorithm, keyName: KeyName): string {
  return `ic-jwt localnet master key|${algorithm}|${keyName}`;
}

export function localMasterSecret(algorithm: ThresholdAlgorithm, keyName: KeyName): MasterSecret {
  const order = algorithm === 'ed25519' ? ED25519_ORDER : SECP256K1_ORDER;
  const digest = bytesToNumberBE(sha256(utf8ToBytes(masterKeyLabel(algorithm, keyName))));
  return { secret: (digest % (order - 1n)) + 1n, chainCode: MASTER_CHAIN_CODE.slice() };
}

/** What a tool like @dfinity/ic-pub-key needs to derive this network's canister keys offline. */
export function localMasterPublicKey(algorithm: ThresholdAlgorithm, keyName: KeyName): MasterPublicKey {
  const { secret, chainCode } = localMasterSecret(algorithm, keyName);
  const publicKey =
    algorithm === 'ed25519'
      ? ed25519.Point.BASE.multiply(secret).toBytes()
      : secp256k1.Point.BASE.multiply(secret).toBytes(true);
  return { publicKey, chainCode };
}
