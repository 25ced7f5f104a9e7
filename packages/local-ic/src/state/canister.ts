import { Principal } from '@dfinity/principal';
import { DEFAULT_FREEZING_THRESHOLD_SECONDS, freezingLimit, type FeeSchedule } from '../costs/cycles.js';
import { principalKey } from '../shared/ids.js';
import type { CanisterInstance } from '../runtime/canister_instance.js';
import type { CyclesAccount } from '../runtime/cycles_account.js';
import { StableMemory } from '../runtime/stable_memory.js';
import type { SchnorrAlgorithmName, SigningScheme, SystemApiEnvironment } from '../runtime/system_api.js';
import type { CanisterModule } from '../wasm/canister_module.js';
import type { SubnetKind } from '../topology/layout.js';
import type { CallContext, Callback, CallOrigin } from './call_contexts.js';

export type RunStatus = 'running' | 'stopping' | 'stopped';

export type LogVisibility = { readonly kind: 'controllers' } | { readonly kind: 'public' } | { readonly kind: 'allowed_viewers'; readonly viewers: readonly Principal[] };

export interface CanisterSettings {
  controllers: Principal[];
  computeAllocation: bigint;
  memoryAllocation: bigint;
  freezingThreshold: bigint;
  reservedCyclesLimit: bigint;
  logVisibility: LogVisibility;
  wasmMemoryLimit: bigint;
  wasmMemoryThreshold: bigint;
  environmentVariables: Array<[string, string]>;
}

export function defaultSettings(controllers: Principal[]): CanisterSettings {
  return {
    controllers,
    computeAllocation: 0n,
    memoryAllocation: 0n,
    freezingThreshold: DEFAULT_FREEZING_THRESHOLD_SECONDS,
    reservedCyclesLimit: 5_000_000_000_000n,
    logVisibility: { kind: 'controllers' },
    wasmMemoryLimit: 0n,
    wasmMemoryThreshold: 0n,
    environmentVariables: []
  };
}

export interface CanisterLogRecord {
  readonly index: bigint;
  readonly timestampNanos: bigint;
  readonly content: Uint8Array;
}

export type CanisterChangeDetails =
  | { readonly kind: 'creation'; readonly controllers: readonly Principal[] }
  | { readonly kind: 'code_uninstall' }
  | { readonly kind: 'code_deployment'; readonly mode: 'install' | 'reinstall' | 'upgrade'; readonly moduleHash: Uint8Array }
  | { readonly kind: 'controllers_change'; readonly controllers: readonly Principal[] };

export interface CanisterChange {
  readonly timestampNanos: bigint;
  readonly canisterVersion: bigint;
  readonly origin: { readonly kind: 'user' | 'canister'; readonly principal: Principal };
  readonly details: CanisterChangeDetails;
}

/** Services a canister's System API draws on that belong to the whole local IC. */
export interface CanisterServices {
  readonly fees: FeeSchedule;
  /** The subnet the canister lives on. */
  readonly subnetKind: SubnetKind;
  readonly subnetId: Uint8Array;
  signingFee(scheme: SigningScheme, keyName: string, algorithm?: SchnorrAlgorithmName): bigint | undefined;
  onDebugPrint(canister: Canister, message: Uint8Array): void;
}

const MAX_LOG_RECORDS = 1_000;
/** A mutable global as `canister_status` counts it (`global_memory_size`). */
const BYTES_PER_GLOBAL = 8;
const MAX_HISTORY = 20;

/** The complete state of one canister, host side and Wasm side. */
export class Canister implements SystemApiEnvironment, CyclesAccount {
  readonly id: Principal;
  readonly idText: string;
  readonly key: string;
  readonly canisterId: Uint8Array;
  settings: CanisterSettings;
  status: RunStatus = 'running';
  balance: bigint;
  /** Time (ns) up to which storage has been charged. */
  storageChargedUntil = 0n;
  version = 0n;
  module: CanisterModule | undefined;
  instance: CanisterInstance | undefined;
  stableMemory = new StableMemory();
  certifiedData: Uint8Array = new Uint8Array(0);
  /** 0 means inactive. */
  globalTimer = 0n;
  readonly callContexts = new Map<number, CallContext>();
  readonly callbacks = new Map<number, Callback>();
  readonly chunkStore = new Map<string, Uint8Array>();
  readonly logs: CanisterLogRecord[] = [];
  readonly history: CanisterChange[] = [];
  totalChanges = 0n;
  /** Responders waiting for this canister to be stopped. */
  readonly stopWaiters: Array<() => void> = [];
  private nextCallContextId = 0;
  private nextCallbackId = 0;
  private nextLogIndex = 0n;

