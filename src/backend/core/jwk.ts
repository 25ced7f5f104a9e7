import { sha256 } from './sha256';

import { base64UrlEncode } from './base64url';
import { utf8 } from './bytes';
import { decompressPublicKey } from './secp256k1';

export interface EcPublicJwk {
  kty: 'EC';
  crv: 'secp256k1';
  x: string;
  y: string;
  alg: 'ES256K';
  use: 'sig';
  kid: string;
}

export interface OkpPublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  alg: 'EdDSA';
  use: 'sig';
  kid: string;
}

export type PublicJwk = EcPublicJwk | OkpPublicJwk;

/** RFC 7638 §3.2: the members each key type requires, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
  oct: ['k', 'kty']
};

export class JwkError extends Error {
  readonly code = 'ERR_JWK';
}

/** RFC 7638 JWK thumbprint (SHA-256), base64url. */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string {
  const kty = jwk['kty'];
  const members = typeof kty === 'string' ? THUMBPRINT_MEMBERS[kty] : undefined;
  if (members === undefined) throw new JwkError(`unsupported kty for a thumbprint: ${String(kty)}`);
  const required: Record<string, string> = {};
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string') throw new JwkError(`JWK member "${name}" must be a string`);
    required[name] = value;
  }
  // Members are inserted in sorted order and hold only strings, so JSON.stringify
  // yields exactly the RFC's whitespace-free canonical form.
  return base64UrlEncode(sha256(utf8(JSON.stringify(required))));
}

/** The ES256K JWK for a compressed SEC1 public key, with its thumbprint as kid. */
export function es256kJwk(compressedPublicKey: Uint8Array): EcPublicJwk {
  const { x, y } = decompressPublicKey(compressedPublicKey);
  const members = { kty: 'EC', crv: 'secp256k1', x: base64UrlEncode(x), y: base64UrlEncode(y) } as const;
  return { ...members, alg: 'ES256K', use: 'sig', kid: jwkThumbprint(members) };
}

/** The EdDSA JWK (RFC 8037 §2) for the 32-byte Ed25519 key that schnorr_public_key returns, with its thumbprint as kid. */
export function ed25519Jwk(publicKey: Uint8Array): OkpPublicJwk {
  if (publicKey.length !== 32) throw new JwkError(`expected a 32-byte Ed25519 public key, got ${publicKey.length} bytes`);
  const members = { kty: 'OKP', crv: 'Ed25519', x: base64UrlEncode(publicKey) } as const;
  return { ...members, alg: 'EdDSA', use: 'sig', kid: jwkThumbprint(members) };
}
