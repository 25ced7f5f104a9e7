// One-time authorization codes (RFC 6749 §4.1.2, §10.5): 256 bits from raw_rand, valid for
// CODE_TTL_MS, bound to everything the token request must repeat or prove.
import { sha256 } from '../sha256';

import { base64UrlEncode } from '../base64url';
import { bytesToHex, utf8 } from '../bytes';
import type { ValidAuthorization } from './authorization';

export const CODE_BYTES = 32;
export const CODE_TTL_MS = 60_000;
/** Live codes at most: each one is a stable-memory entry until pruned. */
export const MAX_LIVE_CODES = 10_000;

export interface StoredCode {
  principal: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string;
  scope: string;
  authTimeSeconds: number;
  expiresAtMs: number;
}

/** The code as the client sees it: base64url of the raw_rand bytes (43 characters). */
export function encodeCode(entropy: Uint8Array): string {
  if (entropy.length !== CODE_BYTES) throw new RangeError(`a code takes ${CODE_BYTES} bytes of entropy`);
  return base64UrlEncode(entropy);
}

/**
 * Codes are stored under their SHA-256, never as is: a copy of stable memory (a node provider,
 * a snapshot) shows which codes exist but gives none that can be presented.
 */
export function codeStorageKey(code: string): string {
  return bytesToHex(sha256(utf8(code)));
}

export function isCodeSyntax(text: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(text);
}

export function storedCode(authorization: ValidAuthorization, principal: string, nowMs: number): StoredCode {
  return {
    principal,
    clientId: authorization.client.clientId,
    redirectUri: authorization.redirectUri,
    codeChallenge: authorization.codeChallenge,
    nonce: authorization.nonce,
    scope: authorization.scope,
    authTimeSeconds: Math.floor(nowMs / 1000),
    expiresAtMs: nowMs + CODE_TTL_MS
  };
}

export function isExpired(code: StoredCode, nowMs: number): boolean {
  return nowMs >= code.expiresAtMs;
}
