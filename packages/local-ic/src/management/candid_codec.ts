import { IDL } from '@dfinity/candid';
import { replied, type CallResult } from '../shared/call_result.js';
import { assertBoundedCandid } from '../shared/candid_bounds.js';
import { decodeExactly } from './exact_candid_decoder.js';
import type { SubnetKind } from '../topology/layout.js';

/** A call to `aaaaa-aa`, from a canister or as an ingress message. */
export interface ManagementCall {
  readonly caller: Uint8Array;
  readonly method: string;
  readonly argument: Uint8Array;
  readonly cycles: bigint;
  readonly viaIngress: boolean;
  /** For an ingress message: the subnet it was addressed to, where it creates canisters (default: the requester's subnet). */
  readonly addressedSubnet?: SubnetKind;
  /** For methods that answer later (stop_canister). */
  readonly respondLater: (outcome: ManagementOutcome) => void;
}

export interface ManagementOutcome {
  readonly result: CallResult;
  /** Cycles returned to the caller with the response. */
  readonly refund: bigint;
}

export class CandidDecodeError extends Error {}

export function decode<T extends unknown[]>(types: IDL.Type[], bytes: Uint8Array): T {
  try {
    assertBoundedCandid(bytes);
    const exact = decodeExactly(types, bytes);
    if (exact !== undefined) return exact as T;
    // @dfinity/candid reads views from the start of their ArrayBuffer: hand it a view that starts there.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    return IDL.decode(types, own) as unknown as T;
  } catch (error) {
    throw new CandidDecodeError(error instanceof Error ? error.message : String(error));
  }
}

export function reply(type: IDL.Type, value: unknown, refund: bigint): ManagementOutcome {
  return { result: replied(new Uint8Array(IDL.encode([type], [value]))), refund };
}

export function emptyReply(refund: bigint): ManagementOutcome {
  return { result: replied(new Uint8Array(IDL.encode([], []))), refund };
}

