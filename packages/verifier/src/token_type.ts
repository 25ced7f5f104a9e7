// Explicit typing (RFC 8725 §3.11): a verifier accepts one kind of token, told apart by the
// header's `typ`, so that an OAuth access token cannot pass where an ic-jwt token is expected,
// nor the other way round.
import { quote, TokenMalformedError } from './errors.js';

/** 'jwt': ic-jwt tokens from issue_jwt (the default). 'at+jwt': OAuth 2.0 access tokens (RFC 9068). */
export const TOKEN_TYPES = ['jwt', 'at+jwt'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

export function isTokenType(value: unknown): value is TokenType {
  return TOKEN_TYPES.includes(value as TokenType);
}

/** RFC 9068 §4: `typ` is `at+jwt` or its full media type; media types compare case-insensitively (RFC 7515 §4.1.9). */
function isAccessTokenTyp(typ: unknown): boolean {
  return typeof typ === 'string' && ['at+jwt', 'application/at+jwt'].includes(typ.toLowerCase());
}

export function checkTokenType(typ: unknown, expected: TokenType): void {
  const isAccessToken = isAccessTokenTyp(typ);
  if (expected === 'at+jwt' && !isAccessToken) {
    throw new TokenMalformedError(`the header "typ" is ${quote(typ)}; an access token (RFC 9068) must say "at+jwt"`);
  }
  if (expected === 'jwt' && isAccessToken) {
    throw new TokenMalformedError('the token is an OAuth access token (typ "at+jwt"); this verifier accepts ic-jwt tokens only');
  }
}
