// One PocketIC instance: a LocalIc per subnet, its IC HTTP interface, PocketIC's time rules, and
// the HTTP gateways started for it.
import { randomBytes } from 'node:crypto';
import type { Principal } from '@dfinity/principal';
import { sha256 } from '@noble/hashes/sha2.js';
import { rejected, type CallResult } from '../shared/call_result.js';
import { feeScheduleFor, FREE_FEES } from '../costs/cycles.js';
import { generateNetworkSecret, IcHttpInterface, startReplicaServer, type RunningReplicaServer } from '../http_interface/index.js';
import { canisterIdFromIndex, MANAGEMENT_CANISTER_ID } from '../shared/ids.js';
import { LocalIc } from '../local_ic.js';
import { localIcReplicaBackend } from '../network/replica_backend.js';
import { gatewayWebHandler } from '../network/web_gateway.js';
import { rejectionWithErrorCode, ErrorCode } from '../shared/rejections.js';
import { rawCanisterId, type EffectivePrincipal } from './rest_types.js';
import { rangeContains, rangeEnds, SUBNET_SIZES, type SubnetPlan } from './subnet_layout.js';

/** An operation the real server answers with a 400 and a message (its `PocketIcError`s). */
export class InstanceOperationError extends Error {}

export interface InstanceOptions {
  readonly startTimeNanos?: bigint;
  readonly autoProgress?: boolean;
  readonly debugPrint?: 'stderr';
}

export type Submission = { readonly accepted: true; readonly messageId: Uint8Array; readonly effectivePrincipal: EffectivePrincipal } | { readonly accepted: false; readonly result: CallResult };

interface HostedSubnet {
  readonly plan: SubnetPlan;
  readonly id: Principal;
  readonly ic: LocalIc;
  readonly api: IcHttpInterface;
}

type RejectedCall = Extract<CallResult, { kind: 'rejected' }>;

const MESSAGE_ID_BYTES = 32;

export class PocketInstance {
  /** A time set with set_time, applied at the next round (queries keep seeing the last round's time). */
  private pendingTime: bigint | undefined;
  private readonly gateways = new Set<RunningReplicaServer>();

  private constructor(private readonly subnet: HostedSubnet) {}

  /**
   * Plug-in point for the local IC's multi-subnet topology: today a LocalIc holds one subnet, so an
   * instance is one subnet; a layout with more is refused rather than reported as something it is not.
   */
  static async create(plans: readonly SubnetPlan[], options: InstanceOptions = {}): Promise<PocketInstance> {
    const [plan, ...more] = plans;
    if (plan === undefined || more.length > 0) {
      throw new InstanceOperationError(
        `This PocketIC server runs one subnet per instance (the local IC has no multi-subnet topology yet); asked for ${plans.length}: ${plans.map((p) => p.kind).join(', ')}`
      );
    }
    const ic = await LocalIc.create({
      startTime: options.startTimeNanos,
      fees: plan.free ? FREE_FEES : feeScheduleFor(SUBNET_SIZES[plan.kind]),
      firstCanisterIndex: plan.allocation.start,
      debugPrint: options.debugPrint
    });
    const api = new IcHttpInterface({
      backend: localIcReplicaBackend(ic),
      networkSecret: generateNetworkSecret(),
      canisterRanges: plan.ranges.map(rangeEnds)
    });
    ic.setCertificateProvider({ dataCertificate: (id, data, time) => api.dataCertificateAt(id, data, time) });
    if (options.autoProgress === true) ic.setLiveMode(true);
    return new PocketInstance({ plan, id: api.keys.subnetId, ic, api });
  }

  get api(): IcHttpInterface {
    return this.subnet.api;
  }

  get autoProgress(): boolean {
    return this.subnet.ic.isLive;
  }

  /** rest::Topology */
  topology(): unknown {
    const { plan, id } = this.subnet;
    return {
      subnet_configs: {
        [id.toText()]: {
          subnet_kind: plan.kind,
          subnet_seed: [...sha256(id.toUint8Array())],
          instruction_config: 'Production',
          size: SUBNET_SIZES[plan.kind],
          canister_ranges: plan.ranges.map((range) => {
            const [start, end] = rangeEnds(range);
            return { start: rawCanisterId(start), end: rawCanisterId(end) };
          })
        }
      },
      default_effective_canister_id: rawCanisterId(canisterIdFromIndex(plan.allocation.start))
    };
  }

  // ---- time ---------------------------------------------------------------

  time(): bigint {
    return this.pendingTime ?? this.subnet.ic.time;
  }

  /** set_time (the next round runs at `nanos`) and set_certified_time (queries see it at once). */
  setTime(nanos: bigint, certified: boolean): void {
    const current = this.time();
    if (nanos < current) throw new InstanceOperationError(`SettingTimeIntoPast((${current}, ${nanos}))`);
    if (certified || this.subnet.ic.isLive) {
      this.subnet.ic.setTime(nanos);
      this.pendingTime = undefined;
    } else {
      this.pendingTime = nanos;
    }
  }

  private startRound(): void {
    if (this.pendingTime === undefined) return;
    this.subnet.ic.setTime(this.pendingTime);
    this.pendingTime = undefined;
  }

  async tick(): Promise<void> {
    this.startRound();
    await this.subnet.ic.tick();
  }

