import { Principal } from '@dfinity/principal';
import { sha256Of } from '../shared/bytes.js';
import { rejected, replied } from '../shared/call_result.js';
import { canisterCreationFee, isDelayedIngressFee } from '../costs/cycles.js';
import { chargeIngressInduction, ingressInduction } from '../runtime/cycles_account.js';
import { reportCycles } from '../runtime/cycles_log.js';
import { LocalIcError } from '../shared/errors.js';
import { rejectionWithErrorCode, ErrorCode, rejections, RejectCode, type Rejection } from '../shared/rejections.js';
import type { Canister, CanisterChangeDetails, LogVisibility } from '../state/canister.js';
import { principalKey } from '../shared/ids.js';
import type { Subnet } from '../subnet.js';
import { loadCanisterModule } from '../wasm/canister_module.js';
import * as Types from './candid_types.js';
import { isRejection, notAController, type CanisterLifecycle, type InstallMode, type Requester, type SettingsUpdate, type UpgradeOptions } from './lifecycle.js';
import { canisterStatus } from './status.js';
import { ThresholdMethods } from './threshold_methods.js';
import { CandidDecodeError, decode, emptyReply, reply, type ManagementCall, type ManagementOutcome } from './candid_codec.js';

export type { ManagementCall, ManagementOutcome } from './candid_codec.js';

type Handler = (call: ManagementCall, requester: Requester) => Promise<ManagementOutcome | 'deferred'> | ManagementOutcome | 'deferred';

const MAX_CHUNK_BYTES = 1024 * 1024;
const MAX_STORED_CHUNKS = 10_000;

/** Methods only canisters may call (interface spec, "The IC management canister"). */
const CANISTER_ONLY_METHODS: ReadonlySet<string> = new Set([
  'create_canister',
  'raw_rand',
  'deposit_cycles',
  'canister_info',
  'ecdsa_public_key',
  'sign_with_ecdsa',
  'schnorr_public_key',
  'sign_with_schnorr',
  'http_request'
]);

const UNSUPPORTED_METHODS: ReadonlySet<string> = new Set([
  'http_request',
  'flexible_http_request',
  'vetkd_public_key',
  'vetkd_derive_key',
  'bitcoin_get_utxos',
  'bitcoin_get_balance',
  'bitcoin_get_current_fee_percentiles',
  'bitcoin_send_transaction',
  'bitcoin_get_block_headers',
  'node_metrics_history',
  'subnet_info',
  'take_canister_snapshot',
  'load_canister_snapshot',
  'list_canister_snapshots',
  'delete_canister_snapshot',
  'read_canister_snapshot_metadata',
  'read_canister_snapshot_data',
  'upload_canister_snapshot_metadata',
  'upload_canister_snapshot_data'
]);

/** The management canister `aaaaa-aa`: decodes calls, checks permissions, and delegates the work. */
export class ManagementCanister {
  private readonly handlers: Readonly<Record<string, Handler>>;
  private readonly threshold: ThresholdMethods;

  constructor(
    private readonly subnet: Subnet,
    private readonly lifecycle: CanisterLifecycle
  ) {
    this.threshold = new ThresholdMethods(subnet.threshold);
    this.handlers = {
      create_canister: (call, requester) => this.createCanister(call, requester),
      provisional_create_canister_with_cycles: (call, requester) => this.provisionalCreateCanister(call, requester),
      provisional_top_up_canister: (call) => this.topUp(call),
      update_settings: (call, requester) => this.updateSettings(call, requester),
      install_code: (call, requester) => this.installCode(call, requester),
      install_chunked_code: (call, requester) => this.installChunkedCode(call, requester),
      upload_chunk: (call, requester) => this.uploadChunk(call, requester),
      clear_chunk_store: (call, requester) => this.clearChunkStore(call, requester),
      stored_chunks: (call, requester) => this.storedChunks(call, requester),
      uninstall_code: (call, requester) => this.uninstallCode(call, requester),
      start_canister: (call, requester) => this.startCanister(call, requester),
      stop_canister: (call, requester) => this.stopCanister(call, requester),
      canister_status: (call, requester) => this.canisterStatus(call, requester),
      canister_info: (call) => this.canisterInfo(call),
      delete_canister: (call, requester) => this.deleteCanister(call, requester),
      deposit_cycles: (call) => this.depositCycles(call),
      raw_rand: (call) => this.rawRand(call),
      ecdsa_public_key: (call) => this.threshold.ecdsaPublicKey(call),
      sign_with_ecdsa: (call) => this.threshold.signWithEcdsa(call),
      schnorr_public_key: (call) => this.threshold.schnorrPublicKey(call),
      sign_with_schnorr: (call) => this.threshold.signWithSchnorr(call)
    };
  }

