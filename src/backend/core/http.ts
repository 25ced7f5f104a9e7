// http_request: two public documents, precomputed whenever the config or the keys change, and
// certified (HTTP certification v2) in the same step, so queries only attach the certificate.
import { candidBlobTextBytes, hexToBytes, utf8 } from './bytes';
import {
  canonicalRequestPath,
  CERTIFICATE_EXPRESSION_HEADER,
  CERTIFICATE_HEADER_NAME,
  certifyResponses,
  isOverlongUrl,
  rememberBodyHash,
  REQUEST_PATH_LIMITS,
  type CertifiedResponses
} from './certification';
import type { Config } from './config';
import { completeReply, replyAroundLastHeader, type ReplyAroundLastHeader } from './http_reply';
import { encodeHttpResponse } from './candid';
import { DISCOVERY_MAX_AGE_SECONDS, JWKS_MAX_AGE_SECONDS } from './http_cache';
import type { KeyRing } from './key_ring';
import {
  AUTHORIZE_PAGE_CANDID_BLOB,
  AUTHORIZE_PAGE_LENGTH,
  AUTHORIZE_PAGE_SCRIPT_HASH,
  AUTHORIZE_PAGE_SHA256,
  AUTHORIZE_PAGE_STYLE_HASH
} from './generated/authorize_page';
import { endpointsFor, originOf } from './oidc/page_endpoints';
import { AUTHORIZE_PATH, TOKEN_PATH } from './oidc/endpoints';
import { AUTHORIZATION_SERVER_METADATA_PATH, discoveryDocument, DISCOVERY_PATH, jwksDocument, JWKS_PATH } from './well_known';

export type HeaderField = [name: string, value: string];

export interface HttpRequest {
  method: string;
  url: string;
  headers: HeaderField[];
  body: Uint8Array;
}

export interface HttpResponse {
  statusCode: number;
  headers: HeaderField[];
  body: Uint8Array;
  /** Asks the gateway to send the request again as an update call (http_request_update). */
  upgrade?: boolean;
}

interface PathResponses {
  document: HttpResponse;
  preflight: HttpResponse;
  methodNotAllowed: HttpResponse;
}

export interface HttpResources {
  byPath: ReadonlyMap<string, PathResponses>;
  notFound: HttpResponse;
  /** For a path over REQUEST_PATH_LIMITS, whatever the method. */
  uriTooLong: HttpResponse;
  certification: CertifiedResponses<HttpResponse>;
  /** Each certified response's Candid reply, ready for its IC-Certificate header (see http_reply.ts). */
  replies: ReadonlyMap<HttpResponse, ReplyAroundLastHeader>;
}

export const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';
export const TOKEN_ALLOWED_METHODS = 'POST, OPTIONS';

// Every header is certified (see certification/cel_expression.ts): the gateway drops uncertified ones.
const COMMON_HEADERS: HeaderField[] = [
  ['access-control-allow-origin', '*'],
  ['x-content-type-options', 'nosniff'],
  [...CERTIFICATE_EXPRESSION_HEADER]
];

function document(contentType: string, maxAgeSeconds: number, body: string): HttpResponse {
  return {
    statusCode: 200,
    headers: [['content-type', contentType], ['cache-control', `public, max-age=${maxAgeSeconds}`], ...COMMON_HEADERS],
    body: utf8(body)
  };
}

function jsonError(statusCode: number, error: string, message: string, extra: HeaderField[] = []): HttpResponse {
  return {
    statusCode,
    headers: [['content-type', 'application/json'], ['cache-control', 'no-store'], ...COMMON_HEADERS, ...extra],
    body: utf8(JSON.stringify({ error, message }))
  };
}

function preflight(methods: string, extra: HeaderField[] = []): HttpResponse {
  return {
    statusCode: 204,
    headers: [['allow', methods], ['access-control-allow-methods', methods], ['access-control-max-age', '86400'], ...extra, ...COMMON_HEADERS],
    body: new Uint8Array()
  };
}

