import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { rejected, type CallResult } from './shared/call_result.js';
import { millisToNanos, wallClockNanos } from './shared/clock.js';
import type { FeeSchedule } from './costs/cycles.js';
import { ExecutionStalledError, InvalidArgumentError, ManagementRejectedError, StateStoreError } from './shared/errors.js';
import type { IngressStatus } from './state/ingress_history.js';
import { MessageProcessor } from './execution/message_processor.js';
import { MANAGEMENT_CANISTER_ID, principalKey, toPrincipal } from './shared/ids.js';
import { CanisterLifecycle, isRejection, type InstallMode, type Requester, type SettingsUpdate } from './management/lifecycle.js';
import { DEFAULT_PROVISIONAL_CYCLES, ManagementCanister } from './management/management_canister.js';
import { canisterStatus, type CanisterStatusRecord } from './management/status.js';
import { managementQuery } from './management/management_queries.js';
import { ThresholdBackend, type ThresholdKeys } from './state/threshold_backend.js';
import { heldKeyNames } from './threshold/index.js';
import { recoverDurableCopy, type Recovery } from './persistence/durable_copy.js';
import { captureState, loadState, writeSnapshot, type StateSnapshot } from './persistence/state_store.js';
import { isDelayedIngressFee } from './costs/cycles.js';
import { chargeIngressInduction, chargeStorage, ingressInduction } from './runtime/cycles_account.js';
import { rejections, type Rejection } from './shared/rejections.js';
import type { Canister, CanisterLogRecord } from './state/canister.js';
import { Subnet, type CertificateProvider, type DebugPrintSink } from './subnet.js';
import { loadCanisterModule, type CanisterMetadata } from './wasm/canister_module.js';
import { WASM_PAGE_SIZE } from './runtime/stable_memory.js';
import { SUBNET_KINDS, subnetLayout, type IndexRange, type SubnetKind } from './topology/layout.js';

export interface TopologySubnet {
  readonly kind: SubnetKind;
  readonly id: Principal;
  readonly nodeCount: bigint;
  readonly ranges: readonly IndexRange[];
  readonly allocationRange: IndexRange;
}

export interface LocalIcOptions {
  /** The subnets, laid out as PocketIC lays out an instance with these kinds (default: all five). */
  readonly subnets?: readonly SubnetKind[];
  /** Start time in nanoseconds since 1970-01-01 (default: now). */
  readonly startTime?: bigint;
  /** Time follows the wall clock and rounds (timers, queued messages) run by themselves. */
  readonly live?: boolean;
  /** One price list for every subnet (e.g. FREE_FEES); by default each subnet the IC's prices for its size, system subnets (NNS, II) nothing. */
  readonly fees?: FeeSchedule;
  /** Price lists of single subnets, winning over `fees` (e.g. a free application subnet). */
  readonly subnetFees?: Readonly<Partial<Record<SubnetKind, FeeSchedule>>>;
  /** Seed of the deterministic `raw_rand` randomness. */
  readonly randomSeed?: Uint8Array | string;
  /** The subnet ids `ic0.subnet_self` reports, by kind (a network passes those of its subnet keys; default: stand-ins). */
  readonly subnetIds?: Readonly<Partial<Record<SubnetKind, Principal>>>;
  /** Threshold keys for the ECDSA/Schnorr management methods (default: threshold/). */
  readonly thresholdKeys?: ThresholdKeys;
  /** Supplies data certificates to non-replicated queries (default: none present). */
  readonly certificateProvider?: CertificateProvider;
  /** Where `ic0.debug_print` output goes besides the canister log; 'stderr' prints it. */
  readonly debugPrint?: DebugPrintSink | 'stderr';
  /** Rounds an update call may take before the local IC gives up (default 1000). */
  readonly maxRoundsPerCall?: number;
  /** Messages executed per round at most (default 100000). */
  readonly maxMessagesPerRound?: number;
  /** How often live mode runs a round, in milliseconds (default 50). */
  readonly liveRoundIntervalMs?: number;
}

export interface CreateCanisterOptions {
  /** Default: the sender. */
  readonly controllers?: readonly Principal[];
  /** Initial cycle balance (default 100T). */
  readonly cycles?: bigint;
  /** Default: the anonymous principal. */
  readonly sender?: Principal;
  /** Ask for this id (it must be free and in a subnet's ranges; the canister lands on that subnet). */
  readonly canisterId?: Principal;
  /** Create it on this subnet (default: the application subnet). */
  readonly subnet?: SubnetKind;
  readonly settings?: SettingsUpdate;
}