  async handleCall(call: ManagementCall): Promise<ManagementOutcome | 'deferred'> {
    const reject = (rejection: Rejection): ManagementOutcome => ({ result: rejected(rejection), refund: call.cycles });
    if (call.viaIngress && CANISTER_ONLY_METHODS.has(call.method)) {
      return reject(
        rejectionWithErrorCode(ErrorCode.CanisterRejectedMessage, `Only canisters can call ic00 method ${call.method}`)
      );
    }
    if (UNSUPPORTED_METHODS.has(call.method)) {
      return reject({ rejectCode: RejectCode.CanisterReject, message: `The local IC does not support the management canister method ${call.method}` });
    }
    const handler = this.handlers[call.method];
    if (handler === undefined) return reject(rejections.unknownManagementMethod(call.method));
    const requester: Requester = { principal: Principal.fromUint8Array(call.caller), isCanister: !call.viaIngress, subnet: call.addressedSubnet };
    try {
      return this.withInjectedFault(call.method, await handler(call, requester));
    } catch (error) {
      if (error instanceof CandidDecodeError) return reject(rejections.invalidManagementPayload(error.message));
      throw error;
    }
  }

  /** A reply replaced by the test (LocalIc.replaceNextManagementReply); rejects and deferred answers pass. */
  private withInjectedFault(method: string, outcome: ManagementOutcome | 'deferred'): ManagementOutcome | 'deferred' {
    const injected = this.subnet.managementReplyFaults.get(method);
    if (injected === undefined || outcome === 'deferred' || outcome.result.kind !== 'replied') return outcome;
    this.subnet.managementReplyFaults.delete(method);
    return { ...outcome, result: replied(injected) };
  }

  private createCanister(call: ManagementCall, requester: Requester): ManagementOutcome {
    const [args] = decode<[{ settings: Types.Opt<Types.DecodedCanisterSettings> }]>([Types.CreateCanisterArgs], call.argument);
    const fee = canisterCreationFee(this.subnet.host(this.lifecycle.requesterSubnet(requester)).services.fees);
    if (call.cycles < fee) {
      return {
        result: rejected(
          rejectionWithErrorCode(
            ErrorCode.CanisterRejectedMessage,
            `Creating a canister requires a fee of ${fee} that is deducted from the canister's initial balance but only ${call.cycles} cycles were received with the create_canister request.`
          )
        ),
        refund: call.cycles
      };
    }
    const created = this.lifecycle.createCanister(requester, { settings: settingsUpdate(args.settings[0]), cycles: call.cycles - fee });
    if (isRejection(created)) return { result: rejected(created), refund: call.cycles };
    reportCycles({ canister: Principal.fromUint8Array(call.caller).toText(), category: 'canister_creation', cycles: fee, detail: created.idText });
    return reply(Types.CanisterIdRecord, { canister_id: created.id }, 0n);
  }

  private provisionalCreateCanister(call: ManagementCall, requester: Requester): ManagementOutcome {
    const [args] = decode<[{ amount: Types.Opt<bigint>; settings: Types.Opt<Types.DecodedCanisterSettings>; specified_id: Types.Opt<Principal> }]>(
      [Types.ProvisionalCreateCanisterArgs],
      call.argument
    );
    const created = this.lifecycle.createCanister(requester, {
      settings: settingsUpdate(args.settings[0]),
      cycles: args.amount[0] ?? DEFAULT_PROVISIONAL_CYCLES,
      specifiedId: args.specified_id[0]
    });
    if (isRejection(created)) return { result: rejected(created), refund: call.cycles };
    return reply(Types.CanisterIdRecord, { canister_id: created.id }, call.cycles);
  }

  private topUp(call: ManagementCall): ManagementOutcome {
    const [args] = decode<[{ canister_id: Principal; amount: bigint }]>([Types.ProvisionalTopUpArgs], call.argument);
    const canister = this.subnet.canister(args.canister_id);
    if (canister === undefined) return this.rejectWith(call, rejections.canisterNotFound(args.canister_id.toText()));
    canister.balance += args.amount;
    return emptyReply(call.cycles);
  }

