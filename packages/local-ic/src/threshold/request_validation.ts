import {
  DerivationPathTooLongError,
  InvalidSchnorrAuxError,
  MessageHashLengthError,
  SchnorrAuxNotSupportedError,
  UnknownThresholdKeyError
} from './errors';
import {
  existingKeyIds,
  formatKeyId,
  KEY_NAMES,
  isKeyName,
  publicKeyMethodOf,
  signingMethodOf,
  type KeyName,
  type ManagementMethod,
  type SchnorrAlgorithm,
  type ThresholdAlgorithm
} from './key_ids';

/** The IC bounds `derivation_path` to 255 elements (BIP-32 stores the depth in one byte). */
export const MAX_DERIVATION_PATH_LENGTH = 255;
export const MESSAGE_HASH_LENGTH = 32;
const TAPROOT_MERKLE_ROOT_LENGTH = 32;

export function requireKnownKeyName(
  method: ManagementMethod,
  algorithm: ThresholdAlgorithm,
  keyName: string,
  held: readonly KeyName[] = KEY_NAMES
): KeyName {
  if (!isKeyName(keyName, held)) {
    throw new UnknownThresholdKeyError(method, formatKeyId(algorithm, keyName), existingKeyIds(held));
  }
  return keyName;
}

export function requireDerivationPathWithinLimit(method: ManagementMethod, derivationPath: readonly Uint8Array[]): void {
  if (derivationPath.length > MAX_DERIVATION_PATH_LENGTH) {
    throw new DerivationPathTooLongError(method, MAX_DERIVATION_PATH_LENGTH);
  }
}

/**
 * `aux` is the BIP-341 `merkle_root_hash` of the IC's `sign_with_schnorr`
 * (`aux = opt variant { bip341 : record { merkle_root_hash : blob } }`):
 * only BIP-340 accepts it, and only empty or 32 bytes long.
 */
export function requireValidSchnorrAux(algorithm: SchnorrAlgorithm, aux: Uint8Array | undefined): void {
  if (aux === undefined) return;
  if (algorithm !== 'bip340secp256k1') throw new SchnorrAuxNotSupportedError(algorithm);
  if (aux.length !== 0 && aux.length !== TAPROOT_MERKLE_ROOT_LENGTH) throw new InvalidSchnorrAuxError(algorithm);
}

/** Checks in the IC's order: argument decoding, then the key lookup. */
export function validatePublicKeyRequest(
  algorithm: ThresholdAlgorithm,
  keyName: string,
  derivationPath: readonly Uint8Array[],
  held: readonly KeyName[] = KEY_NAMES
): KeyName {
  const method = publicKeyMethodOf(algorithm);
  requireDerivationPathWithinLimit(method, derivationPath);
  return requireKnownKeyName(method, algorithm, keyName, held);
}

/** Checks in the IC's order: argument decoding, then the key lookup. Call before charging the fee. */
export function validateSignWithEcdsa(
  keyName: string,
  derivationPath: readonly Uint8Array[],
  messageHash: Uint8Array,
  held: readonly KeyName[] = KEY_NAMES
): KeyName {
  if (messageHash.length !== MESSAGE_HASH_LENGTH) throw new MessageHashLengthError(messageHash.length);
  requireDerivationPathWithinLimit('sign_with_ecdsa', derivationPath);
  return requireKnownKeyName('sign_with_ecdsa', 'ecdsa', keyName, held);
}

/** Checks in the IC's order: argument decoding, key lookup, then `aux`. Call before charging the fee. */
export function validateSignWithSchnorr(
  algorithm: SchnorrAlgorithm,
  keyName: string,
  derivationPath: readonly Uint8Array[],
  aux?: Uint8Array,
  held: readonly KeyName[] = KEY_NAMES
): KeyName {
  const method = signingMethodOf(algorithm);
  requireDerivationPathWithinLimit(method, derivationPath);
  const knownKeyName = requireKnownKeyName(method, algorithm, keyName, held);
  requireValidSchnorrAux(algorithm, aux);
  return knownKeyName;
}