export interface InstallCodeOptions {
  readonly mode?: InstallMode;
  /** Must be a controller (default: the anonymous principal). */
  readonly sender?: Principal;
  readonly skipPreUpgrade?: boolean;
}

export interface CallOptions {
  /** Default: the anonymous principal. */
  readonly sender?: Principal;
}

export interface IngressOptions extends CallOptions {
  /**
   * Bytes of the signed message, as the HTTP interface received it: the IC charges an ingress
   * message's induction by the whole message. Default (a call made in-process, which has no
   * signed message): the method name's and the argument's bytes.
   */
  readonly messageBytes?: number;
  /**
   * For a message to the management canister: its effective canister id (the HTTP request's, or
   * PocketIC's effective principal). The IC charges that canister the induction fee; without one
   * the message is free.
   */
  readonly effectiveCanisterId?: Principal;
}

export interface QueryOptions extends CallOptions {
  /**
   * Where the query's `ic0.data_certificate_copy` comes from instead of the
   * network's provider (the IC HTTP interface offers one per endpoint: the
   * replica's delegation differs between v2 and v3 queries).
   */
  readonly certificateProvider?: CertificateProvider;
}

export interface SubmitOptions extends IngressOptions {
  /** Id to record the message under (e.g. the HTTP request id); default: a fresh one. */
  readonly messageId?: string;
  /** For a message to the management canister: the subnet it is addressed to, where `create_canister` puts the canister. */
  readonly subnet?: SubnetKind;
}

export type IngressSubmission = { readonly accepted: true; readonly messageId: string } | { readonly accepted: false; readonly result: CallResult };

export type CanisterIdLike = Principal | string;

const EMPTY_CANDID_ARGS = new Uint8Array(IDL.encode([], []));
const DEFAULT_CANISTER_CYCLES = DEFAULT_PROVISIONAL_CYCLES;

/**
 * An Internet Computer in this process: canisters run their real Wasm in
 * Node's WebAssembly, with the System API, message execution and the
 * management canister of the interface specification.
 */
export class LocalIc {
  private lock: Promise<unknown> = Promise.resolve();
  private liveTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private stateChangeListener: (() => void) | undefined;
  private readonly processor: MessageProcessor;
  private readonly lifecycle: CanisterLifecycle;
  private readonly maxRoundsPerCall: number;
  private readonly maxMessagesPerRound: number;
  private readonly liveRoundIntervalMs: number;

  private constructor(
    private readonly subnet: Subnet,
    options: LocalIcOptions
  ) {
    this.lifecycle = new CanisterLifecycle(subnet, (canister) => this.processor.completeStopIfIdle(canister));
    this.processor = new MessageProcessor(subnet, new ManagementCanister(subnet, this.lifecycle));
    this.maxRoundsPerCall = options.maxRoundsPerCall ?? 1_000;
    this.maxMessagesPerRound = options.maxMessagesPerRound ?? 100_000;
    this.liveRoundIntervalMs = options.liveRoundIntervalMs ?? 50;
    if (options.live === true) this.setLiveMode(true);
  }

  static async create(options: LocalIcOptions = {}): Promise<LocalIc> {
    const subnetKinds = options.subnets ?? SUBNET_KINDS;
    const threshold = new ThresholdBackend(options.thresholdKeys, heldKeyNames(subnetKinds));
    const subnet = new Subnet({
      layout: subnetLayout(subnetKinds),
      fees: options.fees,
      subnetFees: options.subnetFees,
      startTimeNanos: options.startTime ?? wallClockNanos(),
      live: options.live ?? false,
      randomSeed: options.randomSeed ?? 'local IC raw_rand seed',
      subnetIds: options.subnetIds,
      threshold,
      debugPrint: options.debugPrint === 'stderr' ? printToStderr : options.debugPrint
    });
    subnet.certificateProvider = options.certificateProvider;
    return new LocalIc(subnet, options);
  }

