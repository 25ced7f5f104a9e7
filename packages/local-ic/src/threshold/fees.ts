import { subnetPricing, thresholdFee } from '../costs/schedule';
import { InsufficientCyclesError } from './errors';
import { keyHoldingSubnetSize } from './key_subnets';
import { signingMethodOf, type SchnorrAlgorithm, type ThresholdAlgorithm } from './key_ids';
import { requireKnownKeyName } from './request_validation';

export type SigningScheme = 'ecdsa' | 'schnorr';

/**
 * Cycles the IC charges for sign_with_ecdsa / sign_with_schnorr: the published
 * signature fee scaled to the size of the subnet that holds the key
 * (key-subnets.ts), whichever subnet the calling canister is on.
 * Throws UnknownThresholdKeyError for a key name this network lacks; the
 * Schnorr algorithm only shapes that error's key id (`schnorr:<Algorithm>:<name>`).
 */
export function signingFee(scheme: SigningScheme, keyName: string, schnorrAlgorithm: SchnorrAlgorithm = 'ed25519'): bigint {
  const algorithm = thresholdAlgorithm(scheme, schnorrAlgorithm);
  const method = signingMethodOf(algorithm);
  const nodes = keyHoldingSubnetSize(requireKnownKeyName(method, algorithm, keyName));
  return thresholdFee(subnetPricing(nodes), method);
}

/** Returns the fee to charge; the rest of `attachedCycles` is the caller's refund. */
export function checkSigningFee(
  scheme: SigningScheme,
  keyName: string,
  attachedCycles: bigint,
  schnorrAlgorithm: SchnorrAlgorithm = 'ed25519'
): bigint {
  const fee = signingFee(scheme, keyName, schnorrAlgorithm);
  if (attachedCycles < fee) {
    throw new InsufficientCyclesError(signingMethodOf(thresholdAlgorithm(scheme, schnorrAlgorithm)), attachedCycles, fee);
  }
  return fee;
}

function thresholdAlgorithm(scheme: SigningScheme, schnorrAlgorithm: SchnorrAlgorithm): ThresholdAlgorithm {
  return scheme === 'ecdsa' ? 'ecdsa' : schnorrAlgorithm;
}
