// Issued tokens by (principal, canister, audience, algorithm, extra claims), reused until shortly
// before they expire: in memory, and in a Web Storage when given one, so that a page reload
// within the token's lifetime costs no new signature (each one spends the issuer's cycles and
// the caller's rate limit).
//
// Security: a token in storage can be read by any script of the origin (an XSS bug leaks it until
// it expires). Memory only is the default; sessionStorage is the narrower choice of the two
// Web Storages. Call clear() at logout.

/** The part of the Web Storage API the cache uses; window.sessionStorage and localStorage fit. */
export interface StorageLike {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface CachedJwt {
  readonly token: string;
  /** The token's exp: seconds since 1970 (the issuer's clock). */
  readonly expiresAt: number;
  readonly kid: string;
  /** The caller the token was issued to (its sub), as principal text. */
  readonly principal: string;
  /** When getJwt stops reusing it and asks for a new one: milliseconds on this machine's clock. */
  readonly refreshAt: number;
}

export interface TokenRequestKey {
  readonly principal: string;
  readonly canisterId: string;
  readonly audience: string | undefined;
  readonly algorithm: string | undefined;
  readonly extraClaims: string | undefined;
}

export interface TokenCacheOptions {
  /** Keeps tokens across page reloads, e.g. window.sessionStorage. Default: memory only. */
  storage?: StorageLike;
  /** Milliseconds since 1970. Default Date.now. */
  clock?: () => number;
}

const STORAGE_PREFIX = 'ic-jwt:';

export class TokenCache {
  private readonly entries = new Map<string, CachedJwt>();
  private readonly pending = new Map<string, Promise<CachedJwt>>();
  private readonly storage: StorageLike | undefined;
  readonly clock: () => number;

  constructor(options: TokenCacheOptions = {}) {
    this.storage = options.storage;
    this.clock = options.clock ?? Date.now;
  }

  /** The token held for this request, unless it is due for refresh. */
  get(request: TokenRequestKey): CachedJwt | undefined {
    const key = keyOf(request);
    const entry = this.entries.get(key) ?? this.fromStorage(key);
    if (entry === undefined) return undefined;
    if (this.clock() >= entry.refreshAt) {
      this.delete(key);
      return undefined;
    }
    this.entries.set(key, entry);
    return entry;
  }

  set(request: TokenRequestKey, entry: CachedJwt): void {
    const key = keyOf(request);
    this.entries.set(key, entry);
    this.storage?.setItem(STORAGE_PREFIX + key, JSON.stringify(entry));
  }

  /**
   * Runs `issue` unless an issuance for the same request is under way, in which case its result
   * is shared: concurrent callers (two components asking at page load) cost one signature.
   */
  once(request: TokenRequestKey, issue: () => Promise<CachedJwt>): Promise<CachedJwt> {
    const key = keyOf(request);
    let pending = this.pending.get(key);
    if (pending === undefined) {
      pending = issue().finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  /** Forgets the tokens of one principal, or all (at logout). */
  clear(principal?: string): void {
    const matches = (key: string) => principal === undefined || (JSON.parse(key) as string[])[0] === principal;
    for (const key of [...this.entries.keys()]) if (matches(key)) this.entries.delete(key);
    if (this.storage === undefined) return;
    const stored: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const name = this.storage.key(i);
      if (name?.startsWith(STORAGE_PREFIX) && matches(name.slice(STORAGE_PREFIX.length))) stored.push(name);
    }
    for (const name of stored) this.storage.removeItem(name);
  }

  private delete(key: string): void {
    this.entries.delete(key);
    this.storage?.removeItem(STORAGE_PREFIX + key);
  }

  /** A stored entry, if it has the shape we write; anything else (another version, edits) is dropped. */
  private fromStorage(key: string): CachedJwt | undefined {
    const text = this.storage?.getItem(STORAGE_PREFIX + key);
    if (text === null || text === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (isCachedJwt(value)) return value;
    this.storage?.removeItem(STORAGE_PREFIX + key);
    return undefined;
  }
}

/** The cache getJwt uses when given none: memory only, shared by the whole page. */
export const defaultTokenCache = new TokenCache();

function keyOf(request: TokenRequestKey): string {
  return JSON.stringify([request.principal, request.canisterId, request.audience ?? null, request.algorithm ?? null, request.extraClaims ?? null]);
}

function isCachedJwt(value: unknown): value is CachedJwt {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry['token'] === 'string' &&
    typeof entry['kid'] === 'string' &&
    typeof entry['principal'] === 'string' &&
    Number.isFinite(entry['expiresAt']) &&
    Number.isFinite(entry['refreshAt'])
  );
}
