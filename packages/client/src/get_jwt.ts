// getJwt: a token for the logged-in caller, from the cache while it is good for a while longer,
// else freshly signed by the jwt_issuer canister.
import { callerAgent, callIssueJwt, type AgentLike, type Caller, type PrincipalLike } from './agent.js';
import { errorFromCandid } from './errors.js';
import { defaultTokenCache, type CachedJwt, type TokenCache, type TokenRequestKey } from './token_cache.js';
import { issuedAtOf } from './token_times.js';

export type JwtAlgorithm = 'ES256K' | 'EdDSA';

export interface JwtRequest {
  /** One of the issuer's allowed audiences. Default: its default audience. */
  audience?: string;
  /** Default: the issuer's default algorithm. */
  algorithm?: JwtAlgorithm;
  /** Token lifetime within the issuer's bounds. Default: its default lifetime. */
  ttlSeconds?: number;
  /** Claims the issuer's config allows callers to add, as an object or as JSON text. */
  extraClaims?: Readonly<Record<string, unknown>> | string;
}

export interface GetJwtOptions extends Caller, JwtRequest {
  /** The jwt_issuer canister. */
  canisterId: string | PrincipalLike;
  /** Where tokens are reused from. Default: one memory cache for the page; false: always sign anew. */
  cache?: TokenCache | false;
  /**
   * A token is reused until this long before its exp (at most its whole lifetime). Default: 60,
   * or a quarter of the lifetime if that is shorter.
   */
  refreshMarginSeconds?: number;
}

export type IssuedJwt = CachedJwt;

const DEFAULT_REFRESH_MARGIN_SECONDS = 60;

/**
 * A token for the caller: reused from the cache while more than the refresh margin is left,
 * otherwise issued by the canister (concurrent calls share one issuance). Rejects with an
 * IcJwtError (code = the canister's IssueError case), or with the agent's error when the call fails.
 */
export async function getJwt(options: GetJwtOptions): Promise<IssuedJwt> {
  const issuance = await prepare(options);
  const { cache, key } = issuance;
  if (cache === undefined) return issue(issuance);
  return cache.get(key) ?? cache.once(key, () => issue(issuance));
}

/** A new token whatever the cache holds (it then holds the new one): after a config change, say. */
export async function refreshJwt(options: GetJwtOptions): Promise<IssuedJwt> {
  const issuance = await prepare(options);
  const { cache, key } = issuance;
  return cache === undefined ? issue(issuance) : cache.once(key, () => issue(issuance));
}

interface Issuance {
  readonly agent: AgentLike;
  readonly key: TokenRequestKey;
  readonly ttlSeconds: number | undefined;
  readonly refreshMarginSeconds: number | undefined;
  readonly cache: TokenCache | undefined;
}

async function prepare(options: GetJwtOptions): Promise<Issuance> {
  const agent = await callerAgent(options);
  const extraClaims = typeof options.extraClaims === 'object' ? JSON.stringify(options.extraClaims) : options.extraClaims;
  return {
    agent,
    key: {
      principal: (await agent.getPrincipal()).toText(),
      canisterId: typeof options.canisterId === 'string' ? options.canisterId : options.canisterId.toText(),
      audience: options.audience,
      algorithm: options.algorithm,
      extraClaims
    },
    ttlSeconds: options.ttlSeconds,
    refreshMarginSeconds: options.refreshMarginSeconds,
    cache: options.cache === false ? undefined : (options.cache ?? defaultTokenCache)
  };
}

async function issue({ agent, key, ttlSeconds, refreshMarginSeconds, cache }: Issuance): Promise<CachedJwt> {
  const optional = <T>(value: T | undefined): [] | [T] => (value === undefined ? [] : [value]);
  const result = await callIssueJwt(agent, key.canisterId, [
    {
      audience: optional(key.audience),
      algorithm: optional(key.algorithm),
      ttl_seconds: optional(ttlSeconds),
      extra_claims: optional(key.extraClaims)
    }
  ]);
  if ('Err' in result) throw errorFromCandid(result.Err);
  const receivedAt = (cache?.clock ?? Date.now)();
  const { token, kid } = result.Ok;
  const expiresAt = Number(result.Ok.expires_at);
  // Timed by the token's own lifetime (exp - iat, both on the issuer's clock) from its arrival
  // on this machine's clock, so a skewed local clock neither drops it early nor keeps it too long.
  const lifetime = expiresAt - (issuedAtOf(token) ?? expiresAt);
  const margin = Math.min(refreshMarginSeconds ?? Math.min(DEFAULT_REFRESH_MARGIN_SECONDS, lifetime / 4), lifetime);
  const entry = { token, kid, expiresAt, principal: key.principal, refreshAt: receivedAt + (lifetime - margin) * 1000 };
  cache?.set(key, entry);
  return entry;
}