  private updateSettings(call: ManagementCall, requester: Requester): ManagementOutcome {
    const [args] = decode<[{ canister_id: Principal; settings: Types.DecodedCanisterSettings }]>([Types.UpdateSettingsArgs], call.argument);
    const canister = this.lifecycle.requireController(args.canister_id, requester);
    if (isRejection(canister)) return this.rejectWith(call, canister);
    const failure = this.lifecycle.updateSettings(canister, requester, settingsUpdate(args.settings) ?? {});
    if (failure !== undefined) return this.rejectWith(call, failure);
    if (call.viaIngress && isDelayedIngressFee(call.method, call.argument)) chargeDelayedIngressFee(canister, call);
    return emptyReply(call.cycles);
  }

  private async installCode(call: ManagementCall, requester: Requester): Promise<ManagementOutcome> {
    const [args] = decode<[Types.DecodedInstallCodeArgs]>([Types.InstallCodeArgs], call.argument);
    return this.install(call, requester, args.canister_id, args.wasm_module, args.arg, args.mode);
  }

  private async installChunkedCode(call: ManagementCall, requester: Requester): Promise<ManagementOutcome> {
    const [args] = decode<[Types.DecodedInstallChunkedCodeArgs]>([Types.InstallChunkedCodeArgs], call.argument);
    const storeId = args.store_canister[0] ?? args.target_canister;
    const store = this.subnet.canister(storeId);
    if (store === undefined) return this.rejectWith(call, rejections.canisterNotFound(storeId.toText()));
    if (!store.isController(requester.principal) && store.key !== principalKey(requester.principal)) {
      return this.rejectWith(call, notAController(store, requester.principal));
    }
    const chunks: Uint8Array[] = [];
    for (const { hash } of args.chunk_hashes_list) {
      const chunk = store.chunkStore.get(Buffer.from(hash).toString('hex'));
      if (chunk === undefined) {
        return this.rejectWith(call, { rejectCode: RejectCode.CanisterReject, message: `Wasm chunk ${Buffer.from(hash).toString('hex')} not found in the chunk store of canister ${store.idText}` });
      }
      chunks.push(chunk);
    }
    const wasm = Buffer.concat(chunks);
    const hash = sha256Of(wasm);
    if (Buffer.compare(Buffer.from(hash), Buffer.from(args.wasm_module_hash)) !== 0) {
      return this.rejectWith(call, {
        rejectCode: RejectCode.CanisterReject,
        message: `Wasm module hash ${Buffer.from(hash).toString('hex')} does not match the given hash ${Buffer.from(args.wasm_module_hash).toString('hex')}`
      });
    }
    return this.install(call, requester, args.target_canister, new Uint8Array(wasm), args.arg, args.mode);
  }

  private async install(
    call: ManagementCall,
    requester: Requester,
    canisterId: Principal,
    wasm: Uint8Array,
    arg: Uint8Array,
    decodedMode: Types.DecodedInstallMode
  ): Promise<ManagementOutcome> {
    const before = this.lifecycle.requireController(canisterId, requester);
    if (isRejection(before)) return this.rejectWith(call, before);
    let module;
    try {
      module = await loadCanisterModule(wasm);
    } catch (error) {
      if (error instanceof LocalIcError) return this.rejectWith(call, rejections.invalidWasm(canisterId.toText(), error.message));
      throw error;
    }
    // Look the canister up again: it may have changed while the module compiled.
    const canister = this.lifecycle.requireController(canisterId, requester);
    if (isRejection(canister)) return this.rejectWith(call, canister);
    const { mode, upgradeOptions } = installModeOf(decodedMode);
    const failure = this.lifecycle.installCode(canister, requester, module, arg, mode, upgradeOptions);
    return failure === undefined ? emptyReply(call.cycles) : this.rejectWith(call, failure);
  }

  private uploadChunk(call: ManagementCall, requester: Requester): ManagementOutcome {
    const [args] = decode<[{ canister_id: Principal; chunk: Uint8Array }]>([Types.UploadChunkArgs], call.argument);
    const canister = this.chunkStoreOwner(args.canister_id, requester);
    if (isRejection(canister)) return this.rejectWith(call, canister);
    if (args.chunk.length > MAX_CHUNK_BYTES) {
      return this.rejectWith(call, { rejectCode: RejectCode.CanisterReject, message: `Wasm chunk size ${args.chunk.length} exceeds the maximum of ${MAX_CHUNK_BYTES} bytes` });
    }
    if (canister.chunkStore.size >= MAX_STORED_CHUNKS) {
      return this.rejectWith(call, { rejectCode: RejectCode.CanisterReject, message: `The chunk store of canister ${canister.idText} is full` });
    }
    const hash = sha256Of(args.chunk);
    canister.chunkStore.set(Buffer.from(hash).toString('hex'), args.chunk.slice());
    return reply(Types.UploadChunkResult, { hash }, call.cycles);
  }

