import { Principal } from '@dfinity/principal';
import type { CallResult } from './shared/call_result.js';
import { Clock } from './shared/clock.js';
import { subnetPricing, ZERO_PRICES } from './costs/schedule.js';
import { feeScheduleFor, type FeeSchedule } from './costs/cycles.js';
import { IngressHistory } from './state/ingress_history.js';
import { MessageQueue } from './state/messages.js';
import { canisterIdFromIndex, canisterIndexOf, principalKey, standInSubnetId } from './shared/ids.js';
import { RandomSource } from './state/random_source.js';
import type { ThresholdBackend } from './state/threshold_backend.js';
import type { CallOrigin } from './state/call_contexts.js';
import { Canister, type CanisterServices, type CanisterSettings } from './state/canister.js';
import { defaultSubnetKind, rootSubnetKind, subnetKindOfCanister, type SubnetKind, type SubnetLayout } from './topology/layout.js';

/**
 * Supplies `ic0.data_certificate_*` for non-replicated queries. Without one,
 * no certificate is present (the local IC never makes up a signature).
 */
export interface CertificateProvider {
  dataCertificate(canisterId: Principal, certifiedData: Uint8Array, timeNanos: bigint): Uint8Array | undefined;
}

/** Where `ic0.debug_print` output goes, besides the canister log. */
export type DebugPrintSink = (canisterId: Principal, message: string) => void;

export interface SubnetConfig {
  /** The subnets, laid out by topology/layout.ts `subnetLayout`. */
  readonly layout: readonly SubnetLayout[];
  /** Per-subnet price lists that win over `fees` and the defaults (e.g. a PocketIC subnet with `cost_schedule: "Free"`). */
  readonly subnetFees: Readonly<Partial<Record<SubnetKind, FeeSchedule>>> | undefined;
  /** One price list for every subnet; by default each subnet the prices of its own size, and system subnets nothing. */
  readonly fees: FeeSchedule | undefined;
  readonly startTimeNanos: bigint;
  readonly live: boolean;
  readonly randomSeed: Uint8Array | string;
  readonly threshold: ThresholdBackend;
  readonly debugPrint: DebugPrintSink | undefined;
  /** The ids `ic0.subnet_self` reports (default: stand-ins; a network passes the ids of its subnet keys). */
  readonly subnetIds: Readonly<Partial<Record<SubnetKind, Principal>>> | undefined;
}

/** One subnet of the topology: where its canisters come from and what they pay. */
export interface HostSubnet {
  readonly kind: SubnetKind;
  readonly id: Principal;
  readonly layout: SubnetLayout;
  readonly services: CanisterServices;
  nextCanisterIndex: bigint;
}

/**
 * The state of the local IC: canisters, time, queued messages, ingress
 * history. Its subnets (topology/layout.ts) share one clock and one message
 * queue, as PocketIC's subnets advance in lockstep; each canister belongs to
 * the subnet whose ranges hold its id, which sets its prices and
 * `ic0.subnet_self`.
 */
export class Subnet {
  readonly canisters = new Map<string, Canister>();
  readonly clock: Clock;
  readonly ingress = new IngressHistory();
  readonly queue = new MessageQueue();
  readonly threshold: ThresholdBackend;
  readonly hosts: ReadonlyMap<SubnetKind, HostSubnet>;
  readonly layout: readonly SubnetLayout[];
  /** The subnet whose key is the root key (NNS, else the first subnet). */
  readonly rootKind: SubnetKind;
  /** Where users' canisters land unless asked otherwise (application, else the root subnet). */
  readonly defaultKind: SubnetKind;
  random: RandomSource;
  certificateProvider: CertificateProvider | undefined;
  private nextIngressNumber = 0n;
  /** Test-only fault injection (LocalIc.replaceNextManagementReply): management method -> the bytes its next reply carries instead. */
  readonly managementReplyFaults = new Map<string, Uint8Array>();

