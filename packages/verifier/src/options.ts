// The options createVerifier accepts, with defaults and bounds, checked once up front.
import { isSupportedAlgorithm, SUPPORTED_ALGORITHMS, type SupportedAlgorithm } from './algorithms.js';
import {
  canisterDocumentUrl,
  canisterIssuer,
  checkCanisterId,
  checkFetchableUrl,
  DEFAULT_GATEWAY_HOST,
  DISCOVERY_PATH,
  JWKS_PATH
} from './endpoints.js';
import { VerifierConfigError } from './errors.js';
import { isTokenType, TOKEN_TYPES, type TokenType } from './token_type.js';

/** The part of fetch the verifier uses; the global fetch fits. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface JwksCacheOptions {
  /** Lower bound on how long a fetched JWK Set is used, whatever Cache-Control says. Default 30. */
  minSeconds?: number;
  /** Upper bound on how long a fetched JWK Set is fresh (used without refetching). Default 3600. */
  maxSeconds?: number;
  /**
   * How long past freshness the held keys still verify their kids while the refetch (in the
   * background, once per cooldown) is slow or failing. After that, verifications wait for a
   * successful refetch. 0 makes every verification after freshness wait for it. Default 3600.
   */
  maxStaleSeconds?: number;
  /**
   * At most one fetch per this interval, whatever triggers it (unknown kids, failures, expiry),
   * so the effective minimum lifetime is the larger of this and minSeconds. Default 30.
   */
  refreshCooldownSeconds?: number;
}

interface CommonOptions {
  /** The token's aud must name this audience, or one of these. */
  audience: string | readonly string[];
  /** Default ['ES256K']. */
  algorithms?: readonly SupportedAlgorithm[];
  /** 'jwt' (default): ic-jwt tokens; 'at+jwt': OAuth access tokens (RFC 9068) of the OpenID provider. Each refuses the other. */
  tokenType?: TokenType;
  /** Allowed clock difference for exp, nbf and iat. Default 30, at most 300. */
  clockToleranceSeconds?: number;
  /** Longer tokens are rejected before any parsing. Default 8192. */
  maxTokenBytes?: number;
  /** Where the JWK Set is; default: from the issuer (or discovery, or the canister's gateway). */
  jwksUri?: string;
  jwksCache?: JwksCacheOptions;
  /** Per document fetch. Default 5000. */
  fetchTimeoutMs?: number;
  /** Default: the global fetch. Called with redirect: 'manual'; the verifier follows redirects itself. */
  fetch?: FetchLike;
  /** Milliseconds since the epoch. Default: Date.now. */
  clock?: () => number;
}

export interface IssuerOptions extends CommonOptions {
  /** Exactly the tokens' iss, e.g. "https://<canister-id>.icp0.io". */
  issuer: string;
  /** Find the JWK Set through <issuer>/.well-known/openid-configuration (its issuer must equal ours). Default false. */
  discovery?: boolean;
  canisterId?: undefined;
  gatewayHost?: undefined;
}

export interface CanisterOptions extends CommonOptions {
  canisterId: string;
  /** Default "icp0.io"; for the local network "http://localhost:4943" or "http://127.0.0.1:4943". */
  gatewayHost?: string;
  /** Default https://<canister-id>.icp0.io, the canister's default, wherever its JWK Set is fetched from. */
  issuer?: string;
  discovery?: undefined;
}

export type VerifierOptions = IssuerOptions | CanisterOptions;

export interface ResolvedOptions {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly algorithms: readonly SupportedAlgorithm[];
  readonly tokenType: TokenType;
  readonly clockToleranceSeconds: number;
  readonly maxTokenBytes: number;
  /** Exactly one of jwksUri and discoveryUri is set. */
  readonly jwksUri: string | undefined;
  readonly discoveryUri: string | undefined;
  readonly cache: Required<JwksCacheOptions>;
  readonly fetchTimeoutMs: number;
  readonly fetch: FetchLike;
  readonly clock: () => number;
}

export const LIMITS = {
  clockToleranceSeconds: { default: 30, min: 0, max: 300 },
  maxTokenBytes: { default: 8192, min: 256, max: 65536 },
  cacheMinSeconds: { default: 30, min: 0, max: 3600 },
  cacheMaxSeconds: { default: 3600, min: 1, max: 86400 },
  cacheMaxStaleSeconds: { default: 3600, min: 0, max: 86400 },
  refreshCooldownSeconds: { default: 30, min: 1, max: 3600 },
  fetchTimeoutMs: { default: 5000, min: 100, max: 60000 }
} as const;

