// The authorization request (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1, RFC 7636 §4.3):
// checked before the user logs in (check_authorization) and again as the user (authorize).
// Errors follow RFC 6749 §4.1.2.1: a redirect back to the client only once the client and its
// redirect URI are known good; before that, an error page and no redirect, so this endpoint can
// never bounce a user to a URI an attacker chose.
import { err, ok, type Result } from '../issue_error';
import type { OidcClient } from './clients';
import { isS256Challenge, PKCE_METHOD } from './pkce';
import { matchesRegisteredUri, REDIRECT_URI_MAX_LENGTH } from './redirect_uri';

export interface AuthorizationRequest {
  responseType: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  nonce: string;
  codeChallenge: string;
  codeChallengeMethod: string;
}

export type AuthorizationErrorCode =
  | 'invalid_request'
  | 'unauthorized_client'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'server_error'
  | 'temporarily_unavailable';

export interface AuthorizationError {
  error: AuthorizationErrorCode;
  errorDescription: string;
  /** The error redirect, only when the client and redirect URI are known good. */
  redirectTo: string | undefined;
}

/** A request that passed every check: what a code is bound to. */
export interface ValidAuthorization {
  client: OidcClient;
  redirectUri: string;
  /** The granted scope: the supported values among those asked for, "openid" first. */
  scope: string;
  state: string;
  nonce: string;
  codeChallenge: string;
}

export const SUPPORTED_SCOPES = ['openid'] as const;

export const AUTHORIZATION_LIMITS = {
  stateMaxLength: 512,
  nonceMaxLength: 512,
  scopeMaxLength: 256
} as const;

/** A query parameter value: printable ASCII (RFC 6749 Appendix A: VSCHAR), bounded. */
const isVisibleAscii = (text: string): boolean => /^[\x20-\x7e]*$/.test(text);

export function redirectWithParameters(redirectUri: string, parameters: Record<string, string>): string {
  const query = Object.entries(parameters)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return `${redirectUri}?${query}`;
}

export function validateAuthorization(
  request: AuthorizationRequest,
  findClient: (clientId: string) => OidcClient | undefined,
  issuer: string
): Result<ValidAuthorization, AuthorizationError> {
  const page = (error: AuthorizationErrorCode, description: string) => err<AuthorizationError>({ error, errorDescription: description, redirectTo: undefined });
  if (request.clientId === '') return page('invalid_request', 'client_id is missing');
  const client = findClient(request.clientId);
  if (client === undefined) return page('unauthorized_client', 'client_id names no registered client');
  if (request.redirectUri === '') return page('invalid_request', 'redirect_uri is missing');
  if (request.redirectUri.length > REDIRECT_URI_MAX_LENGTH || !client.redirectUris.some((registered) => matchesRegisteredUri(registered, request.redirectUri))) {
    return page('invalid_request', 'redirect_uri is not registered for this client');
  }

  // From here on the redirect URI is the client's own: errors go back to it.
  const stateOk = request.state !== '' && request.state.length <= AUTHORIZATION_LIMITS.stateMaxLength && isVisibleAscii(request.state);
  const back = (error: AuthorizationErrorCode, description: string) => err<AuthorizationError>(authorizationErrorRedirect(request.redirectUri, issuer, error, description, stateOk ? request.state : undefined));
  if (request.responseType !== 'code') return back('unsupported_response_type', 'only response_type=code is supported');
  if (!stateOk) return back('invalid_request', `state is required: 1 to ${AUTHORIZATION_LIMITS.stateMaxLength} printable ASCII characters`);
  if (request.scope.length > AUTHORIZATION_LIMITS.scopeMaxLength || !isVisibleAscii(request.scope)) {
    return back('invalid_request', `scope must be at most ${AUTHORIZATION_LIMITS.scopeMaxLength} printable ASCII characters`);
  }
  const scopes = request.scope.split(' ').filter((value) => value !== '');
  if (!scopes.includes('openid')) return back('invalid_scope', 'scope must include openid');
  if (request.nonce === '' || request.nonce.length > AUTHORIZATION_LIMITS.nonceMaxLength || !isVisibleAscii(request.nonce)) {
    return back('invalid_request', `nonce is required: 1 to ${AUTHORIZATION_LIMITS.nonceMaxLength} printable ASCII characters`);
  }
  if (request.codeChallenge === '') return back('invalid_request', 'PKCE is required: code_challenge is missing');
  if (request.codeChallengeMethod !== PKCE_METHOD) return back('invalid_request', 'code_challenge_method must be S256 (plain is not supported)');
  if (!isS256Challenge(request.codeChallenge)) return back('invalid_request', 'code_challenge must be 43 base64url characters (S256)');

  return ok({
    client,
    redirectUri: request.redirectUri,
    scope: SUPPORTED_SCOPES.filter((value) => scopes.includes(value)).join(' '),
    state: request.state,
    nonce: request.nonce,
    codeChallenge: request.codeChallenge
  });
}

/** An error sent back to a known-good redirect URI (RFC 6749 §4.1.2.1, with RFC 9207's iss). */
export function authorizationErrorRedirect(
  redirectUri: string,
  issuer: string,
  error: AuthorizationErrorCode,
  description: string,
  state: string | undefined
): AuthorizationError {
  const parameters: Record<string, string> = { error, error_description: description };
  if (state !== undefined) parameters['state'] = state;
  parameters['iss'] = issuer;
  return { error, errorDescription: description, redirectTo: redirectWithParameters(redirectUri, parameters) };
}

/** The success redirect: the code, the client's state and the issuer (RFC 9207). */
export function codeRedirect(authorization: ValidAuthorization, code: string, issuer: string): string {
  return redirectWithParameters(authorization.redirectUri, { code, state: authorization.state, iss: issuer });
}
