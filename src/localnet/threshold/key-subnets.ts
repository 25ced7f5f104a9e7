import type { KeyName } from './key-ids';

export type KeyHoldingSubnetKind = 'fiduciary' | 'ii' | 'test-threshold-keys';

/** A subnet that holds threshold keys, as far as fees are concerned: its kind and its node count. */
export interface KeyHoldingSubnet {
  readonly kind: KeyHoldingSubnetKind;
  readonly nodes: bigint;
}

/**
 * Where each key lives, and so which subnet's size its fees scale with.
 * Stands in for real subnets until the local IC has a multi-subnet topology;
 * that topology should replace this table with its own subnets.
 *
 * - `key_1`: the fiduciary subnet (mainnet pzp6e…, 34 nodes), also held by
 *   the II subnet (34 nodes). PocketIC gives both 34 nodes (PocketIC server
 *   changelog 7.0.0: fiduciary 28 → 34; 9.0.0: II → 34, "as on the ICP mainnet").
 * - `test_key_1`, `dfx_test_key`: the test-threshold-keys subnet, a 13-node
 *   application subnet (mainnet fuqsr…). PocketIC moved them there from the
 *   II and fiduciary subnets (dfinity/ic PR 9818, SubnetKind::TestThresholdKeys)
 *   so that their fee is 10B cycles as on mainnet.
 */
export const KEY_HOLDING_SUBNETS: Readonly<Record<KeyName, KeyHoldingSubnet>> = Object.freeze({
  key_1: Object.freeze({ kind: 'fiduciary', nodes: 34n }),
  test_key_1: Object.freeze({ kind: 'test-threshold-keys', nodes: 13n }),
  dfx_test_key: Object.freeze({ kind: 'test-threshold-keys', nodes: 13n })
});
