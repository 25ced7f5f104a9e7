import { InsufficientCyclesError } from './errors';
import { signingMethodOf, type KeyName, type SchnorrAlgorithm, type ThresholdAlgorithm } from './key-ids';
import { requireKnownKeyName } from './request-validation';

export type SigningScheme = 'ecdsa' | 'schnorr';

/**
 * Cycles a canister must attach to sign_with_ecdsa / sign_with_schnorr.
 * dfx_test_key costs as much as key_1 so that a canister attaching the
 * key_1 amount works on every network; the engine refunds any surplus.
 */
const SIGNING_FEES: Readonly<Record<KeyName, bigint>> = {
  key_1: 26_153_846_153n,
  test_key_1: 10_000_000_000n,
  dfx_test_key: 26_153_846_153n
};

/**
 * Throws UnknownThresholdKeyError for a key name this network lacks. The
 * Schnorr algorithm only shapes that error's key id (`schnorr:<Algorithm>:<name>`).
 */
export function signingFee(scheme: SigningScheme, keyName: string, schnorrAlgorithm: SchnorrAlgorithm = 'ed25519'): bigint {
  const algorithm = thresholdAlgorithm(scheme, schnorrAlgorithm);
  return SIGNING_FEES[requireKnownKeyName(signingMethodOf(algorithm), algorithm, keyName)];
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