const PREFLIGHT = preflight(ALLOWED_METHODS);

const URI_TOO_LONG = jsonError(
  414,
  'uri_too_long',
  `Paths are limited to ${REQUEST_PATH_LIMITS.maxPathLength} characters and ${REQUEST_PATH_LIMITS.maxSegments} segments.`
);

const METHOD_NOT_ALLOWED = jsonError(405, 'method_not_allowed', `Use ${ALLOWED_METHODS}.`, [['allow', ALLOWED_METHODS]]);

/**
 * /token takes POST only, answered by http_request_update. Its other answers are certified like
 * every query answer. Security: a malicious node may serve this certified 405 for a POST instead
 * of asking to upgrade (availability only), and a forged upgrade of any other request reaches
 * http_request_update, which serves POST /token and nothing else.
 */
const TOKEN_METHOD_NOT_ALLOWED = jsonError(405, 'method_not_allowed', `Use ${TOKEN_ALLOWED_METHODS}.`, [['allow', TOKEN_ALLOWED_METHODS]]);
const TOKEN_PREFLIGHT = preflight(TOKEN_ALLOWED_METHODS, [['access-control-allow-headers', 'content-type']]);

/** The query's answer to POST /token: not certified, since the gateway discards it and calls http_request_update. */
export const UPGRADE_TO_UPDATE: HttpResponse = { statusCode: 200, headers: [], body: new Uint8Array(), upgrade: true };

/**
 * Security: the page runs only its own inline script and style (pinned by hash), talks only to
 * the IC API it derives from the issuer's origin, and cannot be framed (clickjacking a login).
 */
