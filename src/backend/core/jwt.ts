// Compact JWS assembly (RFC 7515 §7.1) for JWTs (RFC 7519).
import type { JwsAlgorithm } from './algorithms';
import { base64UrlEncode, base64UrlEncodeText } from './base64url';
import type { Claims } from './claims';
import { normalizeLowS } from './secp256k1';
import { sha256 } from './sha256';

export type { JwsAlgorithm };

export interface JwtHeader {
  alg: JwsAlgorithm;
  /** `at+jwt` marks an RFC 9068 access token, so it cannot pass for an ID token or another JWT. */
  typ: 'JWT' | 'at+jwt';
  kid: string;
}

export class JwsError extends Error {
  readonly code = 'ERR_JWS';
}

export function jwtHeader(alg: JwsAlgorithm, kid: string, typ: JwtHeader['typ'] = 'JWT'): JwtHeader {
  return { alg, typ, kid };
}

/** The ASCII text that is signed: base64url(header) "." base64url(claims). */
export function signingInput(header: JwtHeader, claims: Claims | Readonly<Record<string, unknown>>): string {
  return `${base64UrlEncodeText(JSON.stringify(header))}.${base64UrlEncodeText(JSON.stringify(claims))}`;
}

/**
 * What the threshold key signs, given the signing input's bytes: ES256K's sign_with_ecdsa takes
 * SHA-256 of them (RFC 8812 §3.2); EdDSA's sign_with_schnorr takes them whole (Ed25519 hashes them itself).
 */
export function signedMessage(alg: JwsAlgorithm, inputBytes: Uint8Array): Uint8Array {
  return alg === 'ES256K' ? sha256(inputBytes) : inputBytes;
}

/** The token's third part. ES256K: 64 bytes r||s, low-S. EdDSA: the 64-byte Ed25519 signature as is. */
export function signatureSegment(rawSignature: Uint8Array, alg: JwsAlgorithm): string {
  if (alg === 'ES256K') return base64UrlEncode(normalizeLowS(rawSignature));
  if (rawSignature.length !== 64) throw new JwsError(`expected a 64-byte Ed25519 signature, got ${rawSignature.length} bytes`);
  return base64UrlEncode(rawSignature);
}

/** The compact token. */
export function compactJws(input: string, rawSignature: Uint8Array, alg: JwsAlgorithm = 'ES256K'): string {
  return `${input}.${signatureSegment(rawSignature, alg)}`;
}
