// One PocketIC instance: a LocalIc with the instance's subnets, its IC HTTP interface, PocketIC's time rules, and
// the HTTP gateways started for it.
import { randomBytes } from 'node:crypto';
import type { Principal } from '@dfinity/principal';
import { sha256 } from '@noble/hashes/sha2.js';
import { rejected, type CallResult } from '../shared/call_result.js';
import { FREE_FEES } from '../costs/cycles.js';
import { generateNetworkSecret, IcHttpInterface, startReplicaServer, type RunningReplicaServer } from '../http_interface/index.js';
import { NetworkKeys } from '../http_interface/network_keys.js';
import { canisterIdFromIndex, MANAGEMENT_CANISTER_ID } from '../shared/ids.js';
import { LocalIc } from '../local_ic.js';
import { icHttpInterfaceFor } from '../network/replica_backend.js';
import { gatewayWebHandler } from '../network/web_gateway.js';
import { rejectionWithErrorCode, ErrorCode } from '../shared/rejections.js';
import { rawCanisterId, type EffectivePrincipal } from './rest_types.js';
import { layoutOf, rootSubnetKind, subnetLayout, type SubnetKind, type SubnetLayout } from '../topology/layout.js';
import { rangeContains, rangeEnds, SUBNET_SIZES, type PocketSubnetKind, type SubnetPlan } from './subnet_layout.js';

/** An operation the real server answers with a 400 and a message (its `PocketIcError`s). */
export class InstanceOperationError extends Error {}

export interface InstanceOptions {
  readonly startTimeNanos?: bigint;
  readonly autoProgress?: boolean;
  readonly debugPrint?: 'stderr';
}

export type Submission = { readonly accepted: true; readonly messageId: Uint8Array; readonly effectivePrincipal: EffectivePrincipal } | { readonly accepted: false; readonly result: CallResult };

/** One subnet of the instance: what was asked for, its kind in the local IC, and its id. */
interface HostedSubnet {
  readonly plan: SubnetPlan;
  readonly kind: SubnetKind;
  readonly id: Principal;
}

type RejectedCall = Extract<CallResult, { kind: 'rejected' }>;

const MESSAGE_ID_BYTES = 32;

/** The PocketIC subnet kinds the local IC's topology has (topology/layout.ts); the others are refused. */
const LOCAL_SUBNET_KINDS: Readonly<Partial<Record<PocketSubnetKind, SubnetKind>>> = {
  NNS: 'nns',
  II: 'ii',
  Fiduciary: 'fiduciary',
  Application: 'application'
};

export class PocketInstance {
  /** A time set with set_time, applied at the next round (queries keep seeing the last round's time). */
  private pendingTime: bigint | undefined;
  private readonly gateways = new Set<RunningReplicaServer>();

  private constructor(
    private readonly ic: LocalIc,
    readonly api: IcHttpInterface,
    private readonly subnets: readonly HostedSubnet[]
  ) {}

  /**
   * One local IC with every requested subnet, laid out as PocketIC lays them
   * out. Kinds the local IC has no subnet of (SNS, Bitcoin, System,
   * VerifiedApplication) and a second subnet of one kind are refused before
   * anything is created.
   */
  static async create(plans: readonly SubnetPlan[], options: InstanceOptions = {}): Promise<PocketInstance> {
    const kinds = plans.map((plan) => localKindOf(plan, plans));
    const layout = subnetLayout(kinds);
    const mismatch = plans.find((plan, index) => !sameRanges(plan, layoutOf(kinds[index]!, layout)));
    if (mismatch !== undefined) throw new Error(`the ${mismatch.kind} subnet's ranges differ between the PocketIC plan and the local IC's layout`);
    const networkSecret = generateNetworkSecret();
    const keys = NetworkKeys.fromSecret(networkSecret, rootSubnetKind(layout));
    const subnetFees = Object.fromEntries(plans.flatMap((plan, index) => (plan.free ? [[kinds[index]!, FREE_FEES]] : [])));
    const ic = await LocalIc.create({
      subnets: kinds,
      subnetIds: keys.subnetIds(kinds),
      subnetFees,
      startTime: options.startTimeNanos,
      debugPrint: options.debugPrint
    });
    const api = icHttpInterfaceFor(ic, { networkSecret, subnets: layout });
    if (options.autoProgress === true) ic.setLiveMode(true);
    const subnets = plans.map((plan, index) => ({ plan, kind: kinds[index]!, id: api.keys.subnet(kinds[index]!).subnetId }));
    return new PocketInstance(ic, api, subnets);
  }

  get autoProgress(): boolean {
    return this.ic.isLive;
  }

