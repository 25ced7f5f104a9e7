// The response hash (HTTP Gateway Protocol, "Response Hash Calculation"): what a certification
// binds a path to. The status travels as the `:ic-cert-status` pseudo-header, as the IC's own
// implementation and verifier do.
import { concatBytes } from '../bytes';
import { sha256 } from '../sha256';

import { CERTIFICATE_EXPRESSION_HEADER_NAME } from './cel_expression';
import { representationIndependentHash } from './representation_independent_hash';

export const CERTIFICATE_HEADER_NAME = 'ic-certificate';
export const RESPONSE_STATUS_PSEUDO_HEADER = ':ic-cert-status';

export type HeaderPair = readonly [name: string, value: string];

export interface CertifiableResponse {
  readonly statusCode: number;
  readonly headers: readonly HeaderPair[];
  readonly body: Uint8Array;
}

/**
 * The headers a gateway hashes: the expression header always, IC-Certificate never, others when
 * listed (names compared case-insensitively, then lowercased). Repeated headers all count.
 */
export function certifiedHeaders(headers: readonly HeaderPair[], certifiedNames: readonly string[]): [string, string][] {
  const listed = new Set(certifiedNames.map((name) => name.toLowerCase()));
  const out: [string, string][] = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === CERTIFICATE_HEADER_NAME) continue;
    if (lower === CERTIFICATE_EXPRESSION_HEADER_NAME || listed.has(lower)) out.push([lower, value]);
  }
  return out;
}

export function responseHeadersHash(statusCode: number, headers: readonly HeaderPair[]): Uint8Array {
  return representationIndependentHash([...headers, [RESPONSE_STATUS_PSEUDO_HEADER, statusCode]]);
}

/**
 * SHA-256 of each body, kept per body object: responses are rebuilt at every key or config change,
 * mostly around the same bodies (the 200 KB authorization page costs billions of instructions to
 * hash in the canister). Bodies are never written after they are built, so a body's hash stays true.
 */
const bodyHashes = new WeakMap<Uint8Array, Uint8Array>();

/**
 * Records a body's SHA-256 computed elsewhere (the authorization page's, at build time), so it is
 * never hashed here. Security: a wrong hash cannot certify other content; gateways would reject
 * this body (tests/unit/http.test.ts checks the recorded hash against node:crypto).
 */
export function rememberBodyHash(body: Uint8Array, hash: Uint8Array): void {
  if (hash.length !== 32) throw new RangeError(`a SHA-256 hash has 32 bytes, not ${hash.length}`);
  bodyHashes.set(body, hash);
}

function hashOfBody(body: Uint8Array): Uint8Array {
  let hash = bodyHashes.get(body);
  if (hash === undefined) bodyHashes.set(body, (hash = sha256(body)));
  return hash;
}

/** SHA-256(headers hash ‖ body hash); pass `bodyHash` when it is already known. */
export function responseHash(
  response: CertifiableResponse,
  certifiedNames: readonly string[],
  bodyHash: Uint8Array = hashOfBody(response.body)
): Uint8Array {
  const headersHash = responseHeadersHash(response.statusCode, certifiedHeaders(response.headers, certifiedNames));
  return sha256(concatBytes(headersHash, bodyHash));
}
