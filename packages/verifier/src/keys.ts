// Public keys from a JWK Set, imported once per fetch and then used for many tokens. What a
// JWK must be is checked here, the same in every runtime; the signature check itself is the
// crypto provider's (crypto_node.ts, crypto_web.ts, crypto_noble.ts).
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

import { KEY_TYPE_OF, type SupportedAlgorithm } from './algorithms.js';
import { decodeBase64UrlStrict } from './base64url.js';

/** Who checks a key's signatures: OpenSSL (node:crypto), WebCrypto, or @noble/curves. */
export type KeyBackend = 'node' | 'webcrypto' | 'noble';

export interface VerificationKey {
  readonly kid: string;
  readonly alg: SupportedAlgorithm;
  readonly backend: KeyBackend;
  /** Checks the signature only; its form (length, low-S, S < L) is checked by algorithms.ts first. */
  verify(signingInput: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/** Turns checked public key bytes into verification keys; one per runtime. */
export interface CryptoProvider {
  /** x and y: the 32-byte coordinates of a point on secp256k1. */
  es256k(kid: string, x: Uint8Array, y: Uint8Array): VerificationKey | Promise<VerificationKey>;
  /** x: a 32-byte Ed25519 point of large order. */
  eddsa(kid: string, x: Uint8Array): VerificationKey | Promise<VerificationKey>;
}

export class UnusableKeyError extends Error {}

/** Imports one JWK, or says why it cannot verify anything. Undefined for key types we do not handle. */
export async function importJwk(jwk: Record<string, unknown>, crypto: CryptoProvider): Promise<VerificationKey | undefined> {
  const alg = algorithmFor(jwk['kty'], jwk['crv']);
  if (alg === undefined) return undefined;
  const kid = jwk['kid'];
  if (typeof kid !== 'string' || kid.length === 0) throw new UnusableKeyError('it has no kid');
  if (jwk['alg'] !== undefined && jwk['alg'] !== alg) {
    throw new UnusableKeyError(`its alg ${JSON.stringify(jwk['alg'])} does not fit a ${String(jwk['kty'])} ${String(jwk['crv'])} key (${alg})`);
  }
  if (jwk['use'] !== undefined && jwk['use'] !== 'sig') throw new UnusableKeyError(`its use is ${JSON.stringify(jwk['use'])}, not "sig"`);
  const ops = jwk['key_ops'];
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) throw new UnusableKeyError('its key_ops do not include "verify"');
  // Security: a published private key is a leaked key; anyone could sign with it.
  if (jwk['d'] !== undefined) throw new UnusableKeyError('it publishes private key material (d)');
  try {
    return alg === 'ES256K' ? await importSecp256k1(kid, jwk, crypto) : await importEd25519(kid, jwk, crypto);
  } catch (cause) {
    if (cause instanceof UnusableKeyError) throw cause;
    throw new UnusableKeyError(`it cannot be imported: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

function algorithmFor(kty: unknown, crv: unknown): SupportedAlgorithm | undefined {
  for (const [alg, type] of Object.entries(KEY_TYPE_OF)) {
    if (type.kty === kty && type.crv === crv) return alg as SupportedAlgorithm;
  }
  return undefined;
}

function coordinate(jwk: Record<string, unknown>, name: string): Uint8Array {
  const value = jwk[name];
  const bytes = typeof value === 'string' ? decodeBase64UrlStrict(value) : undefined;
  if (bytes === undefined || bytes.length !== 32) throw new UnusableKeyError(`its "${name}" is not 32 bytes of strict base64url`);
  return bytes;
}

function importSecp256k1(kid: string, jwk: Record<string, unknown>, crypto: CryptoProvider) {
  const x = coordinate(jwk, 'x');
  const y = coordinate(jwk, 'y');
  try {
    secp256k1.Point.fromBytes(uncompressedPoint(x, y)).assertValidity();
  } catch {
    throw new UnusableKeyError('its point is not on secp256k1');
  }
  return crypto.es256k(kid, x, y);
}

function importEd25519(kid: string, jwk: Record<string, unknown>, crypto: CryptoProvider) {
  const x = coordinate(jwk, 'x');
  let smallOrder: boolean;
  try {
    smallOrder = ed25519.Point.fromBytes(x).isSmallOrder();
  } catch {
    throw new UnusableKeyError('its "x" is not an Ed25519 point');
  }
  // Security: a small-order public key verifies signatures that no secret key made.
  if (smallOrder) throw new UnusableKeyError('its point has small order');
  return crypto.eddsa(kid, x);
}

/** SEC1 uncompressed: 0x04 || x || y. */
export function uncompressedPoint(x: Uint8Array, y: Uint8Array): Uint8Array {
  const point = new Uint8Array(65);
  point[0] = 4;
  point.set(x, 1);
  point.set(y, 33);
  return point;
}
