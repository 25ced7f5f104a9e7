// Signatures checked by OpenSSL through node:crypto (Node, Bun, Deno's node: layer): the least
// CPU per token there (bench/verify.ts; Node's WebCrypto runs the same OpenSSL call through its
// thread pool, at about a third more CPU). @noble/curves steps in for secp256k1 only where the
// OpenSSL build lacks that curve (FIPS mode, BoringSSL in Electron).
import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';

import { nobleEs256k } from './crypto_noble.js';
import type { CryptoProvider, VerificationKey } from './keys.js';
import { encodeBase64Url } from './base64url.js';

function openSslKey(jwk: JsonWebKey): KeyObject {
  return createPublicKey({ key: jwk, format: 'jwk' });
}

function openSslEs256k(kid: string, x: Uint8Array, y: Uint8Array): VerificationKey {
  const key = openSslKey({ kty: 'EC', crv: 'secp256k1', x: encodeBase64Url(x), y: encodeBase64Url(y) });
  const options = { key, dsaEncoding: 'ieee-p1363' } as const;
  return { kid, alg: 'ES256K', backend: 'node', verify: (input, signature) => cryptoVerify('sha256', input, options, signature) };
}

function openSslEd25519(kid: string, x: Uint8Array): VerificationKey {
  const key = openSslKey({ kty: 'OKP', crv: 'Ed25519', x: encodeBase64Url(x) });
  return { kid, alg: 'EdDSA', backend: 'node', verify: (input, signature) => cryptoVerify(null, input, key, signature) };
}

let secp256k1InOpenSsl: boolean | undefined;

export function openSslHasSecp256k1(): boolean {
  if (secp256k1InOpenSsl === undefined) {
    try {
      // The generator of secp256k1.
      openSslKey({
        kty: 'EC',
        crv: 'secp256k1',
        x: 'eb5mfvncu6xVoGKVzocLBwKb_NstzijZWfKBWxb4F5g',
        y: 'SDradyajxGVdpPv8DhEIqP0XtEimhVQZnEfQj_sQ1Lg'
      });
      secp256k1InOpenSsl = true;
    } catch {
      secp256k1InOpenSsl = false;
    }
  }
  return secp256k1InOpenSsl;
}

export const nodeCrypto: CryptoProvider = {
  es256k: (kid, x, y) => (openSslHasSecp256k1() ? openSslEs256k(kid, x, y) : nobleEs256k(kid, x, y)),
  eddsa: openSslEd25519
};