  /**
   * A local IC with the state saved by `save(directory)`: the last complete
   * save wins and leftovers of interrupted saves are removed. Options not
   * stored in the state apply as given. Throws StateStoreError when nothing
   * readable is there.
   */
  static async load(directory: string, options: LocalIcOptions = {}): Promise<LocalIc> {
    if ((await recover(directory)) === 'none') throw new StateStoreError(`No saved local IC in ${directory}`);
    return LocalIc.loadRecovered(directory, options);
  }

  /** `load(directory)` if a complete save is there, otherwise a fresh local IC. */
  static async loadOrCreate(directory: string, options: LocalIcOptions = {}): Promise<LocalIc> {
    if ((await recover(directory)) === 'none') return LocalIc.create(options);
    return LocalIc.loadRecovered(directory, options);
  }

  private static async loadRecovered(directory: string, options: LocalIcOptions): Promise<LocalIc> {
    const ic = await LocalIc.create({ ...options, live: false });
    await loadState(directory, ic.subnet).catch((error: unknown) => {
      throw error instanceof StateStoreError ? error : new StateStoreError(`Cannot load ${directory}: ${(error as Error).message}`);
    });
    if (options.live === true) ic.setLiveMode(true);
    return ic;
  }

  /**
   * Saves all canisters, time and counters to `directory` (created if missing),
   * once no message is in flight. The previous save stays complete until the
   * new one is (see persistence/durable_copy.ts).
   */
  async save(directory: string): Promise<void> {
    await writeSnapshot(directory, await this.snapshot());
  }

  /** The state once no message is in flight; the caller may write it later. */
  async snapshot(): Promise<StateSnapshot> {
    return this.exclusive(async () => {
      await this.runUntil(() => this.isQuiescent(), 'the local IC to become idle before saving');
      return captureState(this.subnet);
    }, false);
  }

  /** The state right now if no message is in flight, without running rounds; undefined otherwise. */
  async snapshotIfIdle(): Promise<StateSnapshot | undefined> {
    return this.exclusive(() => (this.isQuiescent() ? captureState(this.subnet) : undefined), false);
  }

  /** `listener` runs after every operation that may have changed the state (rounds, installs, accepted messages). */
  onStateChange(listener: (() => void) | undefined): void {
    this.stateChangeListener = listener;
  }

  // ---- time -------------------------------------------------------------

  /** Current time in nanoseconds since 1970-01-01. */
  get time(): bigint {
    return this.subnet.clock.now();
  }

  advanceTime(milliseconds: number): void {
    if (!(milliseconds >= 0)) throw new InvalidArgumentError('advanceTime needs a non-negative number of milliseconds');
    this.subnet.clock.advanceBy(millisToNanos(milliseconds));
  }

  /** Moves time forward to `nanos` (never backwards). */
  setTime(nanos: bigint): void {
    this.subnet.clock.advanceTo(nanos);
  }

  get isLive(): boolean {
    return this.subnet.clock.isLive;
  }

  /** In live mode time follows the wall clock and rounds run every `liveRoundIntervalMs`. */
  setLiveMode(live: boolean): void {
    this.subnet.clock.setLive(live);
    if (live && this.liveTimer === undefined) {
      this.liveTimer = setInterval(() => void this.liveRound(), this.liveRoundIntervalMs);
      this.liveTimer.unref();
    } else if (!live && this.liveTimer !== undefined) {
      clearInterval(this.liveTimer);
      this.liveTimer = undefined;
    }
  }

  /** Runs one round: due global timers and heartbeats, then every queued message (and the ones they cause). */
  async tick(): Promise<void> {
    await this.exclusive(() => this.runRound());
  }

  /** Runs rounds until no message is queued and no call is in flight. */
  async runUntilIdle(): Promise<void> {
    await this.exclusive(() => this.runUntil(() => this.isQuiescent(), 'the local IC to become idle'));
  }

  // ---- canister lifecycle -----------------------------------------------

  async createCanister(options: CreateCanisterOptions = {}): Promise<Principal> {
    const sender = options.sender ?? Principal.anonymous();
    return this.exclusive(() => {
      const created = this.lifecycle.createCanister(userRequester(sender), {
        settings: { ...options.settings, controllers: [...(options.controllers ?? options.settings?.controllers ?? [sender])] },
        cycles: options.cycles ?? DEFAULT_CANISTER_CYCLES,
        specifiedId: options.canisterId,
        subnet: options.subnet
      });
      return unwrap(created).id;
    });
  }

