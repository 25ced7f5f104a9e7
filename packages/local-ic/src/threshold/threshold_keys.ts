import { concatBytes } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { signBip340 } from './bip340_signer';
import { BoundedCache } from './bounded_cache';
import { deriveEd25519SecretKey, type Ed25519SecretKey } from './ed25519_derivation';
import { signEcdsa } from './ecdsa_signer';
import { signEd25519 } from './ed25519_signer';
import { KEY_NAMES, type KeyName, type SchnorrAlgorithm, type ThresholdAlgorithm } from './key_ids';
import { localMasterSecret } from './master_keys';
import { validatePublicKeyRequest, validateSignWithEcdsa, validateSignWithSchnorr } from './request_validation';
import { deriveSecp256k1SecretKey, type Secp256k1SecretKey } from './secp256k1_derivation';

export interface DerivedPublicKey {
  publicKey: Uint8Array;
  chainCode: Uint8Array;
}

/**
 * The management canister's threshold-key methods for one canister
 * (`canisterId`: raw principal bytes). Every method throws a
 * ThresholdKeyError for an unknown key name or an argument the IC rejects.
 */
export interface ThresholdKeys {
  /** 33-byte compressed SEC1 public key and 32-byte chain code. */
  ecdsaPublicKey(keyName: string, canisterId: Uint8Array, derivationPath: Uint8Array[]): DerivedPublicKey;
  /** 64-byte r || s, low S, over the 32-byte `messageHash` as given. */
  signWithEcdsa(keyName: string, canisterId: Uint8Array, derivationPath: Uint8Array[], messageHash: Uint8Array): Uint8Array;
  /** Ed25519: 32-byte public key; BIP-340: 33-byte compressed SEC1 (as the IC returns it). Plus the chain code. */
  schnorrPublicKey(algorithm: SchnorrAlgorithm, keyName: string, canisterId: Uint8Array, derivationPath: Uint8Array[]): DerivedPublicKey;
  /**
   * 64-byte signature over `message` (any length). `aux` is the BIP-341
   * merkle_root_hash (empty or 32 bytes; BIP-340 only): the signature is then
   * made for the taproot-tweaked key.
   */
  signWithSchnorr(
    algorithm: SchnorrAlgorithm,
    keyName: string,
    canisterId: Uint8Array,
    derivationPath: Uint8Array[],
    message: Uint8Array,
    aux?: Uint8Array
  ): Uint8Array;
}

const DERIVED_KEY_CACHE_CAPACITY = 10_000;

/** Keys derived from this network's fixed local master keys (see master-keys.ts); only the held key names exist. */
export function createThresholdKeys(held: readonly KeyName[] = KEY_NAMES): ThresholdKeys {
  const secp256k1Keys = new BoundedCache<Secp256k1SecretKey>(DERIVED_KEY_CACHE_CAPACITY);
  const ed25519Keys = new BoundedCache<Ed25519SecretKey>(DERIVED_KEY_CACHE_CAPACITY);

  const secp256k1Key = (algorithm: 'ecdsa' | 'bip340secp256k1', keyName: KeyName, canisterId: Uint8Array, path: Uint8Array[]) =>
    secp256k1Keys.getOrCreate(derivationCacheKey(algorithm, keyName, canisterId, path), () => {
      const master = localMasterSecret(algorithm, keyName);
      return deriveSecp256k1SecretKey(master.secret, master.chainCode, [canisterId, ...path]);
    });

  const ed25519Key = (keyName: KeyName, canisterId: Uint8Array, path: Uint8Array[]) =>
    ed25519Keys.getOrCreate(derivationCacheKey('ed25519', keyName, canisterId, path), () => {
      const master = localMasterSecret('ed25519', keyName);
      return deriveEd25519SecretKey(master.secret, master.chainCode, [canisterId, ...path]);
    });

  return {
    ecdsaPublicKey(keyName, canisterId, derivationPath) {
      const knownKeyName = validatePublicKeyRequest('ecdsa', keyName, derivationPath, held);
      return publicPart(secp256k1Key('ecdsa', knownKeyName, canisterId, derivationPath));
    },

    signWithEcdsa(keyName, canisterId, derivationPath, messageHash) {
      const knownKeyName = validateSignWithEcdsa(keyName, derivationPath, messageHash, held);
      return signEcdsa(secp256k1Key('ecdsa', knownKeyName, canisterId, derivationPath).secret, messageHash);
    },

    schnorrPublicKey(algorithm, keyName, canisterId, derivationPath) {
      const knownKeyName = validatePublicKeyRequest(algorithm, keyName, derivationPath, held);
      return publicPart(
        algorithm === 'ed25519'
          ? ed25519Key(knownKeyName, canisterId, derivationPath)
          : secp256k1Key(algorithm, knownKeyName, canisterId, derivationPath)
      );
    },

    signWithSchnorr(algorithm, keyName, canisterId, derivationPath, message, aux) {
      const knownKeyName = validateSignWithSchnorr(algorithm, keyName, derivationPath, aux, held);
      return algorithm === 'ed25519'
        ? signEd25519(ed25519Key(knownKeyName, canisterId, derivationPath), message)
        : signBip340(secp256k1Key(algorithm, knownKeyName, canisterId, derivationPath).secret, message, aux);
    }
  };
}

function publicPart(key: DerivedPublicKey): DerivedPublicKey {
  return { publicKey: key.publicKey.slice(), chainCode: key.chainCode.slice() };
}

/** A fixed-size digest, so that long path elements do not bloat the cache's keys. */
function derivationCacheKey(algorithm: ThresholdAlgorithm, keyName: KeyName, canisterId: Uint8Array, path: Uint8Array[]): string {
  const lengthPrefixed = [canisterId, ...path].flatMap((element) => [lengthPrefix(element.length), element]);
  return `${algorithm}|${keyName}|${bytesToHex(sha256(concatBytes(...lengthPrefixed)))}`;
}

function lengthPrefix(length: number): Uint8Array {
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, length);
  return prefix;
}
