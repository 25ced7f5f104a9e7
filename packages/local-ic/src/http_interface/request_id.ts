import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import type { CborMap, CborValue } from './cbor';
import { MalformedRequestError } from './errors';
import { encodeSignedLeb128, encodeUnsignedLeb128 } from './leb128';

/**
 * Representation-independent hashing of structured data (interface spec,
 * "Representation-independent hashing of structured data"): blobs and text
 * are hashed as their bytes, naturals as unsigned LEB128 and negative
 * integers as signed LEB128, arrays as the hash of their elements' hashes
 * concatenated, and maps as the hash of their sorted (key hash · value hash)
 * pairs. A request id is this hash of a request's `content` map.
 */

export type HashableValue = Uint8Array | string | bigint | readonly HashableValue[] | HashableMap;

export interface HashableMap {
  readonly [field: string]: HashableValue | undefined;
}

const textEncoder = new TextEncoder();

export function hashValue(value: HashableValue): Uint8Array {
  if (value instanceof Uint8Array) return sha256(value);
  if (typeof value === 'string') return sha256(textEncoder.encode(value));
  if (typeof value === 'bigint') return sha256(value >= 0n ? encodeUnsignedLeb128(value) : encodeSignedLeb128(value));
  if (isHashableArray(value)) return sha256(concatBytes(...value.map(hashValue)));
  return hashOfMap(value);
}

function isHashableArray(value: readonly HashableValue[] | HashableMap): value is readonly HashableValue[] {
  return Array.isArray(value);
}

/** Omitted (undefined) fields take no part, as the spec requires for optional fields. */
export function hashOfMap(map: HashableMap): Uint8Array {
  const fields: [string, HashableValue][] = [];
  for (const [key, value] of Object.entries(map)) if (value !== undefined) fields.push([key, value]);
  return hashOfFields(fields, hashValue);
}

function hashOfFields<V>(fields: Iterable<readonly [string, V]>, hashField: (value: V) => Uint8Array): Uint8Array {
  const pairs: Uint8Array[] = [];
  for (const [key, value] of fields) pairs.push(concatBytes(hashValue(key), hashField(value)));
  return sha256(concatBytes(...pairs.sort(compareBytes)));
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/** The hash of a decoded CBOR value; booleans and nulls have no representation-independent hash and are refused. */
export function hashCborValue(value: CborValue): Uint8Array {
  switch (value.type) {
    case 'unsigned':
    case 'negative':
    case 'bytes':
    case 'text':
      return hashValue(value.value);
    case 'array':
      return sha256(concatBytes(...value.items.map(hashCborValue)));
    case 'map':
      return hashOfFields(value.entries, hashCborValue);
    case 'simple':
      throw new MalformedRequestError(
        `request contains the value ${String(value.value)}, which has no representation-independent hash`
      );
  }
}

/** The request id: the representation-independent hash of the request's `content` map. */
export function requestIdOf(content: CborMap): Uint8Array {
  return hashCborValue(content);
}