  /**
   * Installs (default), reinstalls or upgrades code. Throws InvalidWasmModuleError /
   * UnsupportedImportError for modules the local IC cannot run, and
   * ManagementRejectedError when the IC would reject the install (not a controller,
   * trap in init/pre_upgrade/post_upgrade, ...); a failed install changes nothing.
   */
  async installCode(canisterId: CanisterIdLike, wasm: Uint8Array, arg: Uint8Array = EMPTY_CANDID_ARGS, options: InstallCodeOptions = {}): Promise<void> {
    const module = await loadCanisterModule(wasm);
    const requester = userRequester(options.sender ?? Principal.anonymous());
    await this.exclusive(() => {
      const canister = unwrap(this.lifecycle.requireController(toPrincipal(canisterId), requester));
      failIfRejected(this.lifecycle.installCode(canister, requester, module, arg, options.mode ?? 'install', { skipPreUpgrade: options.skipPreUpgrade }));
    });
  }

  async upgradeCanister(canisterId: CanisterIdLike, wasm: Uint8Array, arg: Uint8Array = EMPTY_CANDID_ARGS, options: Omit<InstallCodeOptions, 'mode'> = {}): Promise<void> {
    await this.installCode(canisterId, wasm, arg, { ...options, mode: 'upgrade' });
  }

  async reinstallCode(canisterId: CanisterIdLike, wasm: Uint8Array, arg: Uint8Array = EMPTY_CANDID_ARGS, options: Omit<InstallCodeOptions, 'mode'> = {}): Promise<void> {
    await this.installCode(canisterId, wasm, arg, { ...options, mode: 'reinstall' });
  }

  async uninstallCode(canisterId: CanisterIdLike, options: CallOptions = {}): Promise<void> {
    const requester = userRequester(options.sender ?? Principal.anonymous());
    await this.exclusive(() => this.lifecycle.uninstallCode(unwrap(this.lifecycle.requireController(toPrincipal(canisterId), requester)), requester));
  }

  async updateSettings(canisterId: CanisterIdLike, settings: SettingsUpdate, options: CallOptions = {}): Promise<void> {
    const requester = userRequester(options.sender ?? Principal.anonymous());
    await this.exclusive(() => {
      const canister = unwrap(this.lifecycle.requireController(toPrincipal(canisterId), requester));
      failIfRejected(this.lifecycle.updateSettings(canister, requester, settings));
    });
  }

  /** Stops the canister; resolves once it is stopped (after its open calls have finished). */
  async stopCanister(canisterId: CanisterIdLike, options: CallOptions = {}): Promise<void> {
    const requester = userRequester(options.sender ?? Principal.anonymous());
    await this.exclusive(async () => {
      const canister = unwrap(this.lifecycle.requireController(toPrincipal(canisterId), requester));
      this.lifecycle.stopCanister(canister, () => undefined);
      await this.runUntil(() => canister.status !== 'stopping', `canister ${canister.idText} to stop`);
    });
  }

  async startCanister(canisterId: CanisterIdLike, options: CallOptions = {}): Promise<void> {
    const requester = userRequester(options.sender ?? Principal.anonymous());
    await this.exclusive(() => this.lifecycle.startCanister(unwrap(this.lifecycle.requireController(toPrincipal(canisterId), requester))));
  }

  /** Deletes a stopped canister. */
  async deleteCanister(canisterId: CanisterIdLike, options: CallOptions = {}): Promise<void> {
    const requester = userRequester(options.sender ?? Principal.anonymous());
    await this.exclusive(() => {
      const canister = unwrap(this.lifecycle.requireController(toPrincipal(canisterId), requester));
      failIfRejected(this.lifecycle.deleteCanister(canister));
    });
  }

  // ---- calls --------------------------------------------------------------

  /** An update call as an ingress message; runs rounds until it completes (including downstream calls). */
  async updateCall(canisterId: CanisterIdLike, method: string, arg: Uint8Array = EMPTY_CANDID_ARGS, options: IngressOptions = {}): Promise<CallResult> {
    return this.exclusive(async () => {
      const submission = this.submit(toPrincipal(canisterId), method, arg, options);
      if (!submission.accepted) return submission.result;
      const { messageId } = submission;
      await this.runUntil(() => this.subnet.ingress.status(messageId)?.status === 'completed', `update call ${method} to complete`);
      return this.subnet.ingress.whenCompleted(messageId);
    });
  }

