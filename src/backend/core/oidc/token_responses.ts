// The token endpoint's HTTP answers (RFC 6749 §5.1, §5.2): JSON, never cached. They come from
// http_request_update, an update call whose reply went through consensus, so they carry no
// certification headers.
import { utf8 } from '../bytes';
import type { HeaderField, HttpResponse } from '../http';
import type { LoginTokens } from './login_tokens';
import type { TokenError } from './token_request';

const NO_STORE: HeaderField[] = [
  ['content-type', 'application/json;charset=UTF-8'],
  ['cache-control', 'no-store'],
  ['pragma', 'no-cache'],
  ['access-control-allow-origin', '*'],
  ['x-content-type-options', 'nosniff']
];

export function tokenErrorResponse(error: TokenError): HttpResponse {
  const headers = [...NO_STORE];
  if (error.retryAfterSeconds !== undefined) headers.push(['retry-after', String(error.retryAfterSeconds)]);
  return { statusCode: error.status, headers, body: utf8(JSON.stringify({ error: error.error, error_description: error.description })) };
}

export function tokenResponse(tokens: LoginTokens): HttpResponse {
  return {
    statusCode: 200,
    headers: [...NO_STORE],
    body: utf8(JSON.stringify({ id_token: tokens.idToken, access_token: tokens.accessToken, token_type: 'Bearer', expires_in: tokens.expiresIn }))
  };
}

/** http_request_update serves POST /token only; anything else reached it through a forged upgrade. */
export const NOT_AN_UPDATE_ENDPOINT: TokenError = { error: 'invalid_request', description: 'only POST /token is served as an update', status: 404 };
