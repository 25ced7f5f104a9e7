import type { Rejection } from '../shared/rejections.js';
import {
  checkSigningFee,
  createThresholdKeys,
  KEY_NAMES,
  signingFee,
  ThresholdKeyError,
  type KeyName,
  type SchnorrAlgorithm,
  type SigningScheme,
  type ThresholdKeys
} from '../threshold/index.js';

export type { SchnorrAlgorithm, SigningScheme, ThresholdKeys };

/**
 * The threshold keys (threshold/) and their fees, as the
 * management canister and `ic0.cost_sign_with_*` use them.
 */
export class ThresholdBackend {
  readonly keys: ThresholdKeys;

  /** `held`: the key names that exist on this network (heldKeyNames of its subnets). */
  constructor(
    keys?: ThresholdKeys,
    private readonly held: readonly KeyName[] = KEY_NAMES
  ) {
    this.keys = keys ?? createThresholdKeys(held);
  }

  /** The fee for a key name, or undefined when this network has no such key. */
  signingFeeOrUndefined(scheme: SigningScheme, keyName: string, algorithm?: SchnorrAlgorithm): bigint | undefined {
    try {
      return signingFee(scheme, keyName, algorithm, this.held);
    } catch (error) {
      if (error instanceof ThresholdKeyError) return undefined;
      throw error;
    }
  }

  /** The fee to keep out of `attachedCycles`; throws the IC's reject (as a ThresholdKeyError) when too few came. */
  chargeSigningFee(scheme: SigningScheme, keyName: string, attachedCycles: bigint, algorithm?: SchnorrAlgorithm): bigint {
    return checkSigningFee(scheme, keyName, attachedCycles, algorithm, this.held);
  }
}

/** The reject a ThresholdKeyError stands for (it carries the IC's reject code and message). */
export function thresholdRejection(error: unknown): Rejection | undefined {
  return error instanceof ThresholdKeyError ? { rejectCode: error.rejectCode, message: error.message } : undefined;
}
