// The signing keys the issuer publishes: the active one, and retired ones that
// stay in the JWKS until every token they signed has expired.
import { bytesToHex, u32BigEndian, utf8 } from './bytes';
import type { KeyName } from './fees';
import { es256kJwk, type PublicJwk } from './jwk';

export interface SigningKey {
  alg: 'ES256K';
  keyName: KeyName;
  keyVersion: number;
  /** The 33-byte compressed SEC1 key that ecdsa_public_key returned, hex. */
  publicKeyHex: string;
  jwk: PublicJwk;
}

export interface RetiredKey {
  key: SigningKey;
  removeAfterSeconds: number;
}

export interface KeyRing {
  active: SigningKey | null;
  retired: RetiredKey[];
}

/** Verifier clocks may lag ours; a retired key stays this much longer than its last token. */
export const RETIREMENT_MARGIN_SECONDS = 300;

export const EMPTY_KEY_RING: KeyRing = { active: null, retired: [] };

/** The threshold key's derivation path: the product, the algorithm, and a key version (big-endian u32). */
export function derivationPath(alg: 'ES256K', keyVersion: number): Uint8Array[] {
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

/**
 * Makes `key` the active key. A different previous active key is retired, and
 * kept published until tokens it signed (at most maxTtlSeconds long) have expired.
 */
export function activateKey(ring: KeyRing, key: SigningKey, nowSeconds: number, maxTtlSeconds: number): KeyRing {
  const previous = ring.active;
  if (previous !== null && previous.jwk.kid === key.jwk.kid) {
    return { active: key, retired: ring.retired };
  }
  const retired = ring.retired.filter((entry) => entry.key.jwk.kid !== key.jwk.kid);
  if (previous !== null) {
    retired.push({ key: previous, removeAfterSeconds: nowSeconds + maxTtlSeconds + RETIREMENT_MARGIN_SECONDS });
  }
  return { active: key, retired };
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
  return [...(ring.active === null ? [] : [ring.active.jwk]), ...ring.retired.map((entry) => entry.key.jwk)];
}
