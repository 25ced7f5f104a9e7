/** Reject codes of the interface specification ("Reject codes"). */
export const RejectCode = {
  SysFatal: 1,
  SysTransient: 2,
  DestinationInvalid: 3,
  CanisterReject: 4,
  CanisterError: 5,
  SysUnknown: 6
} as const;
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];

/**
 * The replica's user-facing error codes (`IC0xxx`). Their leading digit is
 * the reject code, so the reject code is derived from them.
 */
export const ErrorCode = {
  SubnetOversubscribed: 'IC0101',
  CanisterOutOfCycles: 'IC0207',
  CanisterNotFound: 'IC0301',
  SubnetNotFound: 'IC0404',
  CanisterRejectedMessage: 'IC0406',
  UnknownManagementMessage: 'IC0407',
  InvalidManagementPayload: 'IC0408',
  CanisterTrapped: 'IC0502',
  CanisterCalledTrap: 'IC0503',
  CanisterContractViolation: 'IC0504',
  CanisterInvalidWasm: 'IC0505',
  CanisterDidNotReply: 'IC0506',
  CanisterOutOfMemory: 'IC0507',
  CanisterStopped: 'IC0508',
  CanisterStopping: 'IC0509',
  CanisterNotStopped: 'IC0510',
  CanisterInvalidController: 'IC0512',
  CanisterFunctionNotFound: 'IC0513',
  CanisterNonEmpty: 'IC0514',
  InsufficientCyclesInCall: 'IC0520',
  CanisterInstructionLimitExceeded: 'IC0522',
  CompositeQueryCalledInReplicatedMode: 'IC0527',
  CanisterMethodNotFound: 'IC0536',
  CanisterWasmModuleNotFound: 'IC0537',
  CanisterWasmMemoryLimitExceeded: 'IC0539'
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface Rejection {
  readonly rejectCode: number;
  readonly message: string;
  /** The replica's `IC0xxx` code; absent for rejects a canister chose (`msg_reject`). */
  readonly errorCode?: string;
}

export function rejectionWithErrorCode(errorCode: ErrorCode, message: string): Rejection {
  return { rejectCode: Number(errorCode.charAt(3)), errorCode, message };
}

/** Reject-message wording follows the replica's `HypervisorError` / `UserError` texts. */
export const rejections = {
  canisterNotFound: (canister: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterNotFound, `Canister ${canister} not found`),
  noWasmModule: (canister: string): Rejection =>
    rejectionWithErrorCode(
      ErrorCode.CanisterWasmModuleNotFound,
      `Attempt to execute a message on canister ${canister} which contains no Wasm module`
    ),
  methodNotFound: (canister: string, kind: 'update' | 'query' | 'composite_query', method: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterMethodNotFound, `Canister ${canister} has no ${kind} method '${method}'`),
  stopped: (canister: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterStopped, `Canister ${canister} is stopped`),
  stopping: (canister: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterStopping, `Canister ${canister} is stopping`),
  outOfCycles: (canister: string, missing?: bigint): Rejection =>
    rejectionWithErrorCode(
      ErrorCode.CanisterOutOfCycles,
      missing === undefined || missing <= 0n
        ? `Canister ${canister} is out of cycles`
        : `Canister ${canister} is out of cycles: please top up the canister with at least ${missing} additional cycles`
    ),
  didNotReply: (canister: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterDidNotReply, `Canister ${canister} did not reply to the call`),
  /** `detail` is the trap's text ("Canister exceeded the limit of N instructions ..."). */
  instructionLimitExceeded: (canister: string, detail: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterInstructionLimitExceeded, `Error from Canister ${canister}: ${detail}`),
  /** The replica's `HypervisorError::WasmMemoryLimitExceeded` (`detail` is its text). */
  wasmMemoryLimitExceeded: (canister: string, detail: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterWasmMemoryLimitExceeded, `Error from Canister ${canister}: ${detail}`),
  calledTrap: (canister: string, message: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterCalledTrap, `Canister ${canister} trapped explicitly: ${message}`),
  trapped: (canister: string, trap: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterTrapped, `Canister ${canister} trapped: ${trap}`),
  contractViolation: (canister: string, description: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterContractViolation, `Canister ${canister} violated contract: ${description}`),
  insufficientCyclesInCall: (canister: string, requested: bigint, available: bigint): Rejection =>
    rejectionWithErrorCode(
      ErrorCode.InsufficientCyclesInCall,
      `Canister ${canister} attempted to send ${requested} cycles when only ${available} were available in its balance`
    ),
  rejectedMessage: (canister: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterRejectedMessage, `Canister ${canister} rejected the message`),
  notAController: (canister: string, controllers: readonly string[], sender: string): Rejection =>
    rejectionWithErrorCode(
      ErrorCode.CanisterInvalidController,
      `Only the controllers of the canister ${canister} can control it.\nCanister's controllers: ${controllers.join(' ')}\nSender's ID: ${sender}`
    ),
  nonEmpty: (canister: string): Rejection =>
    rejectionWithErrorCode(
      ErrorCode.CanisterNonEmpty,
      `Canister ${canister} cannot be installed because the canister is not empty. Try installing with mode='reinstall' instead.`
    ),
  notStopped: (canister: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterNotStopped, `Canister ${canister} must be stopped before it is deleted.`),
  invalidWasm: (canister: string, reason: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.CanisterInvalidWasm, `Wasm module of canister ${canister} is not valid: ${reason}`),
  compositeQueryInReplicatedMode: (canister: string, method: string): Rejection =>
    rejectionWithErrorCode(
      ErrorCode.CompositeQueryCalledInReplicatedMode,
      `Composite query cannot be called in replicated mode: canister ${canister}, method '${method}'`
    ),
  unknownManagementMethod: (method: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.UnknownManagementMessage, `Management canister has no method '${method}'`),
  invalidManagementPayload: (description: string): Rejection =>
    rejectionWithErrorCode(ErrorCode.InvalidManagementPayload, `Error decoding candid: ${description}`)
} as const;

/** A reject the canister produced itself with `ic0.msg_reject`. */
export function canisterReject(message: string): Rejection {
  return { rejectCode: RejectCode.CanisterReject, message };
}
