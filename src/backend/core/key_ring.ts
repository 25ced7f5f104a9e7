// The signing keys the issuer publishes, in three stages: pending keys are in the JWKS
// before they sign anything, active keys sign (one per algorithm), and retired keys stay
// in the JWKS until the last token they signed has expired.
import type { JwsAlgorithm } from './algorithms';
import { bytesToHex, u32BigEndian, utf8 } from './bytes';
import type { KeyName } from './fees';
import { JWKS_MAX_AGE_SECONDS } from './http_cache';
import { ed25519Jwk, es256kJwk, type PublicJwk } from './jwk';

export interface SigningKey {
  alg: JwsAlgorithm;
  keyName: KeyName;
  keyVersion: number;
  /** The public key the management canister returned, hex: 33-byte compressed SEC1 (ES256K) or 32-byte Ed25519 (EdDSA). */
  publicKeyHex: string;
  jwk: PublicJwk;
  /**
   * The latest `exp` of any token this key was asked to sign (0: none), recorded before the
   * signing call so that it covers every token delivered. It alone decides when a retired key leaves.
   */
  latestExpSeconds: number;
}

export interface PendingKey {
  key: SigningKey;
  /** From this time on the key signs; until then it is only published. */
  activateAtSeconds: number;
}

export interface KeyRing {
  /** At most one key per algorithm. */
  active: SigningKey[];
  /** At most one key per algorithm, published ahead of signing. */
  pending: PendingKey[];
  retired: SigningKey[];
}

/** Verifier clocks may lag ours; a retired key stays this much longer than its last token. */
export const RETIREMENT_MARGIN_SECONDS = 300;

/** Our verifier's default `jwksCache.refreshCooldownSeconds` (packages/verifier/src/options.ts): at most one JWKS fetch per this interval. */
export const VERIFIER_REFRESH_COOLDOWN_SECONDS = 30;

/** Clock differences between us, the gateway and verifiers. */
export const PREPUBLICATION_CLOCK_MARGIN_SECONDS = 30;

/**
 * How long a new key is published before it signs. A verifier may keep a JWKS fetched just
 * before the key appeared for JWKS_MAX_AGE_SECONDS (our Cache-Control max-age), and once that
 * copy is stale it may still wait out its refetch cooldown; after both, every verifier that
 * sees the new kid can fetch a JWKS that has it.
 */
export const KEY_PREPUBLICATION_SECONDS =
  JWKS_MAX_AGE_SECONDS + VERIFIER_REFRESH_COOLDOWN_SECONDS + PREPUBLICATION_CLOCK_MARGIN_SECONDS;

export const FIRST_KEY_VERSION = 1;

export const EMPTY_KEY_RING: KeyRing = { active: [], pending: [], retired: [] };

/**
 * The threshold key's derivation path: the product, the algorithm, and a key version
 * (big-endian u32). A new version derives a new key, so rotation needs no secret.
 */
export function derivationPath(alg: JwsAlgorithm, keyVersion: number): Uint8Array[] {
  return [utf8('ic-jwt'), utf8(alg), u32BigEndian(keyVersion)];
}

export function es256kSigningKey(keyName: KeyName, keyVersion: number, compressedPublicKey: Uint8Array): SigningKey {
  const jwk = es256kJwk(compressedPublicKey);
  return { alg: 'ES256K', keyName, keyVersion, publicKeyHex: bytesToHex(compressedPublicKey), jwk, latestExpSeconds: 0 };
}

export function ed25519SigningKey(keyName: KeyName, keyVersion: number, publicKey: Uint8Array): SigningKey {
  return { alg: 'EdDSA', keyName, keyVersion, publicKeyHex: bytesToHex(publicKey), jwk: ed25519Jwk(publicKey), latestExpSeconds: 0 };
}

export function signingKey(alg: JwsAlgorithm, keyName: KeyName, keyVersion: number, publicKey: Uint8Array): SigningKey {
  return alg === 'ES256K' ? es256kSigningKey(keyName, keyVersion, publicKey) : ed25519SigningKey(keyName, keyVersion, publicKey);
}

export function activeKey(ring: KeyRing, alg: JwsAlgorithm): SigningKey | undefined {
  return ring.active.find((key) => key.alg === alg);
}

function pendingKey(ring: KeyRing, alg: JwsAlgorithm): PendingKey | undefined {
  return ring.pending.find((entry) => entry.key.alg === alg);
}

/** The key of `alg` that signs now or will once published long enough. */
export function newestKey(ring: KeyRing, alg: JwsAlgorithm): SigningKey | undefined {
  return pendingKey(ring, alg)?.key ?? activeKey(ring, alg);
}

/** When a retired key may leave the JWKS. */
function removalSeconds(key: SigningKey): number {
  return key.latestExpSeconds + RETIREMENT_MARGIN_SECONDS;
}

