// http_request: two public documents, precomputed whenever the config or the keys
// change, so that certification can hash exactly the bytes that are served.
import { utf8 } from './bytes';
import type { Config } from './config';
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

export interface HttpResources {
  byPath: ReadonlyMap<string, HttpResponse>;
  notFound: HttpResponse;
}

export const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

const COMMON_HEADERS: HeaderField[] = [
  ['access-control-allow-origin', '*'],
  ['x-content-type-options', 'nosniff']
];

function document(contentType: string, maxAgeSeconds: number, body: string): HttpResponse {
  return {
    statusCode: 200,
    headers: [
      ['content-type', contentType],
      ['cache-control', `public, max-age=${maxAgeSeconds}`],
      ...COMMON_HEADERS
    ],
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

/** Verifiers refetch the JWKS on an unknown kid, so it may be cached for a few minutes only. */
export const JWKS_MAX_AGE_SECONDS = 300;
export const DISCOVERY_MAX_AGE_SECONDS = 3600;

export function buildHttpResources(config: Config, ring: KeyRing): HttpResources {
  return {
    byPath: new Map([
      [JWKS_PATH, document('application/jwk-set+json', JWKS_MAX_AGE_SECONDS, jwksDocument(ring))],
      [DISCOVERY_PATH, document('application/json', DISCOVERY_MAX_AGE_SECONDS, discoveryDocument(config))]
    ]),
    // The body never echoes the request: nothing a client sends is reflected.
    notFound: jsonError(404, 'not_found', `This canister serves ${JWKS_PATH} and ${DISCOVERY_PATH} only.`)
  };
}

/** The path of a request target, without query or fragment; undefined unless origin-form ("/..."). */
export function requestPath(url: string): string | undefined {
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  return path.startsWith('/') ? path : undefined;
}

export function routeHttpRequest(resources: HttpResources, request: Pick<HttpRequest, 'method' | 'url'>): HttpResponse {
  const path = requestPath(request.url);
  const resource = path === undefined ? undefined : resources.byPath.get(path);
  if (resource === undefined) {
    return request.method === 'HEAD' ? withoutBody(resources.notFound) : resources.notFound;
  }
  switch (request.method) {
    case 'GET':
      return resource;
    case 'HEAD':
      return withoutBody(resource);
    case 'OPTIONS':
      return {
        statusCode: 204,
        headers: [
          ['allow', ALLOWED_METHODS],
          ['access-control-allow-methods', ALLOWED_METHODS],
          ['access-control-max-age', '86400'],
          ...COMMON_HEADERS
        ],
        body: new Uint8Array()
      };
    default:
      return jsonError(405, 'method_not_allowed', `Use ${ALLOWED_METHODS}.`, [['allow', ALLOWED_METHODS]]);
  }
}

function withoutBody(response: HttpResponse): HttpResponse {
  return { ...response, body: new Uint8Array() };
}
