// The certification expression (HTTP Gateway Protocol, "The Certificate Expression Header"):
// which parts of a response the gateway checks. Written in the compact form the IC's own
// implementation produces; the gateway hashes the header value as sent, byte for byte.

export const CERTIFICATE_EXPRESSION_HEADER_NAME = 'ic-certificateexpression';

/**
 * Every header the canister sends, certified by name. Security: a gateway keeps only certified
 * headers of a verified response, and a listed header that a response lacks is certified absent,
 * so no node can add `allow` to a document or change its caching or content type. A header
 * missing here would be dropped at the gateway, so certifying a response that carries one fails.
 * - content-type, x-content-type-options: how clients parse the body.
 * - cache-control: how long caches may keep a JWKS across a key rotation.
 * - access-control-allow-origin: which web pages may read the documents.
 * - allow, access-control-allow-methods, access-control-allow-headers, access-control-max-age: the 405 and OPTIONS answers.
 * - content-security-policy, referrer-policy, x-frame-options: what the authorization page may
 *   run and load, where its URL (with the client's state) may leak, and who may frame it.
 */
export const CERTIFIED_RESPONSE_HEADERS: readonly string[] = [
  'content-type',
  'cache-control',
  'access-control-allow-origin',
  'x-content-type-options',
  'allow',
  'access-control-allow-methods',
  'access-control-max-age',
  'access-control-allow-headers',
  'content-security-policy',
  'referrer-policy',
  'x-frame-options'
];

export class CertificateExpressionError extends Error {
  readonly code = 'ERR_CERTIFICATE_EXPRESSION';
}

// RFC 9110 token characters: a header name. Also keeps `"` and newlines out of the CEL string.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Certifies the response (status, the listed headers, the body) but not the request.
 * Security: without request certification a certified response for a path may be served for any
 * method or query on that path; fine for documents that are the same for every request. The one
 * upgrade (POST /token, see http.ts) is the spec's warning for this mode: a malicious node may serve
 * the certified 405 of /token instead of asking to upgrade, which costs availability only.
 */
export function responseOnlyExpression(certifiedHeaders: readonly string[]): string {
  for (const name of certifiedHeaders) {
    if (!HEADER_NAME.test(name)) throw new CertificateExpressionError(`not a header name: ${JSON.stringify(name)}`);
  }
  const list = certifiedHeaders.map((name) => `"${name}"`).join(',');
  return (
    'default_certification(ValidationArgs{certification:Certification{no_request_certification:Empty{},' +
    `response_certification:ResponseCertification{certified_response_headers:ResponseHeaderList{headers:[${list}]}}}})`
  );
}

export const CERTIFICATE_EXPRESSION = responseOnlyExpression(CERTIFIED_RESPONSE_HEADERS);

/** Every certified response carries this header; it is part of the response hash. */
export const CERTIFICATE_EXPRESSION_HEADER: readonly [name: string, value: string] = [
  CERTIFICATE_EXPRESSION_HEADER_NAME,
  CERTIFICATE_EXPRESSION
];
