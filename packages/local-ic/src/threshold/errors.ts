import type { ManagementMethod, SchnorrAlgorithm, SigningMethod } from './key_ids';
import { rustDebugString } from './rust_debug';

/** IC reject codes (interface spec, "Reject codes"). */
export const RejectCode = {
  SysFatal: 1,
  SysTransient: 2,
  DestinationInvalid: 3,
  CanisterReject: 4,
  CanisterError: 5
} as const;
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];

/** A management-canister call the IC would reject; the engine turns it into a reject with this code and message. */
export class ThresholdKeyError extends Error {
  readonly rejectCode: RejectCode;
  readonly code: string;

  constructor(code: string, rejectCode: RejectCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.rejectCode = rejectCode;
  }
}

/**
 * Problems the IC finds while routing a call to the management canister
 * (before it executes): it rejects those with DESTINATION_INVALID and wraps
 * the reason as `Unable to route management canister request <method>: <reason>`.
 */
function routingRejectMessage(method: ManagementMethod, debugPrintedReason: string): string {
  return `Unable to route management canister request ${method}: ${debugPrintedReason}`;
}

/** The key name is not one this network holds. Public-key and signing calls word it differently, as the IC does. */
export class UnknownThresholdKeyError extends ThresholdKeyError {
  readonly keyId: string;

  constructor(method: ManagementMethod, keyId: string, existingKeyIds: readonly string[]) {
    const keys = `[${existingKeyIds.join(', ')}]`;
    const reason = isSigning(method)
      ? `Requested unknown or disabled threshold key: ${keyId}, existing enabled keys: ${keys}`
      : `Requested unknown threshold key: ${keyId}, existing keys: ${keys}`;
    super('unknown_threshold_key', RejectCode.DestinationInvalid, routingRejectMessage(method, `ChainKeyError(${rustDebugString(reason)})`));
    this.keyId = keyId;
  }
}

/**
 * The call's Candid argument does not decode into the IC's argument type
 * (the IC decodes it while routing). The text after `Error decoding candid: `
 * approximates the Candid/serde error text; the frame around it is the IC's.
 */
export class InvalidManagementPayloadError extends ThresholdKeyError {
  constructor(code: string, method: ManagementMethod, decodeError: string) {
    const description = rustDebugString(`Error decoding candid: ${decodeError}`);
    super(
      code,
      RejectCode.DestinationInvalid,
      routingRejectMessage(method, `UserError(UserError { code: InvalidManagementPayload, description: ${description} })`)
    );
  }
}

/** `message_hash` is a fixed 32-byte array in the IC's `sign_with_ecdsa` argument type. */
export class MessageHashLengthError extends InvalidManagementPayloadError {
  constructor(actualLength: number) {
    super('invalid_message_hash_length', 'sign_with_ecdsa', `Deserialize error: invalid length ${actualLength}, expected an array of length 32`);
  }
}

/** `derivation_path` is a vector bounded to 255 elements in the IC's argument types. */
export class DerivationPathTooLongError extends InvalidManagementPayloadError {
  constructor(method: ManagementMethod, maximum: number) {
    super('derivation_path_too_long', method, `Deserialize error: The number of elements exceeds maximum allowed ${maximum}`);
  }
}

export class InsufficientCyclesError extends ThresholdKeyError {
  readonly requiredCycles: bigint;
  readonly attachedCycles: bigint;

  constructor(method: SigningMethod, attachedCycles: bigint, requiredCycles: bigint) {
    super(
      'insufficient_cycles',
      RejectCode.CanisterReject,
      `${method} request sent with ${attachedCycles} cycles, but ${requiredCycles} cycles are required.`
    );
    this.requiredCycles = requiredCycles;
    this.attachedCycles = attachedCycles;
  }
}

/** The IC prints Schnorr algorithms by their Rust variant names. */
function rustAlgorithmName(algorithm: SchnorrAlgorithm): string {
  return algorithm === 'ed25519' ? 'Ed25519' : 'Bip340Secp256k1';
}

/** BIP-341 `merkle_root_hash` must be empty or 32 bytes. */
export class InvalidSchnorrAuxError extends ThresholdKeyError {
  constructor(algorithm: SchnorrAlgorithm) {
    super('invalid_schnorr_aux', RejectCode.CanisterReject, `Invalid aux field for ${rustAlgorithmName(algorithm)}`);
  }
}

export class SchnorrAuxNotSupportedError extends ThresholdKeyError {
  constructor(algorithm: SchnorrAlgorithm) {
    super('schnorr_aux_not_supported', RejectCode.CanisterReject, `Schnorr algorithm ${rustAlgorithmName(algorithm)} does not support aux input`);
  }
}

function isSigning(method: ManagementMethod): method is SigningMethod {
  return method === 'sign_with_ecdsa' || method === 'sign_with_schnorr';
}
