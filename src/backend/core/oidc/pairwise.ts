// Pairwise subject identifiers (OpenID Connect Core §8.1): one stable `sub` per user and sector
// that two sectors cannot correlate, since neither knows the salt.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

import { base64UrlEncode } from '../base64url';
import { concatBytes, utf8 } from '../bytes';

export const PAIRWISE_SALT_BYTES = 32;

/**
 * HMAC-SHA-256, keyed by a 256-bit salt from raw_rand, over the sector and the principal
 * (length-prefixed, so no two pairs share an input).
 * Security: the subjects rest on the salt alone. It lives in the canister's stable memory,
 * which the node providers of the subnet can read: they (and nobody else) could link a
 * user's subjects across sectors. It is never replaced: a new salt would give every user of a
 * pairwise client a new `sub`.
 */
export function pairwiseSubject(salt: Uint8Array, sector: string, principal: string): string {
  if (salt.length !== PAIRWISE_SALT_BYTES) throw new RangeError(`the pairwise salt must be ${PAIRWISE_SALT_BYTES} bytes`);
  const sectorBytes = utf8(sector);
  const length = new Uint8Array(2);
  new DataView(length.buffer).setUint16(0, sectorBytes.length, false);
  return base64UrlEncode(hmac(sha256, salt, concatBytes(length, sectorBytes, utf8(principal))));
}
