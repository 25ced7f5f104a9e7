import type { Principal } from '@dfinity/principal';
import type { CertifiedCanister } from './backend';
import { encodeCbor } from './cbor';
import { labeledLeaf, labeledSubtree, type LabeledTree } from './hash_tree';
import { encodeUnsignedLeb128 } from './leb128';
import { compareBytes } from './request_id';
import type { RequestStatus, TrackedRequest } from './request_status';

/**
 * The system state tree (interface spec, "The system state tree"): `/time`,
 * `/subnet/<id>/{public_key, canister_ranges, node/<id>/public_key}`,
 * `/canister_ranges/<subnet_id>/<first canister id of the shard>`,
 * `/request_status/<id>/...` and `/canister/<id>/{certified_data,
 * controllers, module_hash, metadata/<name>}`. Naturals are LEB128, text is
 * UTF-8, CBOR values carry the self-describe tag.
 */

/** A closed interval of principals, compared bytewise. */
export type CanisterRange = readonly [Principal, Principal];

export interface SubnetDescription {
  readonly subnetId: Principal;
  readonly publicKeyDer: Uint8Array;
  readonly canisterRanges: readonly CanisterRange[];
  readonly nodes: readonly { readonly nodeId: Principal; readonly publicKeyDer: Uint8Array }[];
}

export interface StateSnapshot {
  readonly time: bigint;
  /** Every subnet of the network: the tree of each one describes all of them (spec, "Subnet information"). */
  readonly subnets: readonly SubnetDescription[];
  readonly requests: Iterable<TrackedRequest>;
  readonly canisters: Iterable<CertifiedCanister>;
}

/** How many ranges one `/canister_ranges/<subnet_id>/<shard>` leaf holds at most. */
const RANGES_PER_SHARD = 8;

export function buildStateTree(state: StateSnapshot): LabeledTree {
  return labeledSubtree([
    ['time', labeledLeaf(encodeUnsignedLeb128(state.time))],
    ['canister_ranges', labeledSubtree(state.subnets.map((subnet) => [subnet.subnetId.toUint8Array(), canisterRangeShards(subnet)] as const))],
    ['subnet', labeledSubtree(state.subnets.map((subnet) => [subnet.subnetId.toUint8Array(), subnetTree(subnet)] as const))],
    [
      'request_status',
      labeledSubtree([...state.requests].map((request) => [request.requestId, requestStatusTree(request.status)] as const))
    ],
    [
      'canister',
      labeledSubtree([...state.canisters].map((canister) => [canister.id.toUint8Array(), canisterTree(canister)] as const))
    ]
  ]);
}

function sortedRanges(subnet: SubnetDescription): Uint8Array[][] {
  return subnet.canisterRanges
    .map(([low, high]) => [low.toUint8Array(), high.toUint8Array()])
    .sort((left, right) => compareBytes(left[0] as Uint8Array, right[0] as Uint8Array));
}

function encodeRanges(ranges: readonly Uint8Array[][]): Uint8Array {
  return encodeCbor(ranges, { selfDescribe: true });
}

/** Consecutive shards of the sorted ranges, each under the first canister id it covers. */
function shardsOf(subnet: SubnetDescription): (readonly [Uint8Array, Uint8Array[][]])[] {
  const ranges = sortedRanges(subnet);
  const shards: (readonly [Uint8Array, Uint8Array[][]])[] = [];
  for (let start = 0; start < ranges.length; start += RANGES_PER_SHARD) {
    const shard = ranges.slice(start, start + RANGES_PER_SHARD);
    shards.push([shard[0]?.[0] as Uint8Array, shard]);
  }
  return shards;
}

/** The labels of `/canister_ranges/<subnet_id>/<shard>`, ascending. */
export function canisterRangeShardLabels(subnet: SubnetDescription): Uint8Array[] {
  return shardsOf(subnet).map(([first]) => first);
}

function canisterRangeShards(subnet: SubnetDescription): LabeledTree {
  return labeledSubtree(shardsOf(subnet).map(([first, shard]) => [first, labeledLeaf(encodeRanges(shard))] as const));
}

function subnetTree(subnet: SubnetDescription): LabeledTree {
  return labeledSubtree([
    ['public_key', labeledLeaf(subnet.publicKeyDer)],
    ['canister_ranges', labeledLeaf(encodeRanges(sortedRanges(subnet)))],
    [
      'node',
      labeledSubtree(
        subnet.nodes.map(
          (node) => [node.nodeId.toUint8Array(), labeledSubtree([['public_key', labeledLeaf(node.publicKeyDer)]])] as const
        )
      )
    ]
  ]);
}

function requestStatusTree(status: RequestStatus): LabeledTree {
  const fields: [string, LabeledTree][] = [['status', labeledLeaf(status.status)]];
  if (status.status === 'replied') fields.push(['reply', labeledLeaf(status.reply)]);
  if (status.status === 'rejected') {
    fields.push(['reject_code', labeledLeaf(encodeUnsignedLeb128(BigInt(status.rejectCode)))]);
    fields.push(['reject_message', labeledLeaf(status.rejectMessage)]);
    if (status.errorCode !== undefined) fields.push(['error_code', labeledLeaf(status.errorCode)]);
  }
  return labeledSubtree(fields);
}

function canisterTree(canister: CertifiedCanister): LabeledTree {
  const fields: [string, LabeledTree][] = [
    ['certified_data', labeledLeaf(canister.certifiedData)],
    ['controllers', labeledLeaf(encodeCbor(canister.controllers.map((controller) => controller.toUint8Array()), { selfDescribe: true }))]
  ];
  if (canister.moduleHash !== undefined) fields.push(['module_hash', labeledLeaf(canister.moduleHash)]);
  if (canister.metadata !== undefined && canister.metadata.size > 0) {
    fields.push([
      'metadata',
      labeledSubtree([...canister.metadata].map(([name, section]) => [name, labeledLeaf(section.content)] as const))
    ]);
  }
  return labeledSubtree(fields);
}
