import { Principal } from '@dfinity/principal';
import { EffectiveCanisterIdError, HttpInterfaceError, UnsupportedContentTypeError } from './errors';
import { CBOR_CONTENT_TYPE, type CallVersion, type HttpReply, type IcHttpInterface } from './ic_http_interface';

/**
 * Maps the endpoints of the interface spec ("HTTPS Interface") to the
 * protocol, and protocol errors to the plain-text replies the replica gives.
 * Current endpoints (spec 0.50.0, 0.60.0): /api/v4/{canister,subnet}/<id>/call,
 * /api/v3/{canister,subnet}/<id>/{query,read_state}; @icp-sdk/core 6 and
 * ic-agent 0.49 (icp-cli) use them. Deprecated ones, still served: /api/v2/...
 * and /api/v3/canister/<id>/call, which @dfinity/agent 3.4.3 uses.
 */

export interface HttpRequestInput {
  readonly method: string;
  /** The request target: path, possibly with a query string. */
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: Uint8Array;
}

export interface RouterOptions {
  /** Serve the synchronous calls (/api/v3 and /api/v4 .../call); without them those answer 404 and agents fall back to v2 and polling. */
  readonly syncCallEndpoint: boolean;
}

const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';
const ENDPOINT = /^\/api\/(v2|v3|v4)\/(canister|subnet)\/([^/]+)\/(query|call|read_state)$/;

type Action = 'query' | 'call' | 'read_state';

/** Which API version serves which action; v3 call is the deprecated synchronous call, v4 its successor. */
const CANISTER_VERSIONS: Readonly<Record<Action, readonly string[]>> = {
  query: ['v2', 'v3'],
  call: ['v2', 'v3', 'v4'],
  read_state: ['v2', 'v3']
};
const SUBNET_VERSIONS: Readonly<Record<Action, readonly string[]>> = {
  query: ['v3'],
  call: ['v4'],
  read_state: ['v2', 'v3']
};

export async function routeRequest(api: IcHttpInterface, request: HttpRequestInput, options: RouterOptions): Promise<HttpReply> {
  try {
    return await dispatch(api, request, options);
  } catch (error) {
    if (error instanceof HttpInterfaceError) return textReply(error.httpStatus, error.message);
    const reason = error instanceof Error ? error.message : String(error);
    return textReply(500, `Internal error of the local IC: ${reason}`);
  }
}

async function dispatch(api: IcHttpInterface, request: HttpRequestInput, options: RouterOptions): Promise<HttpReply> {
  const path = request.url.split('?', 1)[0] ?? '';
  if (path === '/api/v2/status') {
    return request.method === 'GET' || request.method === 'HEAD' ? api.status() : methodNotAllowed('GET');
  }
  const endpoint = ENDPOINT.exec(path);
  if (endpoint === null) return textReply(404, 'Not found.');
  const [, version = '', scope, idText = '', actionText] = endpoint;
  const action = actionText as Action;
  const served = (scope === 'canister' ? CANISTER_VERSIONS : SUBNET_VERSIONS)[action].includes(version);
  const synchronous = action === 'call' && version !== 'v2';
  if (!served || (synchronous && !options.syncCallEndpoint)) return textReply(404, 'Not found.');
  if (request.method !== 'POST') return methodNotAllowed('POST');
  requireCbor(request.contentType);
  const generation = version === 'v2' ? 'deprecated' : 'current';
  if (scope === 'subnet') {
    const subnetId = principalFromUrl(idText, 'subnet id');
    if (action === 'query') return api.subnetQuery(subnetId, request.body);
    if (action === 'read_state') return api.readSubnetState(generation, subnetId, request.body);
    return api.subnetCall(subnetId, request.body);
  }
  const effectiveCanisterId = principalFromUrl(idText, 'effective canister id');
  if (action === 'query') return api.query(effectiveCanisterId, request.body, generation);
  if (action === 'read_state') return api.readCanisterState(generation, effectiveCanisterId, request.body);
  return api.call(version as CallVersion, effectiveCanisterId, request.body);
}

function requireCbor(contentType: string | undefined): void {
  if (contentType?.toLowerCase() !== CBOR_CONTENT_TYPE) throw new UnsupportedContentTypeError();
}

function principalFromUrl(text: string, what: string): Principal {
  try {
    return Principal.fromText(decodeURIComponent(text));
  } catch {
    throw new EffectiveCanisterIdError(`Could not parse the ${what} '${text}' in the URL as a principal.`);
  }
}

function methodNotAllowed(allowed: string): HttpReply {
  return textReply(405, `Method not allowed; use ${allowed}.`);
}

function textReply(status: number, message: string): HttpReply {
  return { status, contentType: TEXT_CONTENT_TYPE, body: message };
}