  /**
   * Submits an ingress message without waiting for it (the HTTP interface's
   * `call`). In live mode it is executed by the next rounds; otherwise by
   * `tick()` / `runUntilIdle()` / the next `updateCall`.
   */
  async submitIngress(canisterId: CanisterIdLike, method: string, arg: Uint8Array, options: SubmitOptions = {}): Promise<IngressSubmission> {
    return this.exclusive(() => this.submit(toPrincipal(canisterId), method, arg, options));
  }

  ingressStatus(messageId: string): IngressStatus | undefined {
    return this.subnet.ingress.status(messageId);
  }

  /** A query call (non-replicated): nothing it does persists. */
  async queryCall(canisterId: CanisterIdLike, method: string, arg: Uint8Array = EMPTY_CANDID_ARGS, options: QueryOptions = {}): Promise<CallResult> {
    this.assertOpen();
    const id = toPrincipal(canisterId);
    const sender = options.sender ?? Principal.anonymous();
    if (principalKey(id) === principalKey(MANAGEMENT_CANISTER_ID)) return managementQuery(this.subnet, method, arg, sender);
    return this.processor.query(principalKey(id), method, arg, sender.toUint8Array(), options.certificateProvider);
  }

  // ---- inspection -----------------------------------------------------------

  /** The subnets: kind, id (as `ic0.subnet_self` reports it), node count, ranges and allocation range. */
  subnets(): readonly TopologySubnet[] {
    return [...this.subnet.hosts.values()].map((host) => ({
      kind: host.kind,
      id: host.id,
      nodeCount: host.layout.nodeCount,
      ranges: host.layout.ranges,
      allocationRange: host.layout.allocationRange
    }));
  }

  /** The subnet users' canisters are created on unless asked otherwise: the application subnet, else the root subnet. */
  get defaultSubnetKind(): SubnetKind {
    return this.subnet.defaultKind;
  }

  /** The kind of the subnet a canister lives on. */
  subnetOf(canisterId: CanisterIdLike): SubnetKind {
    return this.requireCanister(canisterId).subnetKind;
  }

  canisterIds(): Principal[] {
    return [...this.subnet.canisters.values()].map((canister) => canister.id);
  }

  hasCanister(canisterId: CanisterIdLike): boolean {
    return this.subnet.canister(toPrincipal(canisterId)) !== undefined;
  }

  cycleBalance(canisterId: CanisterIdLike): bigint {
    return this.requireCanister(canisterId).balance;
  }

  /** Adds cycles to a canister's balance (like `provisional_top_up_canister`). */
  addCycles(canisterId: CanisterIdLike, amount: bigint): bigint {
    if (amount < 0n) throw new InvalidArgumentError('addCycles needs a non-negative amount');
    const canister = this.requireCanister(canisterId);
    canister.balance += amount;
    this.stateChangeListener?.();
    return canister.balance;
  }

  controllers(canisterId: CanisterIdLike): Principal[] {
    return [...this.requireCanister(canisterId).settings.controllers];
  }

  status(canisterId: CanisterIdLike): 'running' | 'stopping' | 'stopped' {
    return this.requireCanister(canisterId).status;
  }

  /** The management canister's `canister_status` record, decoded. */
  canisterStatus(canisterId: CanisterIdLike): CanisterStatusRecord {
    return canisterStatus(this.requireCanister(canisterId));
  }

  moduleHash(canisterId: CanisterIdLike): Uint8Array | undefined {
    return this.requireCanister(canisterId).module?.hash;
  }

  /** The installed module's `icp:` metadata sections, by name (empty for an empty canister). */
  metadata(canisterId: CanisterIdLike): ReadonlyMap<string, CanisterMetadata> {
    return this.requireCanister(canisterId).module?.metadata ?? new Map();
  }

  certifiedData(canisterId: CanisterIdLike): Uint8Array {
    return this.requireCanister(canisterId).certifiedData;
  }

  canisterLogs(canisterId: CanisterIdLike): readonly CanisterLogRecord[] {
    return [...this.requireCanister(canisterId).logs];
  }

  /** Bytes of Wasm memory the canister's instance has (0 when empty). */
  wasmMemorySize(canisterId: CanisterIdLike): number {
    return this.requireCanister(canisterId).instance?.memoryBytes ?? 0;
  }

