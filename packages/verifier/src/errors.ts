// Every way a verification can fail, as a class with a stable `code` (panva/jose style).
// Messages are for people and may change; branch on `code` or on the class.

export abstract class JwtVerifierError extends Error {
  abstract readonly code: string;
  /** True when the token is at fault (answer 401); false when the key source is (answer 503). */
  abstract readonly tokenRejected: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

abstract class TokenRejectedError extends JwtVerifierError {
  readonly tokenRejected = true;
}

abstract class KeySourceError extends JwtVerifierError {
  readonly tokenRejected = false;
}

/** Not a compact JWS with JSON header and claims, not strict base64url, too large, or a forbidden header. */
export class TokenMalformedError extends TokenRejectedError {
  readonly code = 'ERR_JWT_MALFORMED';
}

/** The header's `alg` is not one of the configured algorithms (`none` and HS* never are). */
export class AlgorithmNotAllowedError extends TokenRejectedError {
  readonly code = 'ERR_JWT_ALG_NOT_ALLOWED';
}

/** No key in the issuer's JWK Set has the token's `kid`, even after a refetch. */
export class UnknownKeyIdError extends TokenRejectedError {
  readonly code = 'ERR_JWT_UNKNOWN_KID';
}

/** The key the `kid` names is of another type or algorithm than the token's `alg`. */
export class KeyMismatchError extends TokenRejectedError {
  readonly code = 'ERR_JWT_KEY_MISMATCH';
}

/** The signature is not valid for the signing input and key (or is not in canonical form). */
export class SignatureInvalidError extends TokenRejectedError {
  readonly code = 'ERR_JWT_SIGNATURE_INVALID';
}

export class TokenExpiredError extends TokenRejectedError {
  readonly code = 'ERR_JWT_EXPIRED';
  constructor(
    message: string,
    readonly expiredAt: number
  ) {
    super(message);
  }
}

/** `nbf` or `iat` lies in the future (beyond the clock tolerance). */
export class TokenNotYetValidError extends TokenRejectedError {
  readonly code = 'ERR_JWT_NOT_YET_VALID';
}

export class IssuerMismatchError extends TokenRejectedError {
  readonly code = 'ERR_JWT_ISSUER_MISMATCH';
}

export class AudienceMismatchError extends TokenRejectedError {
  readonly code = 'ERR_JWT_AUDIENCE_MISMATCH';
}

/** A registered claim is missing or has the wrong type. */
export class ClaimInvalidError extends TokenRejectedError {
  readonly code = 'ERR_JWT_CLAIM_INVALID';
  constructor(
    message: string,
    readonly claim: string
  ) {
    super(message);
  }
}

/** The JWK Set or discovery document could not be fetched (network, timeout, HTTP status). */
export class JwksUnreachableError extends KeySourceError {
  readonly code = 'ERR_JWKS_UNREACHABLE';
}

/** The JWK Set or discovery document was fetched but is unusable (not JSON, wrong shape, wrong issuer, bad key). */
export class JwksInvalidError extends KeySourceError {
  readonly code = 'ERR_JWKS_INVALID';
}

/**
 * The keys would come through a gateway that does not check the canister's certification
 * (raw.icp0.io, raw.ic0.app): a discovered jwks_uri or a redirect leads there. Configuring such
 * a URL throws a VerifierConfigError whose `cause` is this error.
 */
export class UncertifiedKeySourceError extends KeySourceError {
  readonly code = 'ERR_JWKS_UNCERTIFIED';
}

/** The JWK Set or discovery URL redirected to another origin or to plain http, or too often. */
export class RedirectRefusedError extends KeySourceError {
  readonly code = 'ERR_JWKS_REDIRECT_REFUSED';
}

/** Thrown by createVerifier for options it cannot accept; never by verify(). */
export class VerifierConfigError extends Error {
  readonly code = 'ERR_VERIFIER_CONFIG';
  constructor(
    readonly option: string,
    reason: string,
    options?: { cause?: unknown }
  ) {
    super(`invalid verifier option ${option}: ${reason}`, options);
    this.name = 'VerifierConfigError';
  }
}

/** Attacker-controlled text in a message: JSON-quoted and cut short. */
export function quote(value: unknown, max = 48): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? typeof value);
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