export function resolveOptions(options: VerifierOptions): ResolvedOptions {
  const { issuer, jwksUri, discoveryUri } = resolveSource(options);
  const cache = options.jwksCache ?? {};
  const minSeconds = bounded('jwksCache.minSeconds', cache.minSeconds, LIMITS.cacheMinSeconds);
  const maxSeconds = bounded('jwksCache.maxSeconds', cache.maxSeconds, LIMITS.cacheMaxSeconds);
  if (maxSeconds < minSeconds) throw new VerifierConfigError('jwksCache.maxSeconds', 'must not be below jwksCache.minSeconds');
  const fetch = options.fetch ?? globalThis.fetch;
  if (typeof fetch !== 'function') throw new VerifierConfigError('fetch', 'no fetch function is available; pass one');
  return {
    issuer,
    audiences: resolveAudiences(options.audience),
    algorithms: resolveAlgorithms(options.algorithms),
    tokenType: resolveTokenType(options.tokenType),
    clockToleranceSeconds: bounded('clockToleranceSeconds', options.clockToleranceSeconds, LIMITS.clockToleranceSeconds),
    maxTokenBytes: bounded('maxTokenBytes', options.maxTokenBytes, LIMITS.maxTokenBytes),
    jwksUri,
    discoveryUri,
    cache: {
      minSeconds,
      maxSeconds,
      maxStaleSeconds: bounded('jwksCache.maxStaleSeconds', cache.maxStaleSeconds, LIMITS.cacheMaxStaleSeconds),
      refreshCooldownSeconds: bounded('jwksCache.refreshCooldownSeconds', cache.refreshCooldownSeconds, LIMITS.refreshCooldownSeconds)
    },
    fetchTimeoutMs: bounded('fetchTimeoutMs', options.fetchTimeoutMs, LIMITS.fetchTimeoutMs),
    fetch,
    clock: options.clock ?? Date.now
  };
}

function resolveSource(options: VerifierOptions): { issuer: string; jwksUri: string | undefined; discoveryUri: string | undefined } {
  if (options.canisterId !== undefined) {
    checkCanisterId(options.canisterId);
    if ((options as { discovery?: unknown }).discovery === true) {
      throw new VerifierConfigError('discovery', 'works with { issuer } only: the discovery document names the issuer URL, which a gateway may not serve');
    }
    const issuer = options.issuer ?? canisterIssuer(options.canisterId);
    checkIssuer(issuer);
    const jwksUri = options.jwksUri ?? canisterDocumentUrl(options.canisterId, options.gatewayHost ?? DEFAULT_GATEWAY_HOST, JWKS_PATH);
    checkFetchableUrl(options.jwksUri === undefined ? 'gatewayHost' : 'jwksUri', jwksUri);
    return { issuer, jwksUri, discoveryUri: undefined };
  }
  if (typeof options.issuer !== 'string') throw new VerifierConfigError('issuer', 'give either issuer or canisterId');
  checkIssuer(options.issuer);
  if (options.discovery === true) {
    if (options.jwksUri !== undefined) throw new VerifierConfigError('jwksUri', 'cannot be combined with discovery: true');
    const discoveryUri = `${options.issuer}${DISCOVERY_PATH}`;
    checkFetchableUrl('issuer', discoveryUri);
    return { issuer: options.issuer, jwksUri: undefined, discoveryUri };
  }
  const jwksUri = options.jwksUri ?? `${options.issuer}${JWKS_PATH}`;
  checkFetchableUrl(options.jwksUri === undefined ? 'issuer' : 'jwksUri', jwksUri);
  return { issuer: options.issuer, jwksUri, discoveryUri: undefined };
}

/** Compared byte for byte with iss, and prefixes the well-known URLs: no trailing slash, query or fragment. */
function checkIssuer(issuer: string): void {
  if (!/^https?:\/\/[^/?#\s]+(\/[^?#\s]*[^/?#\s])?$/.test(issuer)) {
    throw new VerifierConfigError('issuer', `expected an absolute URL without trailing slash, query or fragment, like https://<canister-id>.icp0.io; got ${JSON.stringify(issuer.slice(0, 80))}`);
  }
}

function resolveAudiences(audience: string | readonly string[] | undefined): readonly string[] {
  const list = typeof audience === 'string' ? [audience] : audience;
  if (!Array.isArray(list) || list.length === 0 || !list.every((entry) => typeof entry === 'string' && entry.length > 0)) {
    throw new VerifierConfigError('audience', 'is required: a non-empty string or a non-empty array of them');
  }
  return Object.freeze([...list]);
}

function resolveAlgorithms(algorithms: readonly unknown[] | undefined): readonly SupportedAlgorithm[] {
  const list = algorithms ?? ['ES256K'];
  if (list.length === 0) throw new VerifierConfigError('algorithms', 'must name at least one algorithm');
  for (const alg of list) {
    if (!isSupportedAlgorithm(alg)) {
      throw new VerifierConfigError('algorithms', `${JSON.stringify(alg)} is not supported; choose from ${SUPPORTED_ALGORITHMS.join(', ')}`);
    }
  }
  return Object.freeze([...new Set(list as SupportedAlgorithm[])]);
}

function resolveTokenType(tokenType: unknown): TokenType {
  if (tokenType === undefined) return 'jwt';
  if (!isTokenType(tokenType)) throw new VerifierConfigError('tokenType', `${JSON.stringify(tokenType)} is not one of ${TOKEN_TYPES.join(', ')}`);
  return tokenType;
}

function bounded(option: string, value: number | undefined, limit: { default: number; min: number; max: number }): number {
  if (value === undefined) return limit.default;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < limit.min || value > limit.max) {
    throw new VerifierConfigError(option, `must be a number from ${limit.min} to ${limit.max}; got ${String(value)}`);
  }
  return value;
}
