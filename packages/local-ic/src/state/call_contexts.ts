import type { TableCallback } from '../runtime/execution_context.js';
import type { SubnetKind } from '../topology/layout.js';

/** Who is waiting for the response of a call context. */
export type CallOrigin =
  /** `subnet`: the subnet an ingress message to the management canister is addressed to (its effective subnet), if named. */
  | { readonly kind: 'ingress'; readonly messageId: string; readonly sender: Uint8Array; readonly subnet?: SubnetKind }
  | { readonly kind: 'canister'; readonly caller: Uint8Array; readonly callbackId: number }
  /** Global timer and heartbeat executions: nobody to respond to. */
  | { readonly kind: 'system' };

/** A call being handled by a canister (interface spec, "call contexts"). */
export interface CallContext {
  readonly id: number;
  readonly origin: CallOrigin;
  readonly methodName: string;
  /** Attached cycles not accepted yet; refunded with the response. */
  cyclesAvailable: bigint;
  responded: boolean;
  /** Calls made on behalf of this context whose callbacks have not run yet. */
  outstandingCallbacks: number;
  /** Set by uninstall: callbacks of this context no longer run. */
  deleted: boolean;
  readonly deadline: bigint;
  /** Instructions of every execution in this context so far (`performance_counter` type 1). */
  instructionsExecuted: number;
}

/** A pending inter-canister call made by a canister, waiting for its response. */
export interface Callback {
  readonly id: number;
  readonly callContextId: number;
  readonly callee: Uint8Array;
  readonly method: string;
  readonly reply: TableCallback;
  readonly reject: TableCallback;
  readonly cleanup: TableCallback | undefined;
  /** Cycles set aside at call_perform for the response. */
  readonly reservation: bigint;
}

export function callerOf(origin: CallOrigin, managementCanister: Uint8Array): Uint8Array {
  switch (origin.kind) {
    case 'ingress':
      return origin.sender;
    case 'canister':
      return origin.caller;
    case 'system':
      return managementCanister;
  }
}
