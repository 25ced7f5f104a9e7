// Proof Key for Code Exchange (RFC 7636), S256 only: `plain` would hand the verifier to anyone
// who sees the authorization request.
import { sha256 } from '../sha256';

import { base64UrlEncode } from '../base64url';
import { utf8 } from '../bytes';

export const PKCE_METHOD = 'S256';

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** base64url (no padding) of a SHA-256 digest: 43 characters. */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function isCodeVerifier(text: string): boolean {
  return VERIFIER.test(text);
}

export function isS256Challenge(text: string): boolean {
  return CHALLENGE.test(text);
}

/** BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2). */
export function s256Challenge(verifier: string): string {
  return base64UrlEncode(sha256(utf8(verifier)));
}

/** RFC 7636 §4.6; compared in constant time, so timing tells nothing about how much of a guess matched. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!isCodeVerifier(verifier)) return false;
  return constantTimeEqual(s256Challenge(verifier), challenge);
}

export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
