// Public entry of the ic-jwt verifier: verify tokens issued by the ic-jwt canister in any Node server.
export { createVerifier, type Verifier } from './verifier';
export type { VerifierOptions, IssuerOptions, CanisterOptions, JwksCacheOptions, FetchLike } from './options';
export type { VerifiedClaims, RegisteredClaims } from './claims';
export { SUPPORTED_ALGORITHMS, type SupportedAlgorithm } from './algorithms';
export { TOKEN_TYPES, type TokenType } from './token_type';
export { JWKS_PATH, DISCOVERY_PATH, canisterIssuer } from './endpoints';
export { verifierOptionsFromEnv, type Env } from './env';
export {
  JwtVerifierError,
  TokenMalformedError,
  AlgorithmNotAllowedError,
  UnknownKeyIdError,
  KeyMismatchError,
  SignatureInvalidError,
  TokenExpiredError,
  TokenNotYetValidError,
  IssuerMismatchError,
  AudienceMismatchError,
  ClaimInvalidError,
  JwksUnreachableError,
  JwksInvalidError,
  UncertifiedKeySourceError,
  RedirectRefusedError,
  VerifierConfigError
} from './errors';
export { requireJwt, jwtClaims, type RequireJwtOptions } from './express';
export { socketJwtAuth, MISSING_TOKEN_CODE, type JwtSocketData, type SocketJwtAuthOptions } from './socketio';
