import { Principal } from '@dfinity/principal';
import { EffectiveCanisterIdError, HttpInterfaceError, UnsupportedContentTypeError } from './errors';
import { CBOR_CONTENT_TYPE, type HttpReply, type IcHttpInterface } from './ic-http-interface';

/**
 * Maps the endpoints of the interface spec ("HTTPS Interface") to the
 * protocol, and protocol errors to the plain-text replies the replica gives.
 * agent-js 3.4.3 uses /api/v2/status, /api/v2/canister/<id>/query,
 * /api/v3/canister/<id>/call (falling back to /api/v2/.../call on 404) and
 * /api/v2/canister/<id>/read_state.
 */

export interface HttpRequestInput {
  readonly method: string;
  /** The request target: path, possibly with a query string. */
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: Uint8Array;
}

export interface RouterOptions {
  /** Serve /api/v3/canister/<id>/call; without it that endpoint answers 404 and agents fall back to v2 and polling. */
  readonly syncCallEndpoint: boolean;
}

const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';
const CANISTER_ENDPOINT = /^\/api\/(v2|v3)\/canister\/([^/]+)\/(query|call|read_state)$/;
const SUBNET_READ_STATE = /^\/api\/v2\/subnet\/([^/]+)\/read_state$/;

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
  const canisterEndpoint = CANISTER_ENDPOINT.exec(path);
  if (canisterEndpoint !== null) {
    const [, version, idText, action] = canisterEndpoint;
    const known = version === 'v2' || (action === 'call' && options.syncCallEndpoint);
    if (!known) return textReply(404, 'Not found.');
    if (request.method !== 'POST') return methodNotAllowed('POST');
    requireCbor(request.contentType);
    const effectiveCanisterId = principalFromUrl(idText ?? '', 'effective canister id');
    if (action === 'query') return api.query(effectiveCanisterId, request.body);
    if (action === 'read_state') return api.readCanisterState(effectiveCanisterId, request.body);
    return api.call(version === 'v3' ? 'v3' : 'v2', effectiveCanisterId, request.body);
  }
  const subnetReadState = SUBNET_READ_STATE.exec(path);
  if (subnetReadState !== null) {
    if (request.method !== 'POST') return methodNotAllowed('POST');
    requireCbor(request.contentType);
    return api.readSubnetState(principalFromUrl(subnetReadState[1] ?? '', 'subnet id'), request.body);
  }
  return textReply(404, 'Not found.');
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
