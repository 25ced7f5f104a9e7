// What the authorization page reads from its own URL: the authorization request (its query) and
// where the IC and the identity provider are (its origin, see page_endpoints.ts). Pure: unit tested in Node.

export const REQUEST_PARAMETERS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method'
] as const;

export type RequestParameter = (typeof REQUEST_PARAMETERS)[number];
export type AuthorizationRequest = Record<RequestParameter, string>;

/**
 * The request's parameters, "" when absent, or the name of one sent twice (RFC 6749 §3.1: a
 * parameter must not be repeated; which copy counts is what an attacker would play on).
 */
export function readAuthorizationRequest(search: string): { ok: true; request: AuthorizationRequest } | { ok: false; repeated: string } {
  const query = new URLSearchParams(search);
  const request = {} as AuthorizationRequest;
  for (const name of REQUEST_PARAMETERS) {
    const values = query.getAll(name);
    if (values.length > 1) return { ok: false, repeated: name };
    request[name] = values[0] ?? '';
  }
  return { ok: true, request };
}

export { endpointsFor, type PageEndpoints } from '../backend/core/oidc/page_endpoints';
