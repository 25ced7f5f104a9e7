// Which subnets a PocketIC instance asks for (`subnet_config_set`), and the canister id ranges
// PocketIC gives each kind: fixed mainnet ranges for the named subnets, plus ranges of 2^20 ids
// handed out from the top of the id space, one per subnet, in creation order.
import { Principal } from '@dfinity/principal';
import { canisterIdFromIndex, canisterIndexOf } from '../shared/ids.js';
import { asObject, BadRequestError, type JsonObject } from './rest_types.js';

export type PocketSubnetKind = 'NNS' | 'SNS' | 'II' | 'Fiduciary' | 'Bitcoin' | 'System' | 'Application' | 'VerifiedApplication';

export interface SubnetRequest {
  readonly kind: PocketSubnetKind;
  /** `cost_schedule: "Free"` (application subnets only) charges nothing. */
  readonly free: boolean;
}

export interface IndexRange {
  readonly start: bigint;
  readonly end: bigint;
}

export interface SubnetPlan extends SubnetRequest {
  /** Every range the subnet hosts (routing table). */
  readonly ranges: readonly IndexRange[];
  /** Where the subnet's management canister allocates new canister ids. */
  readonly allocation: IndexRange;
}

/** PocketIC's node counts per subnet kind (mainnet's; server changelog 7.0.0 and 9.0.0). */
export const SUBNET_SIZES: Readonly<Record<PocketSubnetKind, number>> = {
  NNS: 40,
  SNS: 34,
  II: 34,
  Fiduciary: 34,
  Bitcoin: 13,
  System: 13,
  Application: 13,
  VerifiedApplication: 13
};

const NAMED: ReadonlyArray<readonly [string, PocketSubnetKind]> = [
  ['nns', 'NNS'],
  ['sns', 'SNS'],
  ['ii', 'II'],
  ['fiduciary', 'Fiduciary'],
  ['bitcoin', 'Bitcoin']
];
const COUNTED: ReadonlyArray<readonly [string, PocketSubnetKind]> = [
  ['system', 'System'],
  ['application', 'Application'],
  ['verified_application', 'VerifiedApplication']
];

function range(start: string, end: string): IndexRange {
  return { start: indexOf(start), end: indexOf(end) };
}

function indexOf(text: string): bigint {
  const index = canisterIndexOf(Principal.fromText(text));
  if (index === undefined) throw new Error(`${text} is not a canister id`);
  return index;
}

/** The mainnet ranges PocketIC reserves for its named subnets. */
const FIXED_RANGES: Partial<Record<PocketSubnetKind, readonly IndexRange[]>> = {
  NNS: [range('rwlgt-iiaaa-aaaaa-aaaaa-cai', 'renrk-eyaaa-aaaaa-aaada-cai'), range('qoctq-giaaa-aaaaa-aaaea-cai', 'n5n4y-3aaaa-aaaaa-p777q-cai')],
  II: [range('rdmx6-jaaaa-aaaaa-aaadq-cai', 'rdmx6-jaaaa-aaaaa-aaadq-cai'), range('uc7f6-kaaaa-aaaaq-qaaaa-cai', 'ijz7v-ziaaa-aaaaq-7777q-cai')],
  Bitcoin: [range('g3wsl-eqaaa-aaaan-aaaaa-cai', '2qqia-xyaaa-aaaan-p777q-cai')],
  Fiduciary: [range('mf7xa-laaaa-aaaar-qaaaa-cai', 'qoznl-yiaaa-aaaar-7777q-cai')],
  SNS: [range('ybpmr-kqaaa-aaaaq-aaaaa-cai', 'ekjw2-zyaaa-aaaaq-p777q-cai')]
};

const IDS_PER_SUBNET = 1n << 20n;
const TOP_RANGE_OFFSET = (1n << 64n) / IDS_PER_SUBNET - 2n;

/** Reads `subnet_config_set`; fields this server does not know are ignored, as the real server's serde does. */
export function subnetRequests(config: JsonObject): SubnetRequest[] {
  const set = asObject(config.subnet_config_set, 'subnet_config_set');
  const requests: SubnetRequest[] = [];
  for (const [name, kind] of NAMED) {
    const spec = set[name];
    if (spec !== undefined && spec !== null) requests.push(subnetRequest(spec, kind, name));
  }
  for (const [name, kind] of COUNTED) {
    const specs = set[name] ?? [];
    if (!Array.isArray(specs)) throw new BadRequestError(`subnet_config_set.${name} must be a list`);
    for (const spec of specs) requests.push(subnetRequest(spec, kind, name));
  }
  if (requests.length === 0) throw new BadRequestError('ExtendedSubnetConfigSet must contain at least one subnet');
  return requests;
}

function subnetRequest(spec: unknown, kind: PocketSubnetKind, name: string): SubnetRequest {
  const object = asObject(spec, `subnet_config_set.${name}`);
  if (object.state_config !== undefined && object.state_config !== 'New') {
    throw new BadRequestError(`subnet_config_set.${name}: only state_config "New" is supported (subnet state from a path is not)`);
  }
  return { kind, free: object.cost_schedule === 'Free' };
}

/** Assigns ranges as PocketIC does: named subnets keep their fixed ranges, every subnet gets the next range from the top. */
export function planSubnets(requests: readonly SubnetRequest[]): SubnetPlan[] {
  const taken: IndexRange[] = requests.flatMap((request) => FIXED_RANGES[request.kind] ?? []);
  let offset = 0n;
  const nextRange = (): IndexRange => {
    for (;;) {
      const base = (TOP_RANGE_OFFSET - offset) * IDS_PER_SUBNET;
      offset += 1n;
      const candidate = { start: base, end: base + IDS_PER_SUBNET - 1n };
      if (taken.every((other) => candidate.end < other.start || other.end < candidate.start)) return candidate;
    }
  };
  return requests.map((request) => {
    const allocation = nextRange();
    return { ...request, ranges: [...(FIXED_RANGES[request.kind] ?? []), allocation], allocation };
  });
}

export function rangeContains(range: IndexRange, id: Principal): boolean {
  const index = canisterIndexOf(id);
  return index !== undefined && range.start <= index && index <= range.end;
}

export function rangeEnds(range: IndexRange): readonly [Principal, Principal] {
  return [canisterIdFromIndex(range.start), canisterIdFromIndex(range.end)];
}