/** `ring` without any entry for `kid`, and that entry's recorded latest exp (a key that comes back keeps it). */
function withoutKid(ring: KeyRing, kid: string): { ring: KeyRing; latestExpSeconds: number } {
  const entries = [...ring.active, ...ring.pending.map((entry) => entry.key), ...ring.retired].filter((key) => key.jwk.kid === kid);
  return {
    ring: {
      active: ring.active.filter((key) => key.jwk.kid !== kid),
      pending: ring.pending.filter((entry) => entry.key.jwk.kid !== kid),
      retired: ring.retired.filter((key) => key.jwk.kid !== kid)
    },
    latestExpSeconds: Math.max(0, ...entries.map((key) => key.latestExpSeconds))
  };
}

/**
 * Makes `key` the active key of its algorithm now, retiring the key it replaces and
 * dropping a pending key of that algorithm (it never signed).
 */
export function activateKey(ring: KeyRing, key: SigningKey): KeyRing {
  if (activeKey(ring, key.alg)?.jwk.kid === key.jwk.kid) return ring;
  const rest = withoutKid(ring, key.jwk.kid);
  const previous = activeKey(rest.ring, key.alg);
  const entering = { ...key, latestExpSeconds: Math.max(key.latestExpSeconds, rest.latestExpSeconds) };
  return {
    active: [...rest.ring.active.filter((entry) => entry.alg !== key.alg), entering],
    pending: rest.ring.pending.filter((entry) => entry.key.alg !== key.alg),
    retired: previous === undefined ? rest.ring.retired : [...rest.ring.retired, previous]
  };
}

/**
 * Brings in a freshly fetched key. An algorithm without an active key starts signing with it
 * at once (no token can be outstanding); otherwise it is published first and signs from
 * `nowSeconds + KEY_PREPUBLICATION_SECONDS`, replacing a pending key of that algorithm.
 */
export function introduceKey(ring: KeyRing, key: SigningKey, nowSeconds: number): KeyRing {
  const current = activeKey(ring, key.alg);
  if (current === undefined) return activateKey(ring, key);
  if (current.jwk.kid === key.jwk.kid) return { ...ring, pending: ring.pending.filter((entry) => entry.key.alg !== key.alg) };
  if (pendingKey(ring, key.alg)?.key.jwk.kid === key.jwk.kid) return ring;
  const rest = withoutKid(ring, key.jwk.kid);
  const entering = { ...key, latestExpSeconds: Math.max(key.latestExpSeconds, rest.latestExpSeconds) };
  return {
    ...rest.ring,
    pending: [...rest.ring.pending.filter((entry) => entry.key.alg !== key.alg), { key: entering, activateAtSeconds: nowSeconds + KEY_PREPUBLICATION_SECONDS }]
  };
}

/** Retires the active keys of algorithms that are no longer enabled and drops their pending keys. */
export function retireDisabled(ring: KeyRing, enabled: readonly JwsAlgorithm[]): KeyRing {
  const isEnabled = (alg: JwsAlgorithm): boolean => enabled.includes(alg);
  const disabled = ring.active.filter((key) => !isEnabled(key.alg));
  const pending = ring.pending.filter((entry) => isEnabled(entry.key.alg));
  if (disabled.length === 0 && pending.length === ring.pending.length) return ring;
  return {
    active: ring.active.filter((key) => isEnabled(key.alg)),
    pending,
    retired: [...ring.retired, ...disabled]
  };
}

/** Activates the pending keys whose time has come and drops retired keys whose last token has expired (plus the margin). */
export function advanceKeyRing(ring: KeyRing, nowSeconds: number): KeyRing {
  let next = ring;
  for (const entry of ring.pending) if (entry.activateAtSeconds <= nowSeconds) next = activateKey(next, entry.key);
  const retired = next.retired.filter((key) => removalSeconds(key) > nowSeconds);
  if (retired.length !== next.retired.length) next = { ...next, retired };
  return next;
}

/** The earliest time at which advanceKeyRing would change the ring, if any. */
export function nextKeyRingEventSeconds(ring: KeyRing): number | undefined {
  const times = [...ring.pending.map((entry) => entry.activateAtSeconds), ...ring.retired.map(removalSeconds)];
  return times.length === 0 ? undefined : Math.min(...times);
}

/** Notes that `kid` is about to sign a token expiring at `expSeconds`, wherever the key is in the ring. */
export function recordSignedExpiry(ring: KeyRing, kid: string, expSeconds: number): KeyRing {
  const raise = (key: SigningKey): SigningKey =>
    key.jwk.kid === kid && key.latestExpSeconds < expSeconds ? { ...key, latestExpSeconds: expSeconds } : key;
  return {
    active: ring.active.map(raise),
    pending: ring.pending.map((entry) => ({ ...entry, key: raise(entry.key) })),
    retired: ring.retired.map(raise)
  };
}

/** The JWKS: active, then pending, then retired keys. */
export function publishedKeys(ring: KeyRing): PublicJwk[] {
  return [...ring.active, ...ring.pending.map((entry) => entry.key), ...ring.retired].map((key) => key.jwk);
}
