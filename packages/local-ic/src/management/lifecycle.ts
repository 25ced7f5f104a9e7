import type { Principal } from '@dfinity/principal';
import { rejected } from '../shared/call_result.js';
import { applyLocalEffects, executeEntryPoint } from '../execution/executor.js';
import { ErrorCode, rejectionWithErrorCode, rejections, RejectCode, type Rejection } from '../shared/rejections.js';
import type { ApiMode } from '../runtime/api_modes.js';
import { CanisterInstance } from '../runtime/canister_instance.js';
import { prepayExecution, settleExecution } from '../runtime/cycles_account.js';
import { COMPILATION_COST_PER_WASM_INSTRUCTION, INSTRUCTION_LIMITS } from '../runtime/instruction_limits.js';
import { hasInstructionListeners, reportInstructions } from '../runtime/instruction_log.js';
import { StableMemory } from '../runtime/stable_memory.js';
import { trapRejection } from '../runtime/traps.js';
import { defaultSettings, type Canister, type CanisterChange, type CanisterSettings } from '../state/canister.js';
import type { Subnet } from '../subnet.js';
import type { SubnetKind } from '../topology/layout.js';
import type { CanisterModule } from '../wasm/canister_module.js';

export type InstallMode = 'install' | 'reinstall' | 'upgrade';

export interface UpgradeOptions {
  readonly skipPreUpgrade?: boolean;
  readonly keepWasmMemory?: boolean;
}

/** Who asked for a lifecycle change, for permission checks and the canister history. */
export interface Requester {
  readonly principal: Principal;
  readonly isCanister: boolean;
  /** A user's message addressed to this subnet creates its canisters there. */
  readonly subnet?: SubnetKind;
}

export type SettingsUpdate = Partial<CanisterSettings>;

const MAX_CONTROLLERS = 10;
const EMPTY = new Uint8Array(0);

export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && 'rejectCode' in value && 'message' in value;
}

/** Creating, installing, upgrading, stopping and deleting canisters (the management canister's work). */
export class CanisterLifecycle {
  /** Instructions the install_code message in progress has used (compilation, then each hook), against the install limit. */
  private installInstructions = 0;

  constructor(
    private readonly subnet: Subnet,
    private readonly onStoppedIfIdle: (canister: Canister) => void
  ) {}

  requireController(canisterId: Principal, requester: Requester): Canister | Rejection {
    const canister = this.subnet.canister(canisterId);
    if (canister === undefined) return rejections.canisterNotFound(canisterId.toText());
    if (!canister.isController(requester.principal)) return notAController(canister, requester.principal);
    return canister;
  }

  /**
   * Creates a canister on `subnet` (default: the requesting canister's
   * subnet, or for a user the default subnet), or under `specifiedId` on the
   * subnet whose ranges hold it.
   */
  createCanister(
    requester: Requester,
    options: { settings?: SettingsUpdate; cycles: bigint; specifiedId?: Principal; subnet?: SubnetKind }
  ): Canister | Rejection {
    const subnet = options.subnet ?? this.requesterSubnet(requester);
    const id = this.subnet.allocateCanisterId(subnet, options.specifiedId);
    if (id === 'taken') {
      return rejectionWithErrorCode(ErrorCode.CanisterNotFound, `Canister ${options.specifiedId?.toText() ?? ''} is already installed`);
    }
    if (id === 'outside') {
      return rejectionWithErrorCode(
        ErrorCode.CanisterNotFound,
        `The specified canister id ${options.specifiedId?.toText() ?? ''} does not belong to any subnet of this local IC.`
      );
    }
    if (id === 'full') {
      return rejectionWithErrorCode(ErrorCode.SubnetOversubscribed, `The ${subnet} subnet has no canister ids left to allocate.`);
    }
    const settings = defaultSettings([requester.principal]);
    const invalid = validateSettings(options.settings ?? {});
    if (invalid !== undefined) return invalid;
    Object.assign(settings, definedFields(options.settings ?? {}));
    const canister = this.subnet.addCanister(id, settings, options.cycles);
    this.record(canister, requester, { kind: 'creation', controllers: [...settings.controllers] });
    return canister;
  }

  /** A canister creates canisters on its own subnet; users on the default subnet. */
  requesterSubnet(requester: Requester): SubnetKind {
    if (!requester.isCanister) return requester.subnet ?? this.subnet.defaultKind;
    return this.subnet.canister(requester.principal)?.subnetKind ?? this.subnet.defaultKind;
  }

  updateSettings(canister: Canister, requester: Requester, update: SettingsUpdate): Rejection | undefined {
    const invalid = validateSettings(update);
    if (invalid !== undefined) return invalid;
    Object.assign(canister.settings, definedFields(update));
    canister.version += 1n;
    if (update.controllers !== undefined) this.record(canister, requester, { kind: 'controllers_change', controllers: [...update.controllers] });
    return undefined;
  }

