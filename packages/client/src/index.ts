// @ic-jwt/client: a JWT from the jwt_issuer canister for the logged-in user of a dapp.
export { getJwt, refreshJwt, type GetJwtOptions, type JwtRequest, type JwtAlgorithm, type IssuedJwt } from './get_jwt.js';
export { keepJwtFresh, type KeepJwtFreshHandlers, type JwtRefresher } from './keep_fresh.js';
export { TokenCache, defaultTokenCache, type TokenCacheOptions, type StorageLike, type CachedJwt } from './token_cache.js';
export { IcJwtError, isIcJwtError, type IssueErrorCode, type IssueErrorDetails, type SigningKeyStatus } from './errors.js';
export { MAINNET_HOST, type AgentLike, type IdentityLike, type PrincipalLike, type Caller } from './agent.js';
