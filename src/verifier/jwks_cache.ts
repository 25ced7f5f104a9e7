// The issuer's keys, fetched when needed and kept as long as Cache-Control allows (bounded).
// - Concurrent lookups share one in-flight fetch.
// - An unknown kid refetches at most once per cooldown: tokens with made-up kids cannot
//   make us fetch more often than that (no fetch storm), and neither can failures.
// - If a refetch fails, the previous keys stay usable for up to jwksCache.maxSeconds more.
import { freshnessLifetimeSeconds, type FreshnessBounds } from './cache_control';
import { jwksUriFromDiscovery } from './discovery';
import { JwksInvalidError, JwksUnreachableError, JwtVerifierError, quote, UnknownKeyIdError } from './errors';
import { fetchJsonDocument } from './http_fetch';
import { parseJwks, type KeySet } from './jwks';
import type { SignatureBackend, VerificationKey } from './keys';
import type { FetchLike } from './options';

export interface JwksCacheConfig {
  readonly issuer: string;
  /** Exactly one of jwksUri and discoveryUri. */
  readonly jwksUri: string | undefined;
  readonly discoveryUri: string | undefined;
  readonly fetch: FetchLike;
  readonly clock: () => number;
  readonly fetchTimeoutMs: number;
  readonly freshness: FreshnessBounds;
  readonly refreshCooldownSeconds: number;
  readonly backend?: SignatureBackend | undefined;
}

export class JwksCache {
  private keys: KeySet | undefined;
  private fetchedAtMs = -Infinity;
  private freshUntilMs = -Infinity;
  private usableUntilMs = -Infinity;
  private lastAttemptMs = -Infinity;
  private lastError: JwtVerifierError | undefined;
  private inFlight: Promise<void> | undefined;
  private discoveredJwksUri: string | undefined;
  private discoveryFreshUntilMs = -Infinity;

  constructor(private readonly config: JwksCacheConfig) {}

  /** The fast path: the key, if a fresh key set holds it; no I/O, no promise. */
  peek(kid: string): VerificationKey | undefined {
    return this.config.clock() < this.freshUntilMs ? this.keys?.byKid.get(kid) : undefined;
  }

  /** The key for kid, refetching the key set when it is stale or lacks the kid (within the cooldown). */
  async resolve(kid: string): Promise<VerificationKey> {
    const key = this.peek(kid);
    if (key !== undefined) return key;
    if (this.inFlight !== undefined) {
      await this.inFlight;
    } else if (this.config.clock() - this.lastAttemptMs >= this.config.refreshCooldownSeconds * 1000) {
      await this.refresh();
    }
    return this.lookup(kid);
  }

  /** Fetches the key set now, or joins the fetch under way; never throws (see lastError). */
  refresh(): Promise<void> {
    this.inFlight ??= this.fetchKeys().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Fetches the key set if none is held; throws when that fails. */
  async warmUp(): Promise<void> {
    if (this.keys === undefined) await this.refresh();
    if (this.keys === undefined) throw this.lastError ?? new JwksUnreachableError('the JWK Set could not be fetched');
  }

  private lookup(kid: string): VerificationKey {
    const keys = this.keys;
    if (keys === undefined || this.config.clock() >= this.usableUntilMs) {
      throw this.lastError ?? new JwksUnreachableError('the JWK Set has not been fetched yet');
    }
    const key = keys.byKid.get(kid);
    if (key !== undefined) return key;
    const reason = keys.unusable.get(kid);
    if (reason !== undefined) throw new JwksInvalidError(`the JWK Set's key ${quote(kid)} cannot be used: ${reason}`);
    // The kid may be new, but the refetch that would show it failed: the key source is at fault.
    if (this.lastError !== undefined && this.lastAttemptMs > this.fetchedAtMs) throw this.lastError;
    throw new UnknownKeyIdError(`no key in the issuer's JWK Set has kid ${quote(kid)}`);
  }

  private async fetchKeys(): Promise<void> {
    const { fetch, fetchTimeoutMs, clock, freshness } = this.config;
    this.lastAttemptMs = clock();
    try {
      const document = await fetchJsonDocument(fetch, await this.jwksUri(), fetchTimeoutMs);
      const keys = parseJwks(document.json, this.config.backend);
      const now = clock();
      this.keys = keys;
      this.fetchedAtMs = now;
      this.freshUntilMs = now + 1000 * freshnessLifetimeSeconds(document.cacheControl, document.age, freshness);
      this.usableUntilMs = this.freshUntilMs + 1000 * freshness.maxSeconds;
      this.lastError = undefined;
    } catch (cause) {
      this.lastError =
        cause instanceof JwtVerifierError ? cause : new JwksInvalidError(`the JWK Set could not be used: ${String(cause)}`, { cause });
    }
  }

  private async jwksUri(): Promise<string> {
    const { jwksUri, discoveryUri, issuer, fetch, fetchTimeoutMs, clock, freshness } = this.config;
    if (jwksUri !== undefined) return jwksUri;
    if (discoveryUri === undefined) throw new Error('neither jwksUri nor discoveryUri is set');
    if (this.discoveredJwksUri !== undefined && clock() < this.discoveryFreshUntilMs) return this.discoveredJwksUri;
    try {
      const document = await fetchJsonDocument(fetch, discoveryUri, fetchTimeoutMs);
      this.discoveredJwksUri = jwksUriFromDiscovery(document.json, issuer);
      this.discoveryFreshUntilMs = clock() + 1000 * freshnessLifetimeSeconds(document.cacheControl, document.age, freshness);
    } catch (cause) {
      // A discovery hiccup does not matter while we know where the keys are.
      if (this.discoveredJwksUri === undefined) throw cause;
    }
    return this.discoveredJwksUri;
  }
}
