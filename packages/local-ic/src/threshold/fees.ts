import { subnetPricing, thresholdFee } from '../costs/schedule';
import { InsufficientCyclesError } from './errors';
import { keyHoldingSubnetSize } from './key_subnets';
import { KEY_NAMES, signingMethodOf, type KeyName, type SchnorrAlgorithm, type ThresholdAlgorithm } from './key_ids';
import { requireKnownKeyName } from './request_validation';

export type SigningScheme = 'ecdsa' | 'schnorr';

/**
 * Cycles the IC charges for sign_with_ecdsa / sign_with_schnorr: the published
 * signature fee scaled to the size of the subnet that holds the key
 * (key-subnets.ts), whichever subnet the calling canister is on.
 * Throws UnknownThresholdKeyError for a key name this network lacks; the
 * Schnorr algorithm only shapes that error's key id (`schnorr:<Algorithm>:<name>`).
 */
export function signingFee(
  scheme: SigningScheme,
  keyName: string,
  schnorrAlgorithm: SchnorrAlgorithm = 'ed25519',
  held: readonly KeyName[] = KEY_NAMES
): bigint {
  const algorithm = thresholdAlgorithm(scheme, schnorrAlgorithm);
  const method = signingMethodOf(algorithm);
  const nodes = keyHoldingSubnetSize(requireKnownKeyName(method, algorithm, keyName, held));
  return thresholdFee(subnetPricing(nodes), method);
}

/** Returns the fee to charge; the rest of `attachedCycles` is the caller's refund. */
export function checkSigningFee(
  scheme: SigningScheme,
  keyName: string,
  attachedCycles: bigint,
  schnorrAlgorithm: SchnorrAlgorithm = 'ed25519',
  held: readonly KeyName[] = KEY_NAMES
): bigint {
  const fee = signingFee(scheme, keyName, schnorrAlgorithm, held);
  if (attachedCycles < fee) {
    throw new InsufficientCyclesError(signingMethodOf(thresholdAlgorithm(scheme, schnorrAlgorithm)), attachedCycles, fee);
  }
  return fee;
}

function thresholdAlgorithm(scheme: SigningScheme, schnorrAlgorithm: SchnorrAlgorithm): ThresholdAlgorithm {
  return scheme === 'ecdsa' ? 'ecdsa' : schnorrAlgorithm;
}
