// Checks the claims of a token whose signature has already been verified.
import {
  AudienceMismatchError,
  ClaimInvalidError,
  IssuerMismatchError,
  quote,
  TokenExpiredError,
  TokenNotYetValidError
} from './errors.js';
import type { TokenType } from './token_type.js';

/** The registered claims every ic-jwt token carries (RFC 7519 §4.1); access tokens (RFC 9068) may omit nbf. */
export interface RegisteredClaims {
  readonly iss: string;
  /** The caller's principal, as text. */
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly iat: number;
  readonly nbf?: number;
  readonly exp: number;
  readonly jti: string;
}

/** Registered claims plus whatever extra claims the caller asked the issuer for. */
export interface VerifiedClaims extends RegisteredClaims {
  readonly [claim: string]: unknown;
}

export interface ClaimsPolicy {
  readonly issuer: string;
  /** The token's aud must name at least one of these. */
  readonly audiences: readonly string[];
  readonly clockToleranceSeconds: number;
  /** 'at+jwt' also requires client_id and lets nbf be absent (RFC 9068 §2.2). Default 'jwt'. */
  readonly tokenType?: TokenType;
}

export function checkClaims(payload: Record<string, unknown>, policy: ClaimsPolicy, nowSeconds: number): VerifiedClaims {
  const claims = checkTypes(payload, policy.tokenType ?? 'jwt');
  if (claims.iss !== policy.issuer) {
    throw new IssuerMismatchError(`the token was issued by ${quote(claims.iss, 120)}, not by ${quote(policy.issuer, 120)}`);
  }
  const audiences: readonly string[] = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  if (!audiences.some((audience) => policy.audiences.includes(audience))) {
    throw new AudienceMismatchError(`the token is for audience ${quote(claims.aud, 80)}, not ${quote(policy.audiences.join(' or '), 80)}`);
  }
  const tolerance = policy.clockToleranceSeconds;
  // exp is the first instant at which the token is no longer valid (RFC 7519 §4.1.4).
  if (nowSeconds >= claims.exp + tolerance) {
    throw new TokenExpiredError(`the token expired at ${isoTime(claims.exp)}`, claims.exp);
  }
  if (claims.nbf !== undefined && claims.nbf > nowSeconds + tolerance) {
    throw new TokenNotYetValidError(`the token is not valid before ${isoTime(claims.nbf)}`);
  }
  if (claims.iat > nowSeconds + tolerance) {
    throw new TokenNotYetValidError(`the token claims to be issued in the future, at ${isoTime(claims.iat)}`);
  }
  return Object.freeze(claims);
}

function checkTypes(payload: Record<string, unknown>, tokenType: TokenType): VerifiedClaims {
  const accessToken = tokenType === 'at+jwt';
  for (const name of accessToken ? (['iss', 'sub', 'jti', 'client_id'] as const) : (['iss', 'sub', 'jti'] as const)) {
    const value = payload[name];
    if (typeof value !== 'string' || value.length === 0) throw invalid(name, 'a non-empty string', value);
  }
  for (const name of ['iat', 'nbf', 'exp'] as const) {
    const value = payload[name];
    if (name === 'nbf' && accessToken && value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(name, 'a number of seconds (NumericDate)', value);
  }
  const aud = payload['aud'];
  const audOk =
    (typeof aud === 'string' && aud.length > 0) ||
    (Array.isArray(aud) && aud.length > 0 && aud.every((entry) => typeof entry === 'string' && entry.length > 0));
  if (!audOk) throw invalid('aud', 'a string or a non-empty array of strings', aud);
  return payload as unknown as VerifiedClaims;
}

function invalid(claim: string, expected: string, value: unknown): ClaimInvalidError {
  const got = value === undefined ? 'it is missing' : `got ${quote(value)}`;
  return new ClaimInvalidError(`the "${claim}" claim must be ${expected}; ${got}`, claim);
}

function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}