  constructor(
    id: Principal,
    settings: CanisterSettings,
    balance: bigint,
    private readonly services: CanisterServices
  ) {
    this.id = id;
    this.idText = id.toText();
    this.key = principalKey(id);
    this.canisterId = id.toUint8Array();
    this.settings = settings;
    this.balance = balance;
  }

  get fees(): FeeSchedule {
    return this.services.fees;
  }

  get subnetId(): Uint8Array {
    return this.services.subnetId;
  }

  get subnetKind(): SubnetKind {
    return this.services.subnetKind;
  }

  isEmpty(): boolean {
    return this.module === undefined;
  }

  canisterVersion(): bigint {
    return this.version;
  }

  runStatus(): number {
    return this.status === 'running' ? 1 : this.status === 'stopping' ? 2 : 3;
  }

  isController(principal: Uint8Array | Principal): boolean {
    const key = principalKey(principal);
    return this.settings.controllers.some((controller) => principalKey(controller) === key);
  }

  /** What `canister_status` reports as `memory_size` and storage is charged for: Wasm heap, globals, stable memory, code, chunk store. */
  memoryUsage(): bigint {
    return (
      BigInt(this.instance?.memoryBytes ?? 0) +
      BigInt((this.instance?.globalCount ?? 0) * BYTES_PER_GLOBAL) +
      BigInt(this.stableMemory.sizeInBytes) +
      BigInt(this.module?.installedBytes.length ?? 0) +
      [...this.chunkStore.values()].reduce((total, chunk) => total + BigInt(chunk.length), 0n)
    );
  }

  billableMemoryBytes(): bigint {
    const usage = this.memoryUsage();
    return this.settings.memoryAllocation > usage ? this.settings.memoryAllocation : usage;
  }

  freezingLimit(): bigint {
    return freezingLimit(this.services.fees, this.billableMemoryBytes(), this.settings.freezingThreshold);
  }

  isFrozen(): boolean {
    return this.balance < this.freezingLimit();
  }

  environmentVariables(): ReadonlyArray<readonly [string, string]> {
    return this.settings.environmentVariables;
  }

  signingFee(scheme: SigningScheme, keyName: string, algorithm?: SchnorrAlgorithmName): bigint | undefined {
    return this.services.signingFee(scheme, keyName, algorithm);
  }

  debugPrint(message: Uint8Array): void {
    this.services.onDebugPrint(this, message);
  }

  appendLog(content: Uint8Array, timestampNanos: bigint): void {
    this.logs.push({ index: this.nextLogIndex++, timestampNanos, content });
    if (this.logs.length > MAX_LOG_RECORDS) this.logs.splice(0, this.logs.length - MAX_LOG_RECORDS);
  }

  recordChange(change: CanisterChange): void {
    this.history.push(change);
    this.totalChanges += 1n;
    if (this.history.length > MAX_HISTORY) this.history.splice(0, this.history.length - MAX_HISTORY);
  }

  openCallContext(origin: CallOrigin, methodName: string, cycles: bigint, deadline: bigint): CallContext {
    const context: CallContext = {
      id: this.nextCallContextId++,
      origin,
      methodName,
      cyclesAvailable: cycles,
      responded: origin.kind === 'system',
      outstandingCallbacks: 0,
      deleted: false,
      deadline,
      instructionsExecuted: 0
    };
    this.callContexts.set(context.id, context);
    return context;
  }

  /** Removes the context once it has responded (or needs no response) and no callback is pending. */
  closeCallContextIfDone(context: CallContext): void {
    if (context.responded && context.outstandingCallbacks === 0) this.callContexts.delete(context.id);
  }

  addCallback(callback: Omit<Callback, 'id'>): Callback {
    const registered: Callback = { ...callback, id: this.nextCallbackId++ };
    this.callbacks.set(registered.id, registered);
    return registered;
  }

  /** Counters that must survive save/load. */
  counters(): { nextCallContextId: number; nextCallbackId: number; nextLogIndex: bigint } {
    return { nextCallContextId: this.nextCallContextId, nextCallbackId: this.nextCallbackId, nextLogIndex: this.nextLogIndex };
  }

  restoreCounters(counters: { nextCallContextId: number; nextCallbackId: number; nextLogIndex: bigint }): void {
    this.nextCallContextId = counters.nextCallContextId;
    this.nextCallbackId = counters.nextCallbackId;
    this.nextLogIndex = counters.nextLogIndex;
  }
}