  /**
   * Installs, reinstalls or upgrades atomically: if any hook traps, the canister is
   * as it was before. Returns the rejection on failure.
   */
  installCode(
    canister: Canister,
    requester: Requester,
    module: CanisterModule,
    arg: Uint8Array,
    mode: InstallMode,
    upgradeOptions: UpgradeOptions = {}
  ): Rejection | undefined {
    if (mode === 'install' && !canister.isEmpty()) return rejections.nonEmpty(canister.idText);
    if (mode === 'upgrade') {
      if (canister.isEmpty()) return rejections.noWasmModule(canister.idText);
      if (upgradeOptions.keepWasmMemory === true) {
        return rejections.contractViolation(canister.idText, 'upgrading with wasm_memory_persistence = opt keep is not supported by the local IC');
      }
    }
    let instance: CanisterInstance;
    try {
      instance = CanisterInstance.create(module, canister);
    } catch (error) {
      return rejections.invalidWasm(canister.idText, error instanceof Error ? error.message : String(error));
    }
    // The whole install_code message is prepaid at its instruction limit; compilation counts as instructions.
    const prepaid = prepayExecution(canister, INSTRUCTION_LIMITS.install);
    if (!prepaid.ok) return prepaid.rejection;
    this.installInstructions = module.wasmInstructionCount * COMPILATION_COST_PER_WASM_INSTRUCTION;
    const failure = mode === 'upgrade' ? this.upgrade(canister, requester, instance, arg, upgradeOptions) : this.install(canister, requester, instance, arg);
    settleExecution(canister, prepaid.prepayment, this.installInstructions, `install_code ${mode}`);
    if (hasInstructionListeners()) {
      reportInstructions({
        canister: canister.idText,
        kind: 'install_code',
        entry: mode,
        instructions: this.installInstructions,
        trapped: failure !== undefined
      });
    }
    if (failure !== undefined) return failure;
    canister.version += 1n;
    this.record(canister, requester, { kind: 'code_deployment', mode, moduleHash: module.hash });
    return undefined;
  }

  uninstallCode(canister: Canister, requester: Requester): void {
    for (const callContext of canister.callContexts.values()) {
      callContext.deleted = true;
      if (!callContext.responded) {
        callContext.responded = true;
        const refund = callContext.cyclesAvailable;
        callContext.cyclesAvailable = 0n;
        this.subnet.deliver(
          callContext.origin,
          rejected({ rejectCode: RejectCode.CanisterReject, message: `Canister ${canister.idText} has been uninstalled.` }),
          refund
        );
      }
    }
    canister.callContexts.clear();
    canister.module = undefined;
    canister.instance = undefined;
    canister.stableMemory = new StableMemory();
    canister.certifiedData = EMPTY;
    canister.globalTimer = 0n;
    canister.version += 1n;
    this.record(canister, requester, { kind: 'code_uninstall' });
    this.onStoppedIfIdle(canister);
  }

  /** Returns true when the canister is stopped now; otherwise `onStopped` runs once it is. */
  stopCanister(canister: Canister, onStopped: () => void): boolean {
    if (canister.status === 'stopped') return true;
    if (canister.status === 'running') {
      canister.status = 'stopping';
      canister.version += 1n;
    }
    canister.stopWaiters.push(onStopped);
    this.onStoppedIfIdle(canister);
    return false;
  }

  startCanister(canister: Canister): void {
    if (canister.status === 'running') return;
    canister.status = 'running';
    canister.version += 1n;
    // Pending stop requests fail (the IC rejects them as cancelled); the waiters check the status.
    for (const waiter of canister.stopWaiters.splice(0)) waiter();
  }

  deleteCanister(canister: Canister): Rejection | undefined {
    if (canister.status !== 'stopped') return rejections.notStopped(canister.idText);
    this.subnet.canisters.delete(canister.key);
    return undefined;
  }

  private install(canister: Canister, requester: Requester, instance: CanisterInstance, arg: Uint8Array): Rejection | undefined {
    const previous = {
      module: canister.module,
      instance: canister.instance,
      stableMemory: canister.stableMemory,
      certifiedData: canister.certifiedData,
      globalTimer: canister.globalTimer,
      balance: canister.balance
    };
    canister.module = instance.module;
    canister.instance = instance;
    canister.stableMemory = new StableMemory();
    canister.certifiedData = EMPTY;
    canister.globalTimer = 0n;
    const failure = this.runHooks(canister, instance, requester, arg, 'canister_init');
    if (failure !== undefined) Object.assign(canister, previous);
    return failure;
  }

