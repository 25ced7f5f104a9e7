import { IDL } from '@dfinity/candid';
import type { ManagementOutcome } from '../execution/management_calls.js';
import { replied } from '../shared/call_result.js';
import { assertBoundedCandid } from '../shared/candid_bounds.js';
import { decodeExactly } from './exact_candid_decoder.js';

export type { ManagementCall, ManagementOutcome } from '../execution/management_calls.js';

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

