// A fetched JWK Set (RFC 7517 §5) turned into keys by kid.
import { JwksInvalidError } from './errors.js';
import { importJwk, UnusableKeyError, type CryptoProvider, type VerificationKey } from './keys.js';

export interface KeySet {
  readonly byKid: ReadonlyMap<string, VerificationKey>;
  /** Keys of a type we verify that cannot be used, with the reason, by kid (for error messages). */
  readonly unusable: ReadonlyMap<string, string>;
}

export const EMPTY_KEY_SET: KeySet = { byKid: new Map(), unusable: new Map() };

/**
 * Keys of other types (RSA, P-256, …) are skipped, so that an issuer can publish them
 * without breaking us. With duplicate kids the first usable key wins.
 */
export async function parseJwks(document: unknown, crypto: CryptoProvider): Promise<KeySet> {
  const keys = typeof document === 'object' && document !== null ? (document as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) throw new JwksInvalidError('the JWK Set is not a JSON object with a "keys" array');
  const byKid = new Map<string, VerificationKey>();
  const unusable = new Map<string, string>();
  for (const jwk of keys) {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) continue;
    const kid = (jwk as { kid?: unknown }).kid;
    try {
      const key = await importJwk(jwk as Record<string, unknown>, crypto);
      if (key !== undefined && !byKid.has(key.kid)) byKid.set(key.kid, key);
    } catch (cause) {
      if (!(cause instanceof UnusableKeyError)) throw cause;
      if (typeof kid === 'string' && !byKid.has(kid)) unusable.set(kid, cause.message);
    }
  }
  return { byKid, unusable };
}
