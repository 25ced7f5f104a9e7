import type { Principal } from '@dfinity/principal';
import { bytesToHex } from '@noble/hashes/utils.js';
import { compareBytes } from './request_id';
import { canisterRangeShardLabels, type SubnetDescription } from './state_tree';

/**
 * Which of a subnet's canister ranges the root subnet's delegation reveals.
 * The replica chooses per endpoint (its NNS delegation manager's filter):
 * - `legacy`: the flat `/subnet/<id>/canister_ranges` leaf only (deprecated
 *   endpoints: v2 query and read_state, v3 call; and data certificates);
 * - `shard`: only the `/canister_ranges/<subnet_id>/<shard>` leaf that may
 *   hold the effective canister id, the shard with the largest label not above
 *   it (v3 query and canister read_state, v4 call);
 * - `none`: no ranges (v3 subnet read_state, v4 subnet call).
 */
export type DelegatedRanges =
  | { readonly kind: 'legacy' }
  | { readonly kind: 'shard'; readonly canisterId: Principal }
  | { readonly kind: 'none' };

export const LEGACY_RANGES: DelegatedRanges = Object.freeze({ kind: 'legacy' });
export const NO_RANGES: DelegatedRanges = Object.freeze({ kind: 'none' });

export type TreePath = readonly (Uint8Array | string)[];

export interface DelegationContent {
  /** Equal for two requests exactly when their delegations reveal the same leaves. */
  readonly key: string;
  /** Every path the delegation's certificate reveals; everything else is pruned. */
  readonly paths: readonly TreePath[];
}

export function delegationContent(subnet: SubnetDescription, ranges: DelegatedRanges): DelegationContent {
  const subnetId = subnet.subnetId.toUint8Array();
  const always: TreePath[] = [['subnet', subnetId, 'public_key'], ['time']];
  const legacy: TreePath = ['subnet', subnetId, 'canister_ranges'];
  switch (ranges.kind) {
    case 'none':
      return { key: 'none', paths: always };
    case 'legacy':
      return { key: 'legacy', paths: [...always, legacy] };
    case 'shard': {
      const shard = shardLabelCovering(subnet, ranges.canisterId);
      // The replica cannot filter for an id below every shard (e.g. the management canister's) and sends its
      // unfiltered delegation, which holds both forms of the ranges.
      if (shard === undefined) return { key: 'all', paths: [...always, legacy, ['canister_ranges', subnetId]] };
      return { key: `shard ${bytesToHex(shard)}`, paths: [...always, ['canister_ranges', subnetId, shard]] };
    }
  }
}

/** The largest shard label not above the canister id, if any. */
export function shardLabelCovering(subnet: SubnetDescription, canisterId: Principal): Uint8Array | undefined {
  const id = canisterId.toUint8Array();
  let covering: Uint8Array | undefined;
  for (const label of canisterRangeShardLabels(subnet)) {
    if (compareBytes(label, id) > 0) break;
    covering = label;
  }
  return covering;
}
