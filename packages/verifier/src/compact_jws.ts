// Splits and decodes a compact JWS (RFC 7515 §7.1) whose payload is a JWT claims set.
// No key is involved: this only establishes that the token is well formed.
import { decodeBase64UrlStrict } from './base64url.js';
import { quote, TokenMalformedError } from './errors.js';

export interface JwsHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly [member: string]: unknown;
}

export interface ParsedJws {
  readonly header: JwsHeader;
  readonly payload: Record<string, unknown>;
  /** The ASCII bytes that were signed: base64url(header) "." base64url(payload). */
  readonly signingInput: Uint8Array;
  readonly signature: Uint8Array;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
// The signing input is two strict base64url parts and a dot: ASCII, so UTF-8 encodes it byte for byte.
const ascii = new TextEncoder();

export function parseCompactJws(token: unknown, maxTokenBytes: number): ParsedJws {
  if (typeof token !== 'string') throw new TokenMalformedError('the token is not a string');
  if (token.length > maxTokenBytes) {
    throw new TokenMalformedError(`the token is ${token.length} characters; at most ${maxTokenBytes} are accepted`);
  }
  const firstDot = token.indexOf('.');
  const secondDot = firstDot === -1 ? -1 : token.indexOf('.', firstDot + 1);
  if (secondDot === -1 || token.indexOf('.', secondDot + 1) !== -1) {
    throw new TokenMalformedError('the token is not a compact JWS of three dot-separated parts');
  }
  const header = decodeJsonObject(token.slice(0, firstDot), 'header');
  const payload = decodeJsonObject(token.slice(firstDot + 1, secondDot), 'payload');
  const signature = decodeBase64UrlStrict(token.slice(secondDot + 1));
  if (signature === undefined) throw new TokenMalformedError('the signature is not strict base64url');
  return {
    header: checkHeader(header),
    payload,
    signingInput: ascii.encode(token.slice(0, secondDot)),
    signature
  };
}

function decodeJsonObject(part: string, name: 'header' | 'payload'): Record<string, unknown> {
  const bytes = decodeBase64UrlStrict(part);
  if (bytes === undefined) throw new TokenMalformedError(`the ${name} is not strict base64url`);
  let text: string;
  let value: unknown;
  try {
    text = utf8Strict.decode(bytes);
    value = JSON.parse(text);
  } catch {
    throw new TokenMalformedError(`the ${name} is not UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenMalformedError(`the ${name} is not a JSON object`);
  }
  // A "__proto__" member is spelled out in the text, or escaped (with a backslash): only then walk the tree.
  if ((text.includes('__proto__') || text.includes('\\')) && hasProtoMember(value)) {
    throw new TokenMalformedError(`the ${name} has a member named "__proto__"`);
  }
  return value as Record<string, unknown>;
}

/**
 * Security: JSON.parse keeps "__proto__" as a plain member, but copying the claims with
 * Object.assign or a naive deep merge would then set an object's prototype. Iterative, as
 * nesting may be as deep as the token is long.
 */
function hasProtoMember(root: object): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return true;
    for (const member of Object.values(value)) pending.push(member);
  }
  return false;
}

/**
 * Security: `crit` lists extensions the recipient must understand; we understand none, and
 * an empty list is not allowed (RFC 7515 §4.1.11), so any `crit` rejects the token, as in jose. `b64: false` (RFC 7797) would change
 * what is signed. Keys embedded or referenced in the header (jwk, jku, x5u, x5c) are never
 * used: keys come only from the configured issuer's JWK Set, selected by kid.
 */
function checkHeader(header: Record<string, unknown>): JwsHeader {
  const { alg, kid, crit, b64 } = header;
  if (typeof alg !== 'string') throw new TokenMalformedError('the header has no "alg" string');
  if (kid !== undefined && typeof kid !== 'string') throw new TokenMalformedError('the header "kid" is not a string');
  if (crit !== undefined) {
    throw new TokenMalformedError(`the header has "crit" (${quote(crit)}); no extension is supported, and an empty list is invalid`);
  }
  if (b64 !== undefined && b64 !== true) throw new TokenMalformedError('unencoded payloads (b64: false) are not supported');
  return header as JwsHeader;
}