  private clearChunkStore(call: ManagementCall, requester: Requester): ManagementOutcome {
    const [args] = decode<[{ canister_id: Principal }]>([Types.CanisterIdRecord], call.argument);
    const canister = this.chunkStoreOwner(args.canister_id, requester);
    if (isRejection(canister)) return this.rejectWith(call, canister);
    canister.chunkStore.clear();
    return emptyReply(call.cycles);
  }

  private storedChunks(call: ManagementCall, requester: Requester): ManagementOutcome {
    const [args] = decode<[{ canister_id: Principal }]>([Types.CanisterIdRecord], call.argument);
    const canister = this.chunkStoreOwner(args.canister_id, requester);
    if (isRejection(canister)) return this.rejectWith(call, canister);
    const hashes = [...canister.chunkStore.keys()].map((hex) => ({ hash: new Uint8Array(Buffer.from(hex, 'hex')) }));
    return reply(Types.StoredChunksResult, hashes, call.cycles);
  }

  private uninstallCode(call: ManagementCall, requester: Requester): ManagementOutcome {
    const [args] = decode<[{ canister_id: Principal }]>([Types.UninstallCodeArgs], call.argument);
    const canister = this.lifecycle.requireController(args.canister_id, requester);
    if (isRejection(canister)) return this.rejectWith(call, canister);
    this.lifecycle.uninstallCode(canister, requester);
    return emptyReply(call.cycles);
  }

  private startCanister(call: ManagementCall, requester: Requester): ManagementOutcome {
    const [args] = decode<[{ canister_id: Principal }]>([Types.CanisterIdRecord], call.argument);
    const canister = this.lifecycle.requireController(args.canister_id, requester);
    if (isRejection(canister)) return this.rejectWith(call, canister);
    this.lifecycle.startCanister(canister);
    return emptyReply(call.cycles);
  }

  private stopCanister(call: ManagementCall, requester: Requester): ManagementOutcome | 'deferred' {
    const [args] = decode<[{ canister_id: Principal }]>([Types.CanisterIdRecord], call.argument);
    const canister = this.lifecycle.requireController(args.canister_id, requester);
    if (isRejection(canister)) return this.rejectWith(call, canister);
    const stoppedNow = this.lifecycle.stopCanister(canister, () =>
      call.respondLater(
        canister.status === 'stopped'
          ? emptyReply(call.cycles)
          : {
              result: rejected(rejectionWithErrorCode(ErrorCode.CanisterStopping, `Canister ${canister.idText} was started before it could stop`)),
              refund: call.cycles
            }
      )
    );
    return stoppedNow ? emptyReply(call.cycles) : 'deferred';
  }

  private canisterStatus(call: ManagementCall, requester: Requester): ManagementOutcome {
    const [args] = decode<[{ canister_id: Principal }]>([Types.CanisterIdRecord], call.argument);
    const canister = this.subnet.canister(args.canister_id);
    if (canister === undefined) return this.rejectWith(call, rejections.canisterNotFound(args.canister_id.toText()));
    if (!canister.isController(requester.principal) && canister.key !== principalKey(call.caller)) {
      return this.rejectWith(call, notAController(canister, requester.principal));
    }
    return reply(Types.CanisterStatusResult, canisterStatus(canister), call.cycles);
  }

  private canisterInfo(call: ManagementCall): ManagementOutcome {
    const [args] = decode<[{ canister_id: Principal; num_requested_changes: Types.Opt<bigint> }]>([Types.CanisterInfoArgs], call.argument);
    const canister = this.subnet.canister(args.canister_id);
    if (canister === undefined) return this.rejectWith(call, rejections.canisterNotFound(args.canister_id.toText()));
    const requested = Number(args.num_requested_changes[0] ?? 0n);
    const changes = requested === 0 ? [] : canister.history.slice(-requested);
    return reply(
      Types.CanisterInfoResult,
      {
        total_num_changes: canister.totalChanges,
        recent_changes: changes.map((change) => ({
          timestamp_nanos: change.timestampNanos,
          canister_version: change.canisterVersion,
          origin:
            change.origin.kind === 'user'
              ? { from_user: { user_id: change.origin.principal } }
              : { from_canister: { canister_id: change.origin.principal, canister_version: [] } },
          details: changeDetails(change.details)
        })),
        module_hash: canister.module === undefined ? [] : [canister.module.hash],
        controllers: canister.settings.controllers
      },
      call.cycles
    );
  }

