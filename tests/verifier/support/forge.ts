// Hostile variants of a valid token, built by hand (never through the library under test).
import { createHash, createHmac, sign, type KeyObject } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';

import { SECP256K1_ORDER } from '../../../src/backend/core/secp256k1';

export const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');
export const unb64 = (part: string): Buffer => Buffer.from(part, 'base64url');

export function splitToken(token: string): [string, string, string] {
  const [header, payload, signature] = token.split('.');
  return [header!, payload!, signature!];
}

export function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(unb64(part).toString('utf8'));
}

/** A token with a new header or claims but the original signature. */
export function withHeader(token: string, change: (header: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, payload, signature] = splitToken(token);
  return `${b64(JSON.stringify(change(decodePart(header))))}.${payload}.${signature}`;
}

export function withClaims(token: string, change: (claims: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, payload, signature] = splitToken(token);
  return `${header}.${b64(JSON.stringify(change(decodePart(payload))))}.${signature}`;
}

/** Flips one bit in the decoded bytes of part `index` (0 header, 1 payload, 2 signature). */
export function flipBit(token: string, index: 0 | 1 | 2, byte: number, bit = 0): string {
  const parts = splitToken(token);
  const bytes = unb64(parts[index]);
  bytes[byte % bytes.length]! ^= 1 << bit;
  parts[index] = b64(bytes);
  return parts.join('.');
}

/** The same signature with s replaced by n - s: valid ECDSA, but high-S. */
export function highSTwin(token: string): string {
  const [header, payload, signature] = splitToken(token);
  const bytes = unb64(signature);
  const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
  const twin = Buffer.concat([bytes.subarray(0, 32), Buffer.from((SECP256K1_ORDER - s).toString(16).padStart(64, '0'), 'hex')]);
  if (!secp256k1.Signature.fromBytes(twin, 'compact').hasHighS()) throw new Error('the twin is not high-S');
  return `${header}.${payload}.${b64(twin)}`;
}

/** alg "none" with an empty signature (RFC 7519 §6). */
export function algNone(token: string): string {
  const [, payload] = splitToken(token);
  const [header] = splitToken(withHeader(token, (h) => ({ ...h, alg: 'none' })));
  return `${header}.${payload}.`;
}

/**
 * The classic key confusion: re-sign as HS256 using the issuer's *public* key as the HMAC
 * secret, hoping the verifier feeds its key to HMAC. Secret is the key in some spelling.
 */
export function hs256WithPublicKey(token: string, secret: string | Uint8Array): string {
  const [, payload] = splitToken(token);
  const [header] = splitToken(withHeader(token, (h) => ({ ...h, alg: 'HS256' })));
  const mac = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  return `${header}.${payload}.${b64(mac)}`;
}

/**
 * Rewrites the signature part in a spelling that lenient base64url decoders read as the
 * same bytes: the unused low bits of its last character are set.
 */
export function nonCanonicalSignature(token: string): string {
  const [header, payload, signature] = splitToken(token);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // 64 bytes are 86 characters: the last one carries 2 data bits and 4 unused ones.
  const last = alphabet.indexOf(signature.at(-1)!);
  const changed = `${signature.slice(0, -1)}${alphabet[last | 0b0101]}`;
  if (changed === signature || !unb64(changed).equals(unb64(signature))) throw new Error('no non-canonical twin');
  return `${header}.${payload}.${changed}`;
}

/** Re-encodes the signature part with "=" padding (not allowed in JOSE). */
export function paddedSignature(token: string): string {
  const [header, payload, signature] = splitToken(token);
  return `${header}.${payload}.${signature}${'='.repeat((4 - (signature.length % 4)) % 4)}`;
}

/** Signs any header and claims as ES256K with @noble/curves (low-S), bypassing the canister core's checks. */
export function signEs256k(header: Record<string, unknown>, claims: Record<string, unknown>, secretKey: Uint8Array): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  const digest = new Uint8Array(createHash('sha256').update(input).digest());
  return `${input}.${b64(secp256k1.sign(digest, secretKey, { prehash: false }).toCompactRawBytes())}`;
}

/** Signs any header and claims as EdDSA (Ed25519) with node:crypto, where jose would refuse to sign them. */
export function signEdDsa(header: Record<string, unknown>, claims: Record<string, unknown>, privateKey: KeyObject): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${b64(sign(null, Buffer.from(input), privateKey))}`;
}

/** The signature part with a space inside: lenient base64url decoders skip it. */
export function spacedSignature(token: string): string {
  const [header, payload, signature] = splitToken(token);
  return `${header}.${payload}.${signature.slice(0, 10)} ${signature.slice(10)}`;
}
