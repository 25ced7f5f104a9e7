import type { Principal } from '@dfinity/principal';
import { SUBNET_NODE_COUNTS, type SubnetKind } from '../costs/subnet_sizes.js';
import { canisterIdFromIndex, canisterIndexOf } from '../shared/ids.js';

export type { SubnetKind } from '../costs/subnet_sizes.js';

/**
 * The subnets of the local IC and the canister ids each one hosts, laid out
 * as PocketIC 14 lays out an instance with the NNS, II, fiduciary,
 * test-threshold-keys and one application subnet (pocket_ic_server,
 * `subnet_kind_canister_range`, `RangeGen`):
 *
 * - a named subnet hosts the ranges its mainnet namesake has (NNS tdb26…,
 *   II uzr34…, fiduciary pzp6e…, test-threshold-keys fuqsr…; the NNS range
 *   split around the II canister rdmx6-jaaaa-aaaaa-aaadq-cai) plus an
 *   allocation range from which it hands out ids nobody asked for;
 * - an application subnet hosts one generated range and allocates from it;
 * - generated ranges have 2^20 ids and are taken from the top of the id
 *   space downwards, first for the named subnets, then for the application
 *   subnet. So with four named subnets the application subnet's first
 *   canister is `auamu-4x777-77775-aaaaa-cai` (index 0xFFFF_FFFF_FFA0_0000);
 *   PocketIC with only an application subnet gives `lxzze-o7777-77777-aaaaa-cai`.
 */

/** An inclusive range of canister indices (the 8-byte big-endian part of a canister id). */
export interface IndexRange {
  readonly first: bigint;
  readonly last: bigint;
}

/** The registry's subnet type: canisters on system subnets are not charged cycles. */
export type SubnetType = 'system' | 'application';

export interface SubnetLayout {
  readonly kind: SubnetKind;
  readonly type: SubnetType;
  readonly nodeCount: bigint;
  /** Every range the subnet hosts (routing table), the allocation range included. */
  readonly ranges: readonly IndexRange[];
  /** Where ids of canisters created without a specified id come from. */
  readonly allocationRange: IndexRange;
}

/** Ids per subnet range in the registry's routing table (CANISTER_IDS_PER_SUBNET). */
const IDS_PER_GENERATED_RANGE = 1n << 20n;
const MAX_INDEX = (1n << 64n) - 1n;

/** The `n`-th range PocketIC generates, counting from 0, from the top of the id space downwards. */
export function generatedRange(n: number): IndexRange {
  const offset = MAX_INDEX / IDS_PER_GENERATED_RANGE - 1n - BigInt(n);
  const first = offset * IDS_PER_GENERATED_RANGE;
  return { first, last: first + IDS_PER_GENERATED_RANGE - 1n };
}

function range(first: bigint, last: bigint): IndexRange {
  return { first, last };
}

/** Mainnet ranges of the named subnets (the registry's routing table; PocketIC uses the same). */
const NAMED_RANGES: Readonly<Partial<Record<SubnetKind, readonly IndexRange[]>>> = {
  // rwlgt-iiaaa-aaaaa-aaaaa-cai..renrk-eyaaa-aaaaa-aaada-cai, qoctq-giaaa-aaaaa-aaaea-cai..n5n4y-3aaaa-aaaaa-p777q-cai
  nns: [range(0x0n, 0x6n), range(0x8n, 0xf_ffffn)],
  // rdmx6-jaaaa-aaaaa-aaadq-cai, uc7f6-kaaaa-aaaaq-qaaaa-cai..ijz7v-ziaaa-aaaaq-7777q-cai
  ii: [range(0x7n, 0x7n), range(0x210_0000n, 0x21f_ffffn)],
  // mf7xa-laaaa-aaaar-qaaaa-cai..qoznl-yiaaa-aaaar-7777q-cai
  fiduciary: [range(0x230_0000n, 0x23f_ffffn)],
  // z474k-xiaaa-aaaao-qaaaa-cai..fxzgb-eaaaa-aaaao-7777q-cai
  'test-threshold-keys': [range(0x1d0_0000n, 0x1df_ffffn)]
};