  /** rest::Topology */
  topology(): unknown {
    const subnetConfigs = Object.fromEntries(
      this.subnets.map(({ plan, id }) => [
        id.toText(),
        {
          subnet_kind: plan.kind,
          subnet_seed: [...sha256(id.toUint8Array())],
          instruction_config: 'Production',
          size: SUBNET_SIZES[plan.kind],
          canister_ranges: plan.ranges.map((range) => {
            const [start, end] = rangeEnds(range);
            return { start: rawCanisterId(start), end: rawCanisterId(end) };
          })
        }
      ])
    );
    return { subnet_configs: subnetConfigs, default_effective_canister_id: rawCanisterId(canisterIdFromIndex(this.defaultSubnet.plan.allocation.start)) };
  }

  /** Where canisters go unless asked otherwise: the application subnet, else the root subnet (Subnet.defaultKind). */
  private get defaultSubnet(): HostedSubnet {
    const kind = this.ic.defaultSubnetKind;
    return this.subnets.find((subnet) => subnet.kind === kind)!;
  }

  // ---- time ---------------------------------------------------------------

  time(): bigint {
    return this.pendingTime ?? this.ic.time;
  }

  /** set_time (the next round runs at `nanos`) and set_certified_time (queries see it at once). */
  setTime(nanos: bigint, certified: boolean): void {
    const current = this.time();
    if (nanos < current) throw new InstanceOperationError(`SettingTimeIntoPast((${current}, ${nanos}))`);
    if (certified || this.ic.isLive) {
      this.ic.setTime(nanos);
      this.pendingTime = undefined;
    } else {
      this.pendingTime = nanos;
    }
  }

  private startRound(): void {
    if (this.pendingTime === undefined) return;
    this.ic.setTime(this.pendingTime);
    this.pendingTime = undefined;
  }

  async tick(): Promise<void> {
    this.startRound();
    await this.ic.tick();
  }

  setAutoProgress(live: boolean): void {
    this.startRound();
    this.ic.setLiveMode(live);
  }

  // ---- messages -------------------------------------------------------------

  async submit(canisterId: Principal, method: string, arg: Uint8Array, sender: Principal, effective: EffectivePrincipal): Promise<Submission> {
    const route = this.route(canisterId, effective);
    if (route.kind === 'rejected') return { accepted: false, result: route };
    const messageId = new Uint8Array(randomBytes(MESSAGE_ID_BYTES));
    const submission = await this.ic.submitIngress(canisterId, method, arg, {
      sender,
      messageId: hex(messageId),
      subnet: route.subnet,
      effectiveCanisterId: effective.kind === 'canister' ? effective.id : undefined
    });
    if (!submission.accepted) return { accepted: false, result: submission.result };
    return { accepted: true, messageId, effectivePrincipal: route.effectivePrincipal };
  }

  /** Runs rounds until the message has completed. */
  async awaitMessage(messageId: Uint8Array): Promise<CallResult> {
    const id = hex(messageId);
    if (this.ic.ingressStatus(id) === undefined) throw new InstanceOperationError(`IngressMessageNotFound(${id})`);
    this.startRound();
    if (this.ic.ingressStatus(id)?.status !== 'completed') await this.ic.runUntilIdle();
    const status = this.ic.ingressStatus(id);
    if (status?.status !== 'completed') throw new InstanceOperationError(`Ingress message ${id} did not complete`);
    return status.result;
  }

  /** The message's result once it has completed; undefined while it runs. */
  ingressResult(messageId: Uint8Array): CallResult | undefined {
    const status = this.ic.ingressStatus(hex(messageId));
    return status?.status === 'completed' ? status.result : undefined;
  }

  async query(canisterId: Principal, method: string, arg: Uint8Array, sender: Principal, effective: EffectivePrincipal): Promise<CallResult> {
    const route = this.route(canisterId, effective);
    if (route.kind === 'rejected') return route;
    return this.ic.queryCall(canisterId, method, arg, { sender });
  }

  /**
   * Where a message goes: to the canister's subnet; for the management canister, to the subnet the
   * effective principal names (PocketIC: a subnet id, or the subnet of a canister, or any subnet).
   */
  private route(
    canisterId: Principal,
    effective: EffectivePrincipal
  ): { kind: 'routed'; effectivePrincipal: EffectivePrincipal; subnet?: SubnetKind } | RejectedCall {
    if (canisterId.toText() !== MANAGEMENT_CANISTER_ID.toText()) return { kind: 'routed', effectivePrincipal: { kind: 'canister', id: canisterId } };
    if (effective.kind === 'subnet') {
      const subnet = this.subnets.find((entry) => entry.id.toText() === effective.id.toText());
      if (subnet === undefined) return rejectedWith(ErrorCode.SubnetNotFound, `Subnet ${effective.id.toText()} not found`);
      return { kind: 'routed', effectivePrincipal: effective, subnet: subnet.kind };
    }
    if (effective.kind === 'canister' && this.subnetHosting(effective.id) === undefined) {
      return rejectedWith(ErrorCode.CanisterNotFound, `Canister ${effective.id.toText()} not found`);
    }
    return { kind: 'routed', effectivePrincipal: effective.kind === 'none' ? { kind: 'subnet', id: this.defaultSubnet.id } : effective };
  }

