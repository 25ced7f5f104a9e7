export type SchnorrAlgorithm = 'ed25519' | 'bip340secp256k1';
export type ThresholdAlgorithm = 'ecdsa' | SchnorrAlgorithm;
export type KeyName = 'dfx_test_key' | 'test_key_1' | 'key_1';

export type PublicKeyMethod = 'ecdsa_public_key' | 'schnorr_public_key';
export type SigningMethod = 'sign_with_ecdsa' | 'sign_with_schnorr';
export type ManagementMethod = PublicKeyMethod | SigningMethod;

export const KEY_NAMES: readonly KeyName[] = ['dfx_test_key', 'test_key_1', 'key_1'];
export const THRESHOLD_ALGORITHMS: readonly ThresholdAlgorithm[] = ['ecdsa', 'bip340secp256k1', 'ed25519'];

export function isKeyName(name: string, held: readonly KeyName[] = KEY_NAMES): name is KeyName {
  return (held as readonly string[]).includes(name);
}

/** The key id as the IC prints it, e.g. `ecdsa:Secp256k1:key_1` or `schnorr:Ed25519:test_key_1`. */
export function formatKeyId(algorithm: ThresholdAlgorithm, keyName: string): string {
  switch (algorithm) {
    case 'ecdsa':
      return `ecdsa:Secp256k1:${keyName}`;
    case 'bip340secp256k1':
      return `schnorr:Bip340Secp256k1:${keyName}`;
    case 'ed25519':
      return `schnorr:Ed25519:${keyName}`;
  }
}

/** Every key id of the held key names, sorted as the IC sorts them in its error messages. */
export function existingKeyIds(held: readonly KeyName[] = KEY_NAMES): string[] {
  return THRESHOLD_ALGORITHMS.flatMap((algorithm) => held.map((name) => formatKeyId(algorithm, name))).sort();
}

export function signingMethodOf(algorithm: ThresholdAlgorithm): SigningMethod {
  return algorithm === 'ecdsa' ? 'sign_with_ecdsa' : 'sign_with_schnorr';
}

export function publicKeyMethodOf(algorithm: ThresholdAlgorithm): PublicKeyMethod {
  return algorithm === 'ecdsa' ? 'ecdsa_public_key' : 'schnorr_public_key';
}
