// What a call to the management canister (`aaaaa-aa`) is for the message processor; management/
// (a layer above) implements the handler.
import type { CallResult } from '../shared/call_result.js';
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

/** The management canister as the message processor calls it. */
export interface ManagementCallHandler {
  handleCall(call: ManagementCall): Promise<ManagementOutcome | 'deferred'>;
}