  private upgrade(
    canister: Canister,
    requester: Requester,
    instance: CanisterInstance,
    arg: Uint8Array,
    options: UpgradeOptions
  ): Rejection | undefined {
    const oldInstance = canister.instance;
    const previous = {
      module: canister.module,
      instance: oldInstance,
      certifiedData: canister.certifiedData,
      globalTimer: canister.globalTimer,
      balance: canister.balance
    };
    const revert = (rejection: Rejection): Rejection => {
      oldInstance?.rollback();
      canister.stableMemory.rollback();
      Object.assign(canister, previous);
      return rejection;
    };
    canister.stableMemory.checkpoint();
    canister.globalTimer = 0n;
    if (oldInstance !== undefined && options.skipPreUpgrade !== true && canister.module?.systemEntryPoints.has('canister_pre_upgrade')) {
      const outcome = executeEntryPoint(
        canister,
        oldInstance,
        this.hookContext(canister, 'G', requester, EMPTY),
        { exportName: 'canister_pre_upgrade' },
        'defer'
      );
      this.installInstructions += outcome.context.instructionsExecuted;
      if (outcome.trap !== undefined) return revert(trapRejection(canister.idText, outcome.trap));
      applyLocalEffects(canister, outcome.context);
    }
    canister.module = instance.module;
    canister.instance = instance;
    const failure = this.runHooks(canister, instance, requester, arg, 'canister_post_upgrade');
    if (failure !== undefined) return revert(failure);
    canister.stableMemory.release();
    return undefined;
  }

  /** Runs the start function and then `hook` (canister_init or canister_post_upgrade) on a fresh instance. */
  private runHooks(
    canister: Canister,
    instance: CanisterInstance,
    requester: Requester,
    arg: Uint8Array,
    hook: 'canister_init' | 'canister_post_upgrade'
  ): Rejection | undefined {
    const module = instance.module;
    const hooks: Array<{ mode: ApiMode; exportName: string; argument: Uint8Array }> = [];
    if (module.startExport !== undefined) hooks.push({ mode: 's', exportName: module.startExport, argument: EMPTY });
    if (module.systemEntryPoints.has(hook)) hooks.push({ mode: 'I', exportName: hook, argument: arg });
    for (const { mode, exportName, argument } of hooks) {
      const outcome = executeEntryPoint(canister, instance, this.hookContext(canister, mode, requester, argument), { exportName }, 'commit');
      this.installInstructions += outcome.context.instructionsExecuted;
      if (outcome.trap !== undefined) {
        canister.appendLog(new TextEncoder().encode(`[TRAP]: ${outcome.trap.detail}`), this.subnet.clock.now());
        return trapRejection(canister.idText, outcome.trap);
      }
      applyLocalEffects(canister, outcome.context);
    }
    return undefined;
  }

  private hookContext(canister: Canister, mode: ApiMode, requester: Requester, argument: Uint8Array) {
    return {
      mode,
      caller: requester.principal.toUint8Array(),
      argument,
      time: this.subnet.clock.now(),
      balance: canister.balance,
      globalTimer: canister.globalTimer,
      instructionsBefore: this.installInstructions
    };
  }

  private record(canister: Canister, requester: Requester, details: CanisterChange['details']): void {
    canister.recordChange({
      timestampNanos: this.subnet.clock.now(),
      canisterVersion: canister.version,
      origin: { kind: requester.isCanister ? 'canister' : 'user', principal: requester.principal },
      details
    });
  }
}

export function notAController(canister: Canister, sender: Principal): Rejection {
  return rejections.notAController(
    canister.idText,
    canister.settings.controllers.map((controller) => controller.toText()),
    sender.toText()
  );
}

function validateSettings(update: SettingsUpdate): Rejection | undefined {
  const invalid = (message: string): Rejection => rejectionWithErrorCode(ErrorCode.InvalidManagementPayload, message);
  if (update.controllers !== undefined && update.controllers.length > MAX_CONTROLLERS) {
    return invalid(`Invalid settings: at most ${MAX_CONTROLLERS} controllers are allowed, got ${update.controllers.length}.`);
  }
  if (update.computeAllocation !== undefined && update.computeAllocation > 100n) {
    return invalid(`Invalid settings: compute_allocation must be between 0 and 100, got ${update.computeAllocation}.`);
  }
  if (update.freezingThreshold !== undefined && update.freezingThreshold >= 1n << 64n) {
    return invalid('Invalid settings: freezing_threshold must be below 2^64.');
  }
  if (update.memoryAllocation !== undefined && update.memoryAllocation > 1n << 48n) {
    return invalid('Invalid settings: memory_allocation must be at most 2^48.');
  }
  return undefined;
}

function definedFields(update: SettingsUpdate): SettingsUpdate {
  return Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined)) as SettingsUpdate;
}

