import { Principal } from '@dfinity/principal';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';

/** The management canister `aaaaa-aa` is the empty principal. */
export const MANAGEMENT_CANISTER_ID = Principal.managementCanister();

/**
 * A stand-in subnet id for a local IC used without a network (which passes
 * the ids of its subnet keys): a self-authenticating-style principal derived
 * from the subnet kind.
 */
export function standInSubnetId(kind: string): Principal {
  return Principal.fromUint8Array(concatBytes(sha256(new TextEncoder().encode(`local IC stand-in subnet ${kind}`)).subarray(0, 28), Uint8Array.of(0x02)));
}

/** Canister ids are an 8-byte big-endian index followed by the bytes 0x01 0x01 (opaque id class). */
export function canisterIdFromIndex(index: bigint): Principal {
  if (index < 0n || index >= 1n << 64n) throw new RangeError(`canister index ${index} does not fit in 64 bits`);
  const bytes = new Uint8Array(10);
  new DataView(bytes.buffer).setBigUint64(0, index, false);
  bytes[8] = 0x01;
  bytes[9] = 0x01;
  return Principal.fromUint8Array(bytes);
}

/** The index of an IC-style canister id, or undefined for other principals. */
export function canisterIndexOf(id: Principal): bigint | undefined {
  const bytes = id.toUint8Array();
  if (bytes.length !== 10 || bytes[8] !== 0x01 || bytes[9] !== 0x01) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, false);
}

/** Principals are at most 29 bytes long (interface spec, "Principals"). */
export const MAX_PRINCIPAL_LENGTH = 29;

/** Map key for a principal: the hex of its bytes (cheaper than its textual form). */
export function principalKey(principal: Principal | Uint8Array): string {
  const bytes = principal instanceof Uint8Array ? principal : principal.toUint8Array();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function principalFromKey(key: string): Principal {
  return Principal.fromUint8Array(new Uint8Array(Buffer.from(key, 'hex')));
}

export function toPrincipal(value: Principal | string): Principal {
  return typeof value === 'string' ? Principal.fromText(value) : value;
}
