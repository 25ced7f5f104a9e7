import { Principal } from '@dfinity/principal';
import type { CallResult } from './shared/call_result.js';
import { Clock } from './shared/clock.js';
import type { FeeSchedule } from './costs/cycles.js';
import { IngressHistory } from './execution/ingress_history.js';
import { MessageQueue } from './execution/messages.js';
import { canisterIdFromIndex, LOCAL_SUBNET_ID, principalKey } from './shared/ids.js';
import { RandomSource } from './management/random_source.js';
import type { ThresholdBackend } from './management/threshold_backend.js';
import type { CallOrigin } from './state/call_contexts.js';
import { Canister, type CanisterServices, type CanisterSettings } from './state/canister.js';

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
  readonly fees: FeeSchedule;
  readonly startTimeNanos: bigint;
  readonly live: boolean;
  readonly randomSeed: Uint8Array | string;
  readonly firstCanisterIndex: bigint;
  readonly threshold: ThresholdBackend;
  readonly debugPrint: DebugPrintSink | undefined;
}

/** The state of the local IC: canisters, time, queued messages, ingress history. */
export class Subnet {
  readonly canisters = new Map<string, Canister>();
  readonly clock: Clock;
  readonly fees: FeeSchedule;
  readonly ingress = new IngressHistory();
  readonly queue = new MessageQueue();
  readonly threshold: ThresholdBackend;
  readonly services: CanisterServices;
  random: RandomSource;
  certificateProvider: CertificateProvider | undefined;
  nextCanisterIndex: bigint;
  private nextIngressNumber = 0n;
  /** Test-only fault injection (LocalIc.replaceNextManagementReply): management method -> the bytes its next reply carries instead. */
  readonly managementReplyFaults = new Map<string, Uint8Array>();

  constructor(config: SubnetConfig) {
    this.clock = new Clock(config.startTimeNanos, config.live);
    this.fees = config.fees;
    this.threshold = config.threshold;
    this.random = new RandomSource(config.randomSeed);
    this.nextCanisterIndex = config.firstCanisterIndex;
    const debugPrint = config.debugPrint;
    const clock = this.clock;
    this.services = {
      fees: config.fees,
      subnetId: LOCAL_SUBNET_ID.toUint8Array(),
      signingFee: (scheme, keyName, algorithm) => config.threshold.signingFeeOrUndefined(scheme, keyName, algorithm),
      onDebugPrint: (canister, message) => {
        canister.appendLog(message, clock.now());
        debugPrint?.(canister.id, new TextDecoder().decode(message));
      }
    };
  }

  canister(id: Principal | Uint8Array | string): Canister | undefined {
    return this.canisters.get(typeof id === 'string' ? id : principalKey(id));
  }

  /** The next free IC-style canister id, or the requested one if it is free. */
  allocateCanisterId(requested?: Principal): Principal | undefined {
    if (requested !== undefined) return this.canisters.has(principalKey(requested)) ? undefined : requested;
    for (;;) {
      const id = canisterIdFromIndex(this.nextCanisterIndex++);
      if (!this.canisters.has(principalKey(id))) return id;
    }
  }

  addCanister(id: Principal, settings: CanisterSettings, balance: bigint): Canister {
    const canister = new Canister(id, settings, balance, this.services);
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
