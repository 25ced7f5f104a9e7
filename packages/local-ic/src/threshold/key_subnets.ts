import { SUBNET_NODE_COUNTS, type SubnetKind } from '../costs/subnet_sizes';
import { KEY_NAMES, type KeyName } from './key_ids';

/**
 * Which subnets hold each key, as PocketIC 14 has them: `key_1` on the II and
 * fiduciary subnets, `test_key_1` and `dfx_test_key` only on the
 * test-threshold-keys subnet (PR 9818 moved them there so that their fee is
 * 10B cycles as on mainnet).
 */
export const KEY_HOLDERS: Readonly<Record<KeyName, readonly SubnetKind[]>> = Object.freeze({
  key_1: Object.freeze(['ii', 'fiduciary'] as const),
  test_key_1: Object.freeze(['test-threshold-keys'] as const),
  dfx_test_key: Object.freeze(['test-threshold-keys'] as const)
});

/** The key names a network with these subnets holds: a key exists only where a subnet holding it does, as in PocketIC. */
export function heldKeyNames(subnetKinds: readonly SubnetKind[]): KeyName[] {
  return KEY_NAMES.filter((name) => KEY_HOLDERS[name].some((holder) => subnetKinds.includes(holder)));
}

/**
 * The node count a key's fees scale with: that of the subnet signing with it
 * (the first holder; every holder of a key has the same size here).
 */
export function keyHoldingSubnetSize(keyName: KeyName): bigint {
  const [signer] = KEY_HOLDERS[keyName];
  if (signer === undefined) throw new Error(`no subnet holds ${keyName}`);
  return SUBNET_NODE_COUNTS[signer];
}
