import type { ApiMode } from './api_modes.js';

export interface TableCallback {
  readonly fun: number;
  readonly env: number;
}

/** A call being assembled between `ic0.call_new` and `ic0.call_perform`. */
export interface CallUnderConstruction {
  readonly callee: Uint8Array;
  readonly method: string;
  readonly reply: TableCallback;
  readonly reject: TableCallback;
  cleanup: TableCallback | undefined;
  readonly payloadChunks: Uint8Array[];
  payloadSize: number;
  cycles: bigint;
  timeoutSeconds: number | undefined;
}

/** A call that `ic0.call_perform` queued; it is sent only if the execution commits. */
export interface PerformedCall {
  readonly callee: Uint8Array;
  readonly method: string;
  readonly payload: Uint8Array;
  readonly cycles: bigint;
  readonly reply: TableCallback;
  readonly reject: TableCallback;
  readonly cleanup: TableCallback | undefined;
  readonly timeoutSeconds: number | undefined;
  /** Cycles set aside for the response (refunded in part when it arrives). */
  readonly reservation: bigint;
}

export type ExecutionResponse = { readonly kind: 'reply'; readonly data: Uint8Array } | { readonly kind: 'reject'; readonly message: string };

/** The call context a method or callback may respond to and take cycles from. */
export interface CallContextView {
  readonly id: number;
  /** False for contexts that need no response (system tasks) or already have one. */
  readonly canRespond: boolean;
  /** Cycles the caller attached that are not accepted yet. */
  readonly cyclesAvailable: bigint;
  readonly deadline: bigint;
}

/**
 * Everything one execution of a canister entry point sees and changes. Changes
 * to the canister's host-side state are collected here and applied only if the
 * execution completes without trapping.
 */
export interface ExecutionContext {
  readonly mode: ApiMode;
  readonly caller: Uint8Array;
  readonly argument: Uint8Array;
  readonly methodName: string | undefined;
  readonly rejectCode: number;
  readonly rejectMessage: string | undefined;
  readonly cyclesRefunded: bigint;
  readonly time: bigint;
  readonly callContext: CallContextView | undefined;
  readonly dataCertificate: Uint8Array | undefined;
  readonly startedAt: bigint;

  balance: bigint;
  cyclesAccepted: bigint;
  cyclesBurned: bigint;
  replyChunks: Uint8Array[];
  replySize: number;
  response: ExecutionResponse | undefined;
  pendingCall: CallUnderConstruction | undefined;
  readonly performedCalls: PerformedCall[];
  certifiedData: Uint8Array | undefined;
  globalTimer: bigint;
  messageAccepted: boolean;
}

export interface ExecutionContextInit {
  readonly mode: ApiMode;
  readonly caller: Uint8Array;
  readonly argument?: Uint8Array;
  readonly methodName?: string;
  readonly rejectCode?: number;
  readonly rejectMessage?: string;
  readonly cyclesRefunded?: bigint;
  readonly time: bigint;
  readonly callContext?: CallContextView;
  /**
   * The certificate for `ic0.data_certificate_*`, or what makes it. A function is called at most
   * once, when the canister first asks: building one costs a BLS signature, and most queries never ask.
   */
  readonly dataCertificate?: Uint8Array | (() => Uint8Array | undefined);
  readonly balance: bigint;
  readonly globalTimer: bigint;
}

const EMPTY = new Uint8Array(0);

export function createExecutionContext(init: ExecutionContextInit): ExecutionContext {
  const certificateSource = init.dataCertificate;
  let certificate: { readonly value: Uint8Array | undefined } | undefined;
  return {
    mode: init.mode,
    caller: init.caller,
    argument: init.argument ?? EMPTY,
    methodName: init.methodName,
    rejectCode: init.rejectCode ?? 0,
    rejectMessage: init.rejectMessage,
    cyclesRefunded: init.cyclesRefunded ?? 0n,
    time: init.time,
    callContext: init.callContext,
    get dataCertificate(): Uint8Array | undefined {
      certificate ??= { value: typeof certificateSource === 'function' ? certificateSource() : certificateSource };
      return certificate.value;
    },
    startedAt: process.hrtime.bigint(),
    balance: init.balance,
    cyclesAccepted: 0n,
    cyclesBurned: 0n,
    replyChunks: [],
    replySize: 0,
    response: undefined,
    pendingCall: undefined,
    performedCalls: [],
    certifiedData: undefined,
    globalTimer: init.globalTimer,
    messageAccepted: false
  };
}
