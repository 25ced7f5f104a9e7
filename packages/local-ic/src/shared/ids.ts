import { Principal } from '@dfinity/principal';

/** The management canister `aaaaa-aa` is the empty principal. */
export const MANAGEMENT_CANISTER_ID = Principal.managementCanister();

/**
 * Index of the first canister a fresh local IC creates; it yields
 * `bkyz2-fmaaa-aaaaa-qaaaq-cai`, the first id of a fresh dfx local network.
 */
export const DEFAULT_FIRST_CANISTER_INDEX = 0x8000_0000_0010_0001n;

/** A stand-in subnet id (`ic0.subnet_self_*`); the local IC has one subnet. */
export const LOCAL_SUBNET_ID = Principal.fromUint8Array(
  new Uint8Array([
    0x2c, 0x8f, 0x4e, 0x1a, 0x6b, 0x3d, 0x90, 0x12, 0x55, 0xa7, 0x0e, 0xc4, 0x77, 0x21, 0x9b, 0x68, 0xd3, 0x04, 0xe6,
    0x5f, 0xaa, 0x31, 0x7c, 0x08, 0xbe, 0x49, 0x13, 0xf0, 0x02
  ])
);

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
