// Deterministic per-(user, origin) Ed25519 keys from the browser's master seed, so that, as with
// Internet Identity, one user has a different, stable principal at every dapp origin. Pure.
import { ed25519 } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Ed25519PublicKey } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';

export const MASTER_SEED_BYTES = 32;

const DERIVATION_LABEL = new TextEncoder().encode('ic-jwt dev identity provider: user key v1');

export interface UserKey {
  userNumber: number;
  /** The Ed25519 private key (the 32-byte seed of RFC 8032). */
  secretKey: Uint8Array;
  /** DER SubjectPublicKeyInfo, as the IC expects for sender_pubkey and delegation chains. */
  publicKeyDer: Uint8Array;
  /** The self-authenticating principal of publicKeyDer. */
  principal: Principal;
}

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** HMAC-SHA256(masterSeed, label ‖ user number ‖ origin), each field length-prefixed so none can bleed into the next. */
export function userKeySeed(masterSeed: Uint8Array, userNumber: number, origin: string): Uint8Array {
  if (masterSeed.length !== MASTER_SEED_BYTES) throw new Error(`the master seed must be ${MASTER_SEED_BYTES} bytes`);
  if (!Number.isSafeInteger(userNumber) || userNumber < 1) throw new Error(`user numbers start at 1 (got ${userNumber})`);
  const message = concat([
    lengthPrefixed(DERIVATION_LABEL),
    lengthPrefixed(new TextEncoder().encode(String(userNumber))),
    lengthPrefixed(new TextEncoder().encode(origin))
  ]);
  return hmac(sha256, masterSeed, message);
}

export function userKey(masterSeed: Uint8Array, userNumber: number, origin: string): UserKey {
  const secretKey = userKeySeed(masterSeed, userNumber, origin);
  const publicKeyDer = new Uint8Array(Ed25519PublicKey.fromRaw(ed25519.getPublicKey(secretKey)).toDer());
  return { userNumber, secretKey, publicKeyDer, principal: Principal.selfAuthenticating(publicKeyDer) };
}
