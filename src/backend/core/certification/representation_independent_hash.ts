// The representation-independent hash of a map (interface spec, "Hash of map"), for the value
// kinds HTTP certification uses. Keys may repeat: every pair counts, as repeated headers must.
import { concatBytes, unsignedLeb128 as leb128 } from '../bytes';
import { sha256 } from '../sha256';

import { compareLabels } from './hash_tree';

/** A string hashes as its UTF-8 bytes, a number (unsigned integer) as its unsigned LEB128 bytes. */
export type IndependentValue = string | number | Uint8Array;

export class RepresentationIndependentHashError extends Error {
  readonly code = 'ERR_REPRESENTATION_INDEPENDENT_HASH';
}

/**
 * SHA-256 of strings hashed before: certifying the served responses hashes the same header names
 * and values (the expression header, CORS) over and over, and each SHA-256 costs millions of
 * instructions in the canister's interpreter. Bounded: emptied when full.
 */
const stringHashes = new Map<string, Uint8Array>();
const MAX_REMEMBERED_STRINGS = 256;

function hashOfString(text: string, encoder: TextEncoder): Uint8Array {
  let hash = stringHashes.get(text);
  if (hash === undefined) {
    if (stringHashes.size >= MAX_REMEMBERED_STRINGS) stringHashes.clear();
    stringHashes.set(text, (hash = sha256(encoder.encode(text))));
  }
  return hash;
}

export function representationIndependentHash(entries: readonly (readonly [string, IndependentValue])[]): Uint8Array {
  const encoder = new TextEncoder();
  const pairs = entries.map(([key, value]) => {
    const pair = new Uint8Array(64);
    pair.set(hashOfString(key, encoder), 0);
    pair.set(typeof value === 'string' ? hashOfString(value, encoder) : sha256(valueBytes(value, encoder)), 32);
    return pair;
  });
  pairs.sort(compareLabels);
  return sha256(concatBytes(...pairs));
}

function valueBytes(value: IndependentValue, encoder: TextEncoder): Uint8Array {
  if (typeof value === 'string') return encoder.encode(value);
  if (typeof value === 'number') return unsignedLeb128(value);
  return value;
}

export function unsignedLeb128(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RepresentationIndependentHashError(`LEB128 encodes unsigned integers, not ${value}`);
  }
  return leb128(value);
}