  private deleteCanister(call: ManagementCall, requester: Requester): ManagementOutcome {
    const [args] = decode<[{ canister_id: Principal }]>([Types.CanisterIdRecord], call.argument);
    const canister = this.lifecycle.requireController(args.canister_id, requester);
    if (isRejection(canister)) return this.rejectWith(call, canister);
    const failure = this.lifecycle.deleteCanister(canister);
    return failure === undefined ? emptyReply(call.cycles) : this.rejectWith(call, failure);
  }

  private depositCycles(call: ManagementCall): ManagementOutcome {
    const [args] = decode<[{ canister_id: Principal }]>([Types.CanisterIdRecord], call.argument);
    const canister = this.subnet.canister(args.canister_id);
    if (canister === undefined) return this.rejectWith(call, rejections.canisterNotFound(args.canister_id.toText()));
    canister.balance += call.cycles;
    return emptyReply(0n);
  }

  private rawRand(call: ManagementCall): ManagementOutcome {
    decode<[]>([], call.argument);
    return reply(Types.RawRandResult, this.subnet.random.next32Bytes(), call.cycles);
  }

  private chunkStoreOwner(canisterId: Principal, requester: Requester): Canister | Rejection {
    const canister = this.subnet.canister(canisterId);
    if (canister === undefined) return rejections.canisterNotFound(canisterId.toText());
    if (!canister.isController(requester.principal) && canister.key !== principalKey(requester.principal)) {
      return notAController(canister, requester.principal);
    }
    return canister;
  }

  private rejectWith(call: ManagementCall, rejection: Rejection): ManagementOutcome {
    return { result: rejected(rejection), refund: call.cycles };
  }
}

/** Cycles a provisionally created canister gets when the request names no amount (as the replica's default). */
export const DEFAULT_PROVISIONAL_CYCLES = 100_000_000_000_000n;

export function installModeOf(mode: Types.DecodedInstallMode): { mode: InstallMode; upgradeOptions: UpgradeOptions } {
  if ('install' in mode) return { mode: 'install', upgradeOptions: {} };
  if ('reinstall' in mode) return { mode: 'reinstall', upgradeOptions: {} };
  const options = mode.upgrade[0];
  const persistence = options?.wasm_memory_persistence[0];
  return {
    mode: 'upgrade',
    upgradeOptions: {
      skipPreUpgrade: options?.skip_pre_upgrade[0] ?? false,
      keepWasmMemory: persistence !== undefined && 'keep' in persistence
    }
  };
}

export function settingsUpdate(settings: Types.DecodedCanisterSettings | undefined): SettingsUpdate | undefined {
  if (settings === undefined) return undefined;
  const logVisibility = settings.log_visibility[0];
  return {
    controllers: settings.controllers[0],
    computeAllocation: settings.compute_allocation[0],
    memoryAllocation: settings.memory_allocation[0],
    freezingThreshold: settings.freezing_threshold[0],
    reservedCyclesLimit: settings.reserved_cycles_limit[0],
    logVisibility: logVisibility === undefined ? undefined : logVisibilityOf(logVisibility),
    wasmMemoryLimit: settings.wasm_memory_limit[0],
    wasmMemoryThreshold: settings.wasm_memory_threshold[0],
    environmentVariables: settings.environment_variables[0]?.map(({ name, value }): [string, string] => [name, value])
  };
}

function logVisibilityOf(value: { controllers: null } | { public: null } | { allowed_viewers: Principal[] }): LogVisibility {
  if ('controllers' in value) return { kind: 'controllers' };
  if ('public' in value) return { kind: 'public' };
  return { kind: 'allowed_viewers', viewers: value.allowed_viewers };
}

function changeDetails(details: CanisterChangeDetails): unknown {
  switch (details.kind) {
    case 'creation':
      return { creation: { controllers: details.controllers, environment_variables_hash: [] } };
    case 'code_uninstall':
      return { code_uninstall: null };
    case 'code_deployment':
      return { code_deployment: { mode: { [details.mode]: null }, module_hash: details.moduleHash } };
    case 'controllers_change':
      return { controllers_change: { controllers: details.controllers } };
  }
}

/**
 * The induction fee of a small update_settings ingress message, charged once the new settings
 * apply (a lower freezing threshold may have thawed the canister), by the method name's and the
 * argument's bytes; a canister that still cannot pay it above its freezing limit pays nothing,
 * as on the replica.
 */
function chargeDelayedIngressFee(canister: Canister, call: ManagementCall): void {
  const induction = ingressInduction(canister, Buffer.byteLength(call.method) + call.argument.length, false);
  if (induction.ok) chargeIngressInduction(canister, induction.fee, call.method);
}
