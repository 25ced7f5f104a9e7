// Test-only Ed25519 key pairs from node:crypto (OpenSSL), made fresh for each run.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export interface Ed25519TestKey {
  privateKey: KeyObject;
  /** The raw 32-byte key, as schnorr_public_key returns it. */
  publicKey: Uint8Array;
}

export function ed25519TestKey(): Ed25519TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { privateKey, publicKey: new Uint8Array(Buffer.from(x, 'base64url')) };
}

/** Signs the whole message, as sign_with_schnorr does for ed25519. */
export function signEd25519(message: Uint8Array, key: Ed25519TestKey): Uint8Array {
  return new Uint8Array(sign(null, message, key.privateKey));
}
