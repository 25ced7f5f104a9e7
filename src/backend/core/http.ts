// http_request: two public documents, precomputed whenever the config or the keys change, and
// certified (HTTP certification v2) in the same step, so queries only attach the certificate.
import { utf8 } from './bytes';
import {
  canonicalRequestPath,
  CERTIFICATE_EXPRESSION_HEADER,
  certifyResponses,
  isOverlongUrl,
  REQUEST_PATH_LIMITS,
  type CertifiedResponses
} from './certification';
import type { Config } from './config';
import { DISCOVERY_MAX_AGE_SECONDS, JWKS_MAX_AGE_SECONDS } from './http_cache';
import type { KeyRing } from './key_ring';
import { discoveryDocument, DISCOVERY_PATH, jwksDocument, JWKS_PATH } from './well_known';

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
}

export const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

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

const PREFLIGHT: HttpResponse = {
  statusCode: 204,
  headers: [
    ['allow', ALLOWED_METHODS],
    ['access-control-allow-methods', ALLOWED_METHODS],
    ['access-control-max-age', '86400'],
    ...COMMON_HEADERS
  ],
  body: new Uint8Array()
};

const URI_TOO_LONG = jsonError(
  414,
  'uri_too_long',
  `Paths are limited to ${REQUEST_PATH_LIMITS.maxPathLength} characters and ${REQUEST_PATH_LIMITS.maxSegments} segments.`
);

const METHOD_NOT_ALLOWED = jsonError(405, 'method_not_allowed', `Use ${ALLOWED_METHODS}.`, [['allow', ALLOWED_METHODS]]);

export { DISCOVERY_MAX_AGE_SECONDS, JWKS_MAX_AGE_SECONDS };

export function buildHttpResources(config: Config, ring: KeyRing): HttpResources {
  const byPath = new Map<string, PathResponses>([
    [JWKS_PATH, { document: document('application/jwk-set+json', JWKS_MAX_AGE_SECONDS, jwksDocument(ring)), preflight: PREFLIGHT, methodNotAllowed: METHOD_NOT_ALLOWED }],
    [DISCOVERY_PATH, { document: document('application/json', DISCOVERY_MAX_AGE_SECONDS, discoveryDocument(config)), preflight: PREFLIGHT, methodNotAllowed: METHOD_NOT_ALLOWED }]
  ]);
  // The body never echoes the request: nothing a client sends is reflected.
  const notFound = jsonError(404, 'not_found', `This canister serves ${JWKS_PATH} and ${DISCOVERY_PATH} only.`);
  const certification = certifyResponses({
    exact: new Map([...byPath].map(([path, responses]) => [path, [responses.document, responses.preflight, responses.methodNotAllowed]])),
    fallback: notFound,
    overlong: URI_TOO_LONG
  });
  return { byPath, notFound, uriTooLong: URI_TOO_LONG, certification };
}

/**
 * Routes on the path as the HTTP gateway reads it (percent-decoded, query ignored), so that
 * the answer is the one certified for that path. HEAD gets the GET response: response-only
 * certification hashes the body, and HTTP servers drop a HEAD response's body on the wire.
 */
export function routeHttpRequest(resources: HttpResources, request: Pick<HttpRequest, 'method' | 'url'>): HttpResponse {
  if (isOverlongUrl(request.url)) return resources.uriTooLong;
  const responses = resources.byPath.get(canonicalRequestPath(request.url) ?? '');
  if (responses === undefined) return resources.notFound;
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
