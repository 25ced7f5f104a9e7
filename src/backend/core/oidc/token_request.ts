// The token request of the authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.5) and its
// errors (RFC 6749 §5.2): parsing, then checking a presented code against what it was bound to.
import { err, ok, type Result } from '../issue_error';
import type { OidcClient } from './clients';
import { isCodeSyntax, isExpired, type StoredCode } from './codes';
import { isFormContentType, parseForm } from './form';
import { isCodeVerifier, verifierMatches } from './pkce';
import { matchesRegisteredUri } from './redirect_uri';

export type TokenErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'temporarily_unavailable'
  | 'server_error';

export interface TokenError {
  error: TokenErrorCode;
  description: string;
  status: number;
  retryAfterSeconds?: number;
}

export interface TokenRequest {
  clientId: string;
  code: string;
  redirectUri: string;
  codeVerifier: string;
}

export const GRANT_TYPE = 'authorization_code';

const invalidRequest = (description: string) => err<TokenError>({ error: 'invalid_request', description, status: 400 });
export const invalidGrant = (description: string) => err<TokenError>({ error: 'invalid_grant', description, status: 400 });

/** Reads a POSTed token request; every failure names the RFC 6749 §5.2 error and says what was wrong. */
export function parseTokenRequest(contentType: string | undefined, body: Uint8Array): Result<TokenRequest, TokenError> {
  if (!isFormContentType(contentType)) return invalidRequest('the body must be application/x-www-form-urlencoded');
  const parsed = parseForm(body);
  if (!parsed.ok) return invalidRequest(parsed.error);
  const form = parsed.value;
  const grantType = form.get('grant_type');
  if (grantType === undefined) return invalidRequest('grant_type is missing');
  if (grantType !== GRANT_TYPE) return err({ error: 'unsupported_grant_type', description: 'only grant_type=authorization_code is supported', status: 400 });
  // Public clients only: a client that tries to authenticate is told so, not silently accepted.
  if (form.has('client_secret') || form.has('client_assertion')) {
    return err({ error: 'invalid_client', description: 'clients are public: no client authentication is accepted', status: 401 });
  }
  for (const name of ['client_id', 'code', 'redirect_uri', 'code_verifier'] as const) {
    if (!form.has(name)) return invalidRequest(`${name} is missing`);
  }
  const request: TokenRequest = {
    clientId: form.get('client_id')!,
    code: form.get('code')!,
    redirectUri: form.get('redirect_uri')!,
    codeVerifier: form.get('code_verifier')!
  };
  if (!isCodeVerifier(request.codeVerifier)) return invalidRequest('code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)');
  if (!isCodeSyntax(request.code)) return invalidGrant('the code is not one this issuer gave out');
  return ok(request);
}

/**
 * Whether `code` (already looked up and removed from the store, or undefined when there was
 * none) may be exchanged in `request` by `client`. Every mismatch is invalid_grant with the same
 * care: the code is spent either way.
 */
export function checkRedemption(
  request: TokenRequest,
  client: OidcClient | undefined,
  code: StoredCode | undefined,
  nowMs: number
): Result<StoredCode, TokenError> {
  if (client === undefined) return err({ error: 'invalid_client', description: 'client_id names no registered client', status: 401 });
  if (code === undefined) return invalidGrant('the code is unknown, was already used, or has expired');
  if (isExpired(code, nowMs)) return invalidGrant('the code has expired');
  if (code.clientId !== client.clientId) return invalidGrant('the code was issued to another client');
  // The exact redirect_uri of the authorization request (RFC 6749 §4.1.3), still a registered one.
  if (code.redirectUri !== request.redirectUri || !client.redirectUris.some((uri) => matchesRegisteredUri(uri, request.redirectUri))) {
    return invalidGrant('redirect_uri differs from the authorization request');
  }
  if (!verifierMatches(request.codeVerifier, code.codeChallenge)) return invalidGrant('code_verifier does not match the code_challenge (PKCE S256)');
  return ok(code);
}
