// The issuer's keys, fetched when needed and kept as long as Cache-Control allows (bounded).
// - Stale while revalidate: once the key set is stale, a verification whose kid it holds
//   uses it at once and starts a refetch in the background; nobody waits for that fetch.
//   Security: the limit is jwksCache.maxStaleSeconds past freshness; after that, a kid
//   verifies only once a refetch succeeds (a removed key stops verifying then, at the latest).
// - An unknown kid waits for a refetch, at most one per cooldown, shared by all lookups:
//   tokens with made-up kids cannot make us fetch more often (no fetch storm), nor can failures.
import { freshnessLifetimeSeconds, type FreshnessBounds } from './cache_control.js';
import { jwksUriFromDiscovery } from './discovery.js';
import { JwksInvalidError, JwksUnreachableError, JwtVerifierError, quote, UnknownKeyIdError } from './errors.js';
import { fetchJsonDocument } from './http_fetch.js';
import { parseJwks, type KeySet } from './jwks.js';
import type { CryptoProvider, VerificationKey } from './keys.js';
import type { FetchLike } from './options.js';

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
  /** How long past freshness the held keys still verify while refetches fail. */
  readonly maxStaleSeconds: number;
  readonly crypto: CryptoProvider;
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

  /**
   * The fast path: the key, if the key set held (fresh, or stale within maxStaleSeconds) has
   * it; no I/O, no promise. A stale set is refetched in the background, within the cooldown.
   */
  cached(kid: string): VerificationKey | undefined {
    const now = this.config.clock();
    if (now >= this.usableUntilMs) return undefined;
    const key = this.keys?.byKid.get(kid);
    if (key !== undefined && now >= this.freshUntilMs && this.inFlight === undefined && this.cooldownOver(now)) {
      void this.refresh();
    }
    return key;
  }

  /** The key for kid, waiting for a refetch when the kid is not held (within the cooldown). */
  async resolve(kid: string): Promise<VerificationKey> {
    const key = this.cached(kid);
    if (key !== undefined) return key;
    if (this.inFlight !== undefined) {
      await this.inFlight;
    } else if (this.cooldownOver(this.config.clock())) {
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

  private cooldownOver(now: number): boolean {
    return now - this.lastAttemptMs >= this.config.refreshCooldownSeconds * 1000;
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
      const keys = await parseJwks(document.json, this.config.crypto);
      const now = clock();
      this.keys = keys;
      this.fetchedAtMs = now;
      this.freshUntilMs = now + 1000 * freshnessLifetimeSeconds(document.cacheControl, document.age, freshness);
      this.usableUntilMs = this.freshUntilMs + 1000 * this.config.maxStaleSeconds;
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