  // ---- test hooks ---------------------------------------------------------

  /** A copy of the canister's stable memory (PocketIC: get_stable_memory). */
  getStableMemory(canisterId: CanisterIdLike): Uint8Array {
    const memory = this.requireCanister(canisterId).stableMemory;
    const bytes = new Uint8Array(memory.sizeInBytes);
    memory.read(0, bytes);
    return bytes;
  }

  /** Replaces the canister's stable memory with `bytes`, grown to whole pages (PocketIC: set_stable_memory). */
  async setStableMemory(canisterId: CanisterIdLike, bytes: Uint8Array): Promise<void> {
    await this.exclusive(() => {
      const memory = this.requireCanister(canisterId).stableMemory;
      memory.clear();
      memory.grow(Math.ceil(bytes.length / WASM_PAGE_SIZE));
      memory.write(0, bytes);
    });
  }

  /**
   * Test-only fault injection: the next successful reply of management method `method` carries
   * `reply` instead (e.g. bytes that are not Candid), so that the caller's reply handler traps.
   */
  replaceNextManagementReply(method: string, reply: Uint8Array): void {
    this.subnet.managementReplyFaults.set(method, reply);
  }

  setCertificateProvider(provider: CertificateProvider | undefined): void {
    this.subnet.certificateProvider = provider;
  }

  /** Stops live mode; the instance must not be used afterwards. */
  close(): void {
    this.setLiveMode(false);
    this.closed = true;
  }

  // ---- internals ------------------------------------------------------------

  private submit(canisterId: Principal, method: string, arg: Uint8Array, options: SubmitOptions): IngressSubmission {
    const sender = (options.sender ?? Principal.anonymous()).toUint8Array();
    const messageId = options.messageId ?? this.subnet.newIngressMessageId();
    const messageBytes = options.messageBytes ?? Buffer.byteLength(method) + arg.length;
    const refusal =
      principalKey(canisterId) === principalKey(MANAGEMENT_CANISTER_ID)
        ? this.managementIngressRefusal(method, arg, sender, messageBytes, options.effectiveCanisterId)
        : this.ingressRefusal(canisterId, method, arg, sender, messageBytes);
    if (refusal !== undefined) return { accepted: false, result: rejected(refusal) };
    this.subnet.ingress.startProcessing(messageId);
    this.subnet.queue.push({
      kind: 'request',
      callee: canisterId.toUint8Array(),
      method,
      argument: arg,
      cycles: 0n,
      caller: sender,
      origin: { kind: 'ingress', messageId, sender, subnet: options.subnet },
      deadline: 0n
    });
    return { accepted: true, messageId };
  }

  /** Checks an ingress message must pass before the IC accepts it (and charges the induction fee). */
  private ingressRefusal(canisterId: Principal, method: string, arg: Uint8Array, sender: Uint8Array, messageBytes: number): Rejection | undefined {
    const canister = this.subnet.canister(canisterId);
    if (canister === undefined) return rejections.canisterNotFound(canisterId.toText());
    if (canister.instance === undefined) return rejections.noWasmModule(canister.idText);
    if (canister.status === 'stopped') return rejections.stopped(canister.idText);
    if (canister.status === 'stopping') return rejections.stopping(canister.idText);
    const induction = ingressInduction(canister, messageBytes, canister.isController(sender));
    if (!induction.ok) return induction.rejection;
    const inspection = this.processor.inspectIngress(canister, method, arg, sender);
    if (inspection !== undefined) return inspection;
    chargeIngressInduction(canister, induction.fee, method);
    return undefined;
  }

  /**
   * Ingress to the management canister: its effective canister pays the induction fee, as the
   * replica's ingress_induction_cost has it; a small update_settings pays after it has run
   * (ManagementCanister), so that a canister frozen by its own freezing threshold can be thawed.
   */
  private managementIngressRefusal(method: string, arg: Uint8Array, sender: Uint8Array, messageBytes: number, payerId: Principal | undefined): Rejection | undefined {
    if (payerId === undefined || principalKey(payerId) === principalKey(MANAGEMENT_CANISTER_ID)) return undefined;
    if (isDelayedIngressFee(method, arg)) return undefined;
    const payer = this.subnet.canister(payerId);
    if (payer === undefined) return rejections.canisterNotFound(payerId.toText());
    const induction = ingressInduction(payer, messageBytes, payer.isController(sender));
    if (!induction.ok) return induction.rejection;
    chargeIngressInduction(payer, induction.fee, method);
    return undefined;
  }

