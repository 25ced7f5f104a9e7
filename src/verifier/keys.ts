// Public keys from a JWK Set, imported once per fetch and then used for many tokens.
// Signatures are checked by OpenSSL (node:crypto); @noble/curves steps in for secp256k1
// only where the OpenSSL build lacks that curve (bench/verify.ts shows why: OpenSSL is faster).
import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';

import { KEY_TYPE_OF, type SupportedAlgorithm } from './algorithms';
import { decodeBase64UrlStrict } from './base64url';

export type SignatureBackend = 'node' | 'noble';

export interface VerificationKey {
  readonly kid: string;
  readonly alg: SupportedAlgorithm;
  readonly backend: SignatureBackend;
  /** Checks the signature only; its form (length, low-S) is checked by algorithms.ts first. */
  verify(signingInput: Uint8Array, signature: Uint8Array): boolean;
}

export class UnusableKeyError extends Error {}

/** Imports one JWK, or says why it cannot verify anything. Undefined for key types we do not handle. */
export function importJwk(jwk: Record<string, unknown>, backend?: SignatureBackend): VerificationKey | undefined {
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
  return alg === 'ES256K' ? importSecp256k1(kid, jwk, backend) : importEd25519(kid, jwk);
}

function algorithmFor(kty: unknown, crv: unknown): SupportedAlgorithm | undefined {
  for (const [alg, type] of Object.entries(KEY_TYPE_OF)) {
    if (type.kty === kty && type.crv === crv) return alg as SupportedAlgorithm;
  }
  return undefined;
}

function coordinate(jwk: Record<string, unknown>, name: string): Buffer {
  const value = jwk[name];
  const bytes = typeof value === 'string' ? decodeBase64UrlStrict(value) : undefined;
  if (bytes === undefined || bytes.length !== 32) throw new UnusableKeyError(`its "${name}" is not 32 bytes of strict base64url`);
  return bytes;
}

function importSecp256k1(kid: string, jwk: Record<string, unknown>, backend: SignatureBackend | undefined): VerificationKey {
  const x = coordinate(jwk, 'x');
  const y = coordinate(jwk, 'y');
  const uncompressed = Buffer.concat([Buffer.of(4), x, y]);
  try {
    secp256k1.Point.fromBytes(uncompressed).assertValidity();
  } catch {
    throw new UnusableKeyError('its point is not on secp256k1');
  }
  const chosen = backend ?? (openSslHasSecp256k1() ? 'node' : 'noble');
  if (chosen === 'noble') {
    return {
      kid,
      alg: 'ES256K',
      backend: 'noble',
      verify: (input, signature) => secp256k1.verify(signature, sha256(input), uncompressed, { prehash: false, lowS: true })
    };
  }
  const key = openSslKey({ kty: 'EC', crv: 'secp256k1', x: x.toString('base64url'), y: y.toString('base64url') });
  const options = { key, dsaEncoding: 'ieee-p1363' } as const;
  return { kid, alg: 'ES256K', backend: 'node', verify: (input, signature) => cryptoVerify('sha256', input, options, signature) };
}

function importEd25519(kid: string, jwk: Record<string, unknown>): VerificationKey {
  const x = coordinate(jwk, 'x');
  let smallOrder: boolean;
  try {
    smallOrder = ed25519.Point.fromBytes(x).isSmallOrder();
  } catch {
    throw new UnusableKeyError('its "x" is not an Ed25519 point');
  }
  // Security: a small-order public key verifies signatures that no secret key made.
  if (smallOrder) throw new UnusableKeyError('its point has small order');
  const key = openSslKey({ kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') });
  return { kid, alg: 'EdDSA', backend: 'node', verify: (input, signature) => cryptoVerify(null, input, key, signature) };
}

function openSslKey(jwk: JsonWebKey): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (cause) {
    throw new UnusableKeyError(`OpenSSL cannot import it: ${(cause as Error).message}`);
  }
}

let secp256k1InOpenSsl: boolean | undefined;

/** Some OpenSSL builds (FIPS mode, BoringSSL in Electron) have no secp256k1. */
export function openSslHasSecp256k1(): boolean {
  if (secp256k1InOpenSsl === undefined) {
    try {
      const generator = secp256k1.Point.BASE.toBytes(false);
      createPublicKey({
        key: {
          kty: 'EC',
          crv: 'secp256k1',
          x: Buffer.from(generator.subarray(1, 33)).toString('base64url'),
          y: Buffer.from(generator.subarray(33)).toString('base64url')
        },
        format: 'jwk'
      });
      secp256k1InOpenSsl = true;
    } catch {
      secp256k1InOpenSsl = false;
    }
  }
  return secp256k1InOpenSsl;
}