  /** The subnet of an existing canister, else the one whose ranges hold the id. */
  private subnetHosting(canisterId: Principal): HostedSubnet | undefined {
    const kind = this.ic.hasCanister(canisterId) ? this.ic.subnetOf(canisterId) : undefined;
    return this.subnets.find((subnet) => subnet.kind === kind || subnet.plan.ranges.some((range) => rangeContains(range, canisterId)));
  }

  // ---- inspection -------------------------------------------------------------

  subnetOf(canisterId: Principal): Principal | undefined {
    return this.subnetHosting(canisterId)?.id;
  }

  subnetPublicKey(subnetId: Principal): Uint8Array {
    const subnet = this.subnets.find((entry) => entry.id.toText() === subnetId.toText());
    if (subnet === undefined) throw new InstanceOperationError(`SubnetNotFound(${subnetId.toText()})`);
    return this.api.keys.subnet(subnet.kind).publicKeyDer;
  }

  controllers(canisterId: Principal): Principal[] {
    return this.ic.controllers(this.existing(canisterId));
  }

  cycles(canisterId: Principal): bigint {
    return this.ic.cycleBalance(this.existing(canisterId));
  }

  addCycles(canisterId: Principal, amount: bigint): bigint {
    return this.ic.addCycles(this.existing(canisterId), amount);
  }

  stableMemory(canisterId: Principal): Uint8Array {
    return this.ic.getStableMemory(this.existing(canisterId));
  }

  async setStableMemory(canisterId: Principal, bytes: Uint8Array): Promise<void> {
    await this.ic.setStableMemory(this.existing(canisterId), bytes);
  }

  private existing(canisterId: Principal): Principal {
    if (!this.ic.hasCanister(canisterId)) throw new InstanceOperationError(`CanisterNotFound(CanisterId(${canisterId.toText()}))`);
    return canisterId;
  }

  // ---- gateway and lifetime -----------------------------------------------------

  /** An HTTP gateway on 127.0.0.1: the IC HTTP interface under /api and canisters' `http_request` by host or `?canisterId=`. */
  async startGateway(port: number): Promise<RunningReplicaServer> {
    const { ic, api } = this;
    const gateway = await startReplicaServer({
      api,
      port,
      web: gatewayWebHandler({ ic, rootKey: api.keys.rootPublicKeyDer, allowUncertifiedResponses: false })
    });
    this.gateways.add(gateway);
    return gateway;
  }

  async stopGateway(gateway: RunningReplicaServer): Promise<void> {
    if (this.gateways.delete(gateway)) await gateway.close();
  }

  /** Stops its gateways and live rounds; the instance holds nothing afterwards. */
  async close(): Promise<void> {
    await Promise.all([...this.gateways].map((gateway) => gateway.close()));
    this.gateways.clear();
    this.ic.close();
  }
}

/** The local IC's kind for a planned subnet; unknown kinds and a second subnet of a kind are refused. */
function localKindOf(plan: SubnetPlan, plans: readonly SubnetPlan[]): SubnetKind {
  const kind = LOCAL_SUBNET_KINDS[plan.kind];
  if (kind === undefined) {
    throw new InstanceOperationError(
      `This PocketIC server has no ${plan.kind} subnet; an instance may have ${Object.keys(LOCAL_SUBNET_KINDS).join(', ')} subnets (asked for ${plans.map((p) => p.kind).join(', ')})`
    );
  }
  if (plans.filter((other) => other.kind === plan.kind).length > 1) {
    throw new InstanceOperationError(`This PocketIC server runs at most one ${plan.kind} subnet per instance (asked for ${plans.map((p) => p.kind).join(', ')})`);
  }
  return kind;
}

function sameRanges(plan: SubnetPlan, layout: SubnetLayout): boolean {
  const planned = plan.ranges.map((range) => `${range.start}-${range.end}`).join(',');
  return planned === layout.ranges.map((range) => `${range.first}-${range.last}`).join(',');
}

function rejectedWith(errorCode: ErrorCode, message: string): RejectedCall {
  return rejected(rejectionWithErrorCode(errorCode, message)) as RejectedCall;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
