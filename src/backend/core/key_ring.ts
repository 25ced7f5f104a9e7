// The signing keys the issuer publishes: one active key per algorithm, and retired
// ones that stay in the JWKS until every token they signed has expired.
import type { JwsAlgorithm } from './algorithms';
import { bytesToHex, u32BigEndian, utf8 } from './bytes';
import type { KeyName } from './fees';
import { ed25519Jwk, es256kJwk, type PublicJwk } from './jwk';

export interface SigningKey {
  alg: JwsAlgorithm;
  keyName: KeyName;
  keyVersion: number;
  /** The public key the management canister returned, hex: 33-byte compressed SEC1 (ES256K) or 32-byte Ed25519 (EdDSA). */
  publicKeyHex: string;
  jwk: PublicJwk;
}

export interface RetiredKey {
  key: SigningKey;
  removeAfterSeconds: number;
}

export interface KeyRing {
  /** At most one key per algorithm. */
  active: SigningKey[];
  retired: RetiredKey[];
}

/** Verifier clocks may lag ours; a retired key stays this much longer than its last token. */
export const RETIREMENT_MARGIN_SECONDS = 300;

export const FIRST_KEY_VERSION = 1;

export const EMPTY_KEY_RING: KeyRing = { active: [], retired: [] };

/**
 * The threshold key's derivation path: the product, the algorithm, and a key version
 * (big-endian u32). A new version derives a new key, so rotation needs no secret.
 */
export function derivationPath(alg: JwsAlgorithm, keyVersion: number): Uint8Array[] {
  return [utf8('ic-jwt'), utf8(alg), u32BigEndian(keyVersion)];
}

export function es256kSigningKey(keyName: KeyName, keyVersion: number, compressedPublicKey: Uint8Array): SigningKey {
  return {
    alg: 'ES256K',
    keyName,
    keyVersion,
    publicKeyHex: bytesToHex(compressedPublicKey),
    jwk: es256kJwk(compressedPublicKey)
  };
}

export function ed25519SigningKey(keyName: KeyName, keyVersion: number, publicKey: Uint8Array): SigningKey {
  return { alg: 'EdDSA', keyName, keyVersion, publicKeyHex: bytesToHex(publicKey), jwk: ed25519Jwk(publicKey) };
}

export function signingKey(alg: JwsAlgorithm, keyName: KeyName, keyVersion: number, publicKey: Uint8Array): SigningKey {
  return alg === 'ES256K' ? es256kSigningKey(keyName, keyVersion, publicKey) : ed25519SigningKey(keyName, keyVersion, publicKey);
}

export function activeKey(ring: KeyRing, alg: JwsAlgorithm): SigningKey | undefined {
  return ring.active.find((key) => key.alg === alg);
}

function retirement(key: SigningKey, nowSeconds: number, maxTtlSeconds: number): RetiredKey {
  return { key, removeAfterSeconds: nowSeconds + maxTtlSeconds + RETIREMENT_MARGIN_SECONDS };
}

/**
 * Makes `key` the active key of its algorithm. A different previous key of that
 * algorithm is retired, and kept published until tokens it signed (at most
 * maxTtlSeconds long) have expired.
 */
export function activateKey(ring: KeyRing, key: SigningKey, nowSeconds: number, maxTtlSeconds: number): KeyRing {
  const previous = activeKey(ring, key.alg);
  const active = [...ring.active.filter((entry) => entry.alg !== key.alg), key];
  if (previous !== undefined && previous.jwk.kid === key.jwk.kid) {
    return { active, retired: ring.retired };
  }
  const retired = ring.retired.filter((entry) => entry.key.jwk.kid !== key.jwk.kid);
  if (previous !== undefined) retired.push(retirement(previous, nowSeconds, maxTtlSeconds));
  return { active, retired };
}

/** Retires the active keys of algorithms that are no longer enabled (their tokens stay verifiable until they expire). */
export function retireDisabled(
  ring: KeyRing,
  enabled: readonly JwsAlgorithm[],
  nowSeconds: number,
  maxTtlSeconds: number
): KeyRing {
  const disabled = ring.active.filter((key) => !enabled.includes(key.alg));
  if (disabled.length === 0) return ring;
  return {
    active: ring.active.filter((key) => enabled.includes(key.alg)),
    retired: [...ring.retired, ...disabled.map((key) => retirement(key, nowSeconds, maxTtlSeconds))]
  };
}

export function pruneRetired(ring: KeyRing, nowSeconds: number): KeyRing {
  const retired = ring.retired.filter((entry) => entry.removeAfterSeconds > nowSeconds);
  return retired.length === ring.retired.length ? ring : { active: ring.active, retired };
}

/** The earliest time at which pruning would change the ring, if any. */
export function nextRetirementSeconds(ring: KeyRing): number | undefined {
  const times = ring.retired.map((entry) => entry.removeAfterSeconds);
  return times.length === 0 ? undefined : Math.min(...times);
}

export function publishedKeys(ring: KeyRing): PublicJwk[] {
  return [...ring.active.map((key) => key.jwk), ...ring.retired.map((entry) => entry.key.jwk)];
}

/** Reads a ring stored by any release: before EdDSA, `active` was one ES256K key or null. */
export function keyRingFromStored(stored: unknown): KeyRing {
  if (stored === undefined || stored === null) return EMPTY_KEY_RING;
  const ring = stored as { active: SigningKey | SigningKey[] | null; retired: RetiredKey[] };
  if (Array.isArray(ring.active)) return ring as KeyRing;
  return { active: ring.active === null ? [] : [ring.active], retired: ring.retired };
}