/** PocketIC's `conv_type`: the NNS and II subnets are system subnets, the others application subnets. */
const SYSTEM_SUBNETS: readonly SubnetKind[] = ['nns', 'ii'];

/** PocketIC's names of the subnet kinds (`SubnetKind` in its REST API, e.g. in `/_/topology`). */
export const POCKET_IC_SUBNET_KIND_NAMES: Readonly<Record<SubnetKind, string>> = Object.freeze({
  nns: 'NNS',
  ii: 'II',
  fiduciary: 'Fiduciary',
  'test-threshold-keys': 'TestThresholdKeys',
  application: 'Application'
});

/** Named subnets first (PocketIC's order), then the application subnet. */
export const SUBNET_KINDS: readonly SubnetKind[] = Object.freeze(['nns', 'ii', 'fiduciary', 'test-threshold-keys', 'application']);

/** The subnet that signs the others' keys when present (its public key is the root key); see rootSubnetKind. */
export const ROOT_SUBNET_KIND: SubnetKind = 'nns';
/** Where user canisters live unless asked otherwise (when present; see defaultSubnetKind). */
export const DEFAULT_SUBNET_KIND: SubnetKind = 'application';

/**
 * PocketIC's layout of an instance with these subnets: named subnets first in
 * SUBNET_KINDS order, each taking the next generated range, then the
 * application subnet. With the application subnet alone it starts at
 * `lxzze-o7777-77777-aaaaa-cai`.
 */
export function subnetLayout(kinds: readonly SubnetKind[]): readonly SubnetLayout[] {
  const ordered = SUBNET_KINDS.filter((kind) => kinds.includes(kind));
  return Object.freeze(
    ordered.map((kind, position): SubnetLayout => {
      const allocationRange = generatedRange(position);
      const named = NAMED_RANGES[kind] ?? [];
      return Object.freeze({
        kind,
        type: SYSTEM_SUBNETS.includes(kind) ? 'system' : 'application',
        nodeCount: SUBNET_NODE_COUNTS[kind],
        ranges: Object.freeze([...named, allocationRange]),
        allocationRange
      });
    })
  );
}

/** The local IC's default subnets: all five kinds. */
export const SUBNET_LAYOUT: readonly SubnetLayout[] = subnetLayout(SUBNET_KINDS);

/**
 * The subnet whose key is the root key and which signs the others'
 * delegations: the NNS subnet if there is one, else (as in PocketIC) the
 * first subnet of the layout.
 */
export function rootSubnetKind(layouts: readonly SubnetLayout[]): SubnetKind {
  const first = layouts[0];
  if (first === undefined) throw new RangeError('a topology needs at least one subnet');
  return layouts.some((layout) => layout.kind === ROOT_SUBNET_KIND) ? ROOT_SUBNET_KIND : first.kind;
}

/** Where canisters created without a subnet land: the application subnet if there is one, else the root subnet. */
export function defaultSubnetKind(layouts: readonly SubnetLayout[]): SubnetKind {
  return layouts.some((layout) => layout.kind === DEFAULT_SUBNET_KIND) ? DEFAULT_SUBNET_KIND : rootSubnetKind(layouts);
}

export function layoutOf(kind: SubnetKind, layouts: readonly SubnetLayout[] = SUBNET_LAYOUT): SubnetLayout {
  const layout = layouts.find((entry) => entry.kind === kind);
  if (layout === undefined) throw new RangeError(`no subnet of kind ${kind}`);
  return layout;
}

/** The kind of the subnet of `layouts` whose ranges hold `canisterId`, or undefined for ids outside every range. */
export function subnetKindOfCanister(canisterId: Principal, layouts: readonly SubnetLayout[] = SUBNET_LAYOUT): SubnetKind | undefined {
  const index = canisterIndexOf(canisterId);
  if (index === undefined) return undefined;
  return layouts.find((layout) => layout.ranges.some((entry) => entry.first <= index && index <= entry.last))?.kind;
}

export function isSubnetKind(value: string): value is SubnetKind {
  return (SUBNET_KINDS as readonly string[]).includes(value);
}

/** A range as the state tree writes it: the first and last canister id. */
export function principalRange(entry: IndexRange): readonly [Principal, Principal] {
  return [canisterIdFromIndex(entry.first), canisterIdFromIndex(entry.last)];
}