  constructor(config: SubnetConfig) {
    this.layout = config.layout;
    this.rootKind = rootSubnetKind(config.layout);
    this.defaultKind = defaultSubnetKind(config.layout);
    this.clock = new Clock(config.startTimeNanos, config.live);
    this.threshold = config.threshold;
    this.random = new RandomSource(config.randomSeed);
    const debugPrint = config.debugPrint;
    const clock = this.clock;
    const onDebugPrint: CanisterServices['onDebugPrint'] = (canister, message) => {
      canister.appendLog(message, clock.now());
      debugPrint?.(canister.id, new TextDecoder().decode(message));
    };
    const signingFee: CanisterServices['signingFee'] = (scheme, keyName, algorithm) =>
      config.threshold.signingFeeOrUndefined(scheme, keyName, algorithm);
    this.hosts = new Map(
      config.layout.map((layout): [SubnetKind, HostSubnet] => {
        const id = config.subnetIds?.[layout.kind] ?? standInSubnetId(layout.kind);
        const fees =
          config.subnetFees?.[layout.kind] ??
          config.fees ?? (layout.type === 'system' ? subnetPricing(layout.nodeCount, ZERO_PRICES) : feeScheduleFor(layout.nodeCount));
        const services: CanisterServices = { fees, subnetKind: layout.kind, subnetId: id.toUint8Array(), signingFee, onDebugPrint };
        return [layout.kind, { kind: layout.kind, id, layout, services, nextCanisterIndex: layout.allocationRange.first }];
      })
    );
  }

  host(kind: SubnetKind): HostSubnet {
    const host = this.hosts.get(kind);
    if (host === undefined) throw new RangeError(`no ${kind} subnet`);
    return host;
  }

  /** The subnet whose ranges hold `id`, if any. */
  hostOf(id: Principal): HostSubnet | undefined {
    const kind = subnetKindOfCanister(id, this.layout);
    return kind === undefined ? undefined : this.host(kind);
  }

  /** The default subnet's prices (where canisters live unless asked otherwise). */
  get fees(): FeeSchedule {
    return this.host(this.defaultKind).services.fees;
  }

  canister(id: Principal | Uint8Array | string): Canister | undefined {
    return this.canisters.get(typeof id === 'string' ? id : principalKey(id));
  }

  /**
   * The next free id of `kind`'s allocation range, or the requested id if it
   * is free ('taken'); 'outside' for a requested id no subnet's ranges hold,
   * 'full' when the allocation range is used up.
   */
  allocateCanisterId(kind: SubnetKind, requested?: Principal): Principal | 'taken' | 'outside' | 'full' {
    if (requested !== undefined) {
      if (this.hostOf(requested) === undefined) return 'outside';
      return this.canisters.has(principalKey(requested)) ? 'taken' : requested;
    }
    const host = this.host(kind);
    while (host.nextCanisterIndex <= host.layout.allocationRange.last) {
      const id = canisterIdFromIndex(host.nextCanisterIndex++);
      if (!this.canisters.has(principalKey(id))) return id;
    }
    return 'full';
  }

  /** Adds a canister to the subnet whose ranges hold its id. */
  addCanister(id: Principal, settings: CanisterSettings, balance: bigint): Canister {
    const host = this.hostOf(id);
    if (host === undefined) throw new RangeError(`canister id ${id.toText()} (index ${canisterIndexOf(id)}) is outside every subnet's ranges`);
    const canister = new Canister(id, settings, balance, host.services);
    canister.storageChargedUntil = this.clock.now();
    this.canisters.set(canister.key, canister);
    return canister;
  }

  newIngressMessageId(): string {
    return `ingress-${(this.nextIngressNumber++).toString().padStart(8, '0')}`;
  }

  /** Sends a response to whoever waits for it. */
  deliver(origin: CallOrigin, result: CallResult, refund: bigint): void {
    switch (origin.kind) {
      case 'ingress':
        this.ingress.complete(origin.messageId, result, this.clock.now());
        return;
      case 'canister':
        this.queue.push({ kind: 'response', originatorKey: principalKey(origin.caller), callbackId: origin.callbackId, result, refund });
        return;
      case 'system':
        return;
    }
  }
}