  private async runRound(): Promise<void> {
    const now = this.subnet.clock.now();
    for (const canister of this.subnet.canisters.values()) {
      if (!chargeStorage(canister, now)) this.lifecycle.uninstallOutOfCycles(canister);
      const entryPoints = canister.module?.systemEntryPoints;
      if (entryPoints === undefined || canister.status !== 'running') continue;
      if (canister.globalTimer !== 0n && canister.globalTimer <= now && entryPoints.has('canister_global_timer')) {
        this.subnet.queue.push({ kind: 'global_timer', canisterKey: canister.key });
      }
      if (entryPoints.has('canister_heartbeat')) this.subnet.queue.push({ kind: 'heartbeat', canisterKey: canister.key });
    }
    let processed = 0;
    let lastYield = performance.now();
    while (this.subnet.queue.length > 0 && processed < this.maxMessagesPerRound) {
      const message = this.subnet.queue.shift();
      if (message === undefined) break;
      await this.processor.process(message);
      processed += 1;
      if (performance.now() - lastYield > 25) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  }

  private hasWork(): boolean {
    if (this.subnet.queue.length > 0) return true;
    const now = this.subnet.clock.now();
    for (const canister of this.subnet.canisters.values()) {
      if (canister.status !== 'running' || canister.module === undefined) continue;
      if (canister.globalTimer !== 0n && canister.globalTimer <= now && canister.module.systemEntryPoints.has('canister_global_timer')) return true;
    }
    return false;
  }

  private isQuiescent(): boolean {
    if (this.subnet.queue.length > 0) return false;
    for (const canister of this.subnet.canisters.values()) if (canister.callContexts.size > 0) return false;
    return true;
  }

  private async runUntil(done: () => boolean, what: string): Promise<void> {
    for (let round = 0; !done(); round++) {
      if (round >= this.maxRoundsPerCall) throw new ExecutionStalledError(`Gave up waiting for ${what} after ${round} rounds`);
      if (!this.hasWork()) throw new ExecutionStalledError(`Nothing is left to execute, but ${what} has not happened`);
      await this.runRound();
    }
  }

  private async liveRound(): Promise<void> {
    if (this.closed || !this.hasWorkOrHeartbeat()) return;
    await this.exclusive(() => this.runRound()).catch((error: unknown) => console.error('[local IC] live round failed:', error));
  }

  private hasWorkOrHeartbeat(): boolean {
    return this.hasWork() || [...this.subnet.canisters.values()].some((canister) => canister.module?.systemEntryPoints.has('canister_heartbeat') === true);
  }

  /** Runs `action` when no other state-changing operation is running. */
  private exclusive<T>(action: () => T | Promise<T>, changesState = true): Promise<T> {
    this.assertOpen();
    const result = this.lock.then(action);
    this.lock = result.catch(() => undefined);
    if (changesState) void this.lock.then(() => this.stateChangeListener?.());
    return result;
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidArgumentError('This LocalIc has been closed');
  }

  private requireCanister(canisterId: CanisterIdLike): Canister {
    const id = toPrincipal(canisterId);
    const canister = this.subnet.canister(id);
    if (canister === undefined) {
      const rejection = rejections.canisterNotFound(id.toText());
      throw new ManagementRejectedError(rejection.rejectCode, rejection.errorCode ?? '', rejection.message);
    }
    return canister;
  }
}

async function recover(directory: string): Promise<Recovery> {
  return recoverDurableCopy(directory).catch((error: unknown) => {
    throw error instanceof StateStoreError ? error : new StateStoreError(`Cannot recover ${directory}: ${(error as Error).message}`);
  });
}

function userRequester(principal: Principal): Requester {
  return { principal, isCanister: false };
}

function unwrap<T>(value: T | Rejection): T {
  if (isRejection(value)) throw new ManagementRejectedError(value.rejectCode, value.errorCode ?? '', value.message);
  return value;
}

function failIfRejected(rejection: Rejection | undefined): void {
  if (rejection !== undefined) unwrap(rejection);
}

function printToStderr(canisterId: Principal, message: string): void {
  process.stderr.write(`[canister ${canisterId.toText()}] ${message}\n`);
}