export function authorizePageCsp(issuer: string): string {
  const endpoints = endpointsFor(originOf(issuer));
  return [
    "default-src 'none'",
    `script-src '${AUTHORIZE_PAGE_SCRIPT_HASH}'`,
    `style-src '${AUTHORIZE_PAGE_STYLE_HASH}'`,
    `connect-src ${endpoints === undefined ? "'none'" : endpoints.icHost}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join('; ');
}

/** The same bytes serve every issuer; their hash was computed when the page was built. */
let authorizePageBody: Uint8Array | undefined;

/**
 * Gives the page's bytes as `decode` turns the text of AUTHORIZE_PAGE_CANDID_BLOB into bytes (the
 * canister passes Azle's native Candid encoder: decoding 200 KB in the interpreter costs it
 * hundreds of millions of instructions at every install).
 * Security: bytes other than the page's would not match the build-time hash certified for them,
 * and gateways would refuse the page; a length other than the page's is refused here.
 */
export function decodeAuthorizePage(decode: (candidBlobText: string) => Uint8Array = candidBlobTextBytes): void {
  const body = decode(AUTHORIZE_PAGE_CANDID_BLOB);
  if (body.length !== AUTHORIZE_PAGE_LENGTH) throw new Error(`the authorization page decoded to ${body.length} bytes, not ${AUTHORIZE_PAGE_LENGTH}`);
  rememberBodyHash(body, hexToBytes(AUTHORIZE_PAGE_SHA256));
  authorizePageBody = body;
}

function authorizePageBytes(): Uint8Array {
  if (authorizePageBody === undefined) decodeAuthorizePage();
  return authorizePageBody!;
}

/** The authorization page: one HTML file, its script and style inline and pinned by hash in the CSP. */
function authorizePage(issuer: string): HttpResponse {
  return {
    statusCode: 200,
    headers: [
      ['content-type', 'text/html; charset=utf-8'],
      ['cache-control', 'no-store'],
      ['content-security-policy', authorizePageCsp(issuer)],
      ['referrer-policy', 'no-referrer'],
      ['x-frame-options', 'DENY'],
      ...COMMON_HEADERS
    ],
    body: authorizePageBytes()
  };
}

export { DISCOVERY_MAX_AGE_SECONDS, JWKS_MAX_AGE_SECONDS };

export function buildHttpResources(config: Config, ring: KeyRing): HttpResources {
  const discovery = document('application/json', DISCOVERY_MAX_AGE_SECONDS, discoveryDocument(config));
  const byPath = new Map<string, PathResponses>([
    [JWKS_PATH, { document: document('application/jwk-set+json', JWKS_MAX_AGE_SECONDS, jwksDocument(ring)), preflight: PREFLIGHT, methodNotAllowed: METHOD_NOT_ALLOWED }],
    [DISCOVERY_PATH, { document: discovery, preflight: PREFLIGHT, methodNotAllowed: METHOD_NOT_ALLOWED }],
    [AUTHORIZATION_SERVER_METADATA_PATH, { document: discovery, preflight: PREFLIGHT, methodNotAllowed: METHOD_NOT_ALLOWED }],
    [AUTHORIZE_PATH, { document: authorizePage(config.issuer), preflight: PREFLIGHT, methodNotAllowed: METHOD_NOT_ALLOWED }],
    [TOKEN_PATH, { document: TOKEN_METHOD_NOT_ALLOWED, preflight: TOKEN_PREFLIGHT, methodNotAllowed: TOKEN_METHOD_NOT_ALLOWED }]
  ]);
  // The body never echoes the request: nothing a client sends is reflected.
  const notFound = jsonError(404, 'not_found', `This canister serves ${[...byPath.keys()].join(', ')} only.`);
  const certification = certifyResponses({
    exact: new Map([...byPath].map(([path, responses]) => [path, [responses.document, responses.preflight, responses.methodNotAllowed]])),
    fallback: notFound,
    overlong: URI_TOO_LONG
  });
  const certified = new Set([notFound, URI_TOO_LONG, ...[...byPath.values()].flatMap((responses) => [responses.document, responses.preflight, responses.methodNotAllowed])]);
  const replies = new Map([...certified].map((response) => [response, replyAroundLastHeader(response, CERTIFICATE_HEADER_NAME)]));
  return { byPath, notFound, uriTooLong: URI_TOO_LONG, certification, replies };
}

/**
 * Routes on the path as the HTTP gateway reads it (percent-decoded, query ignored), so that
 * the answer is the one certified for that path. HEAD gets the GET response: response-only
 * certification hashes the body, and HTTP servers drop a HEAD response's body on the wire.
 */
export function routeHttpRequest(resources: HttpResources, request: Pick<HttpRequest, 'method' | 'url'>): HttpResponse {
  if (isOverlongUrl(request.url)) return resources.uriTooLong;
  const path = canonicalRequestPath(request.url) ?? '';
  const responses = resources.byPath.get(path);
  if (responses === undefined) return resources.notFound;
  if (path === TOKEN_PATH && request.method === 'POST') return UPGRADE_TO_UPDATE;
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      return responses.document;
    case 'OPTIONS':
      return responses.preflight;
    default:
      return responses.methodNotAllowed;
  }
}

/** The response with its IC-Certificate header, given the data certificate of this query. */
export function certifiedResponse(resources: HttpResources, url: string, response: HttpResponse, dataCertificate: Uint8Array): HttpResponse {
  return resources.certification.withCertificate(url, response, dataCertificate);
}

/**
 * http_request's whole reply, Candid-encoded: the routed response with its IC-Certificate header
 * when the query has a data certificate (byte for byte encodeHttpResponse of certifiedResponse),
 * else the response as it is (an upgrade, or http_request called as an update).
 */
export function encodeHttpReply(resources: HttpResources, request: Pick<HttpRequest, 'method' | 'url'>, dataCertificate: Uint8Array | undefined): Uint8Array {
  const response = routeHttpRequest(resources, request);
  if (response.upgrade === true || dataCertificate === undefined) return encodeHttpResponse(response);
  const reply = resources.replies.get(response);
  if (reply !== undefined) return completeReply(reply, resources.certification.certificateHeaderValue(request.url, response, dataCertificate));
  return encodeHttpResponse({ ...response, headers: [...response.headers, resources.certification.certificateHeader(request.url, response, dataCertificate)] });
}
