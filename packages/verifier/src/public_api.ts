// What every entry point exports besides createVerifier (index.ts for Node, web.ts for Web-API runtimes).
export type { Verifier } from './verifier.js';
export type { VerifierOptions, IssuerOptions, CanisterOptions, JwksCacheOptions, FetchLike } from './options.js';
export type { VerifiedClaims, RegisteredClaims } from './claims.js';
export { SUPPORTED_ALGORITHMS, type SupportedAlgorithm } from './algorithms.js';
export { JWKS_PATH, DISCOVERY_PATH, canisterIssuer } from './endpoints.js';
export { verifierOptionsFromEnv, type Env } from './env.js';
export { TOKEN_TYPES, type TokenType } from './token_type.js';
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
} from './errors.js';
