// Compact JWS assembly (RFC 7515 §7.1) for JWTs (RFC 7519).
import { sha256 } from '@noble/hashes/sha2.js';

import { base64UrlEncode, base64UrlEncodeText } from './base64url';
import { utf8 } from './bytes';
import type { Claims } from './claims';
import { normalizeLowS } from './secp256k1';

export type JwsAlgorithm = 'ES256K';

export interface JwtHeader {
  alg: JwsAlgorithm;
  typ: 'JWT';
  kid: string;
}

export function jwtHeader(alg: JwsAlgorithm, kid: string): JwtHeader {
  return { alg, typ: 'JWT', kid };
}

/** The ASCII text that is signed: base64url(header) "." base64url(claims). */
export function signingInput(header: JwtHeader, claims: Claims): string {
  return `${base64UrlEncodeText(JSON.stringify(header))}.${base64UrlEncodeText(JSON.stringify(claims))}`;
}

/** ES256K signs SHA-256 of the signing input (RFC 8812 §3.2). */
export function signingDigest(input: string): Uint8Array {
  return sha256(utf8(input));
}

/** The compact token, with the ES256K signature in its JOSE form: 64 bytes r||s, low-S. */
export function compactJws(input: string, rawSignature: Uint8Array): string {
  return `${input}.${base64UrlEncode(normalizeLowS(rawSignature))}`;
}