  setAutoProgress(live: boolean): void {
    this.startRound();
    this.subnet.ic.setLiveMode(live);
  }

  // ---- messages -------------------------------------------------------------

  async submit(canisterId: Principal, method: string, arg: Uint8Array, sender: Principal, effective: EffectivePrincipal): Promise<Submission> {
    const route = this.route(canisterId, effective);
    if (route.kind === 'rejected') return { accepted: false, result: route };
    const messageId = new Uint8Array(randomBytes(MESSAGE_ID_BYTES));
    const submission = await this.subnet.ic.submitIngress(canisterId, method, arg, { sender, messageId: hex(messageId) });
    if (!submission.accepted) return { accepted: false, result: submission.result };
    return { accepted: true, messageId, effectivePrincipal: route.effectivePrincipal };
  }

  /** Runs rounds until the message has completed. */
  async awaitMessage(messageId: Uint8Array): Promise<CallResult> {
    const id = hex(messageId);
    if (this.subnet.ic.ingressStatus(id) === undefined) throw new InstanceOperationError(`IngressMessageNotFound(${id})`);
    this.startRound();
    if (this.subnet.ic.ingressStatus(id)?.status !== 'completed') await this.subnet.ic.runUntilIdle();
    const status = this.subnet.ic.ingressStatus(id);
    if (status?.status !== 'completed') throw new InstanceOperationError(`Ingress message ${id} did not complete`);
    return status.result;
  }

  /** The message's result once it has completed; undefined while it runs. */
  ingressResult(messageId: Uint8Array): CallResult | undefined {
    const status = this.subnet.ic.ingressStatus(hex(messageId));
    return status?.status === 'completed' ? status.result : undefined;
  }

  async query(canisterId: Principal, method: string, arg: Uint8Array, sender: Principal, effective: EffectivePrincipal): Promise<CallResult> {
    const route = this.route(canisterId, effective);
    if (route.kind === 'rejected') return route;
    return this.subnet.ic.queryCall(canisterId, method, arg, { sender });
  }

  /**
   * Where a message goes: to the canister's subnet; for the management canister, to the subnet the
   * effective principal names (PocketIC: a subnet id, or the subnet of a canister, or any subnet).
   */
  private route(canisterId: Principal, effective: EffectivePrincipal): { kind: 'routed'; effectivePrincipal: EffectivePrincipal } | RejectedCall {
    const { id: subnetId } = this.subnet;
    if (canisterId.toText() !== MANAGEMENT_CANISTER_ID.toText()) return { kind: 'routed', effectivePrincipal: { kind: 'canister', id: canisterId } };
    if (effective.kind === 'subnet' && effective.id.toText() !== subnetId.toText()) {
      return rejectedWith(ErrorCode.SubnetNotFound, `Subnet ${effective.id.toText()} not found`);
    }
    if (effective.kind === 'canister' && !this.hosts(effective.id)) {
      return rejectedWith(ErrorCode.CanisterNotFound, `Canister ${effective.id.toText()} not found`);
    }
    return { kind: 'routed', effectivePrincipal: effective.kind === 'none' ? { kind: 'subnet', id: subnetId } : effective };
  }

  private hosts(canisterId: Principal): boolean {
    return this.subnet.ic.hasCanister(canisterId) || this.subnet.plan.ranges.some((range) => rangeContains(range, canisterId));
  }

  // ---- inspection -------------------------------------------------------------

  subnetOf(canisterId: Principal): Principal | undefined {
    return this.hosts(canisterId) ? this.subnet.id : undefined;
  }

  subnetPublicKey(subnetId: Principal): Uint8Array {
    if (subnetId.toText() !== this.subnet.id.toText()) throw new InstanceOperationError(`SubnetNotFound(${subnetId.toText()})`);
    return this.subnet.api.keys.rootPublicKeyDer;
  }

  controllers(canisterId: Principal): Principal[] {
    return this.subnet.ic.controllers(this.existing(canisterId));
  }

  cycles(canisterId: Principal): bigint {
    return this.subnet.ic.cycleBalance(this.existing(canisterId));
  }

  addCycles(canisterId: Principal, amount: bigint): bigint {
    return this.subnet.ic.addCycles(this.existing(canisterId), amount);
  }

  stableMemory(canisterId: Principal): Uint8Array {
    return this.subnet.ic.getStableMemory(this.existing(canisterId));
  }

  async setStableMemory(canisterId: Principal, bytes: Uint8Array): Promise<void> {
    await this.subnet.ic.setStableMemory(this.existing(canisterId), bytes);
  }

  private existing(canisterId: Principal): Principal {
    if (!this.subnet.ic.hasCanister(canisterId)) throw new InstanceOperationError(`CanisterNotFound(CanisterId(${canisterId.toText()}))`);
    return canisterId;
  }

  // ---- gateway and lifetime -----------------------------------------------------

  /** An HTTP gateway on 127.0.0.1: the IC HTTP interface under /api and canisters' `http_request` by host or `?canisterId=`. */
  async startGateway(port: number): Promise<RunningReplicaServer> {
    const { ic, api } = this.subnet;
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
    this.subnet.ic.close();
  }
}

function rejectedWith(errorCode: ErrorCode, message: string): RejectedCall {
  return rejected(rejectionWithErrorCode(errorCode, message)) as RejectedCall;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
