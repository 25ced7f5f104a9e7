import { concatBytes } from '../bytes.js';
import {
  callCost,
  canisterCreationFee,
  cyclesFromHighLow,
  httpRequestCost,
  MAX_CYCLES,
  requestTransmissionFee,
  responseReservation,
  writeCycles128,
  type FeeSchedule
} from '../cycles.js';
import { MAX_PRINCIPAL_LENGTH } from '../ids.js';
import { describeMode, isReplicatedMode, SYSTEM_API_MODES } from './api_modes.js';
import type { CallUnderConstruction, ExecutionContext } from './execution_context.js';
import type { StableMemory } from './stable_memory.js';
import { CanisterTrap } from './traps.js';

/** Largest argument of an inter-canister call, and largest reply (interface spec resource limits). */
export const MAX_INTER_CANISTER_PAYLOAD_BYTES = 2 * 1024 * 1024;
export const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
/** `MAX_CALL_TIMEOUT` for bounded-wait calls, in seconds. */
export const MAX_CALL_TIMEOUT_SECONDS = 300;
const MAX_CERTIFIED_DATA_BYTES = 32;
const STABLE_32_BIT_LIMIT_PAGES = 65_536;
const MAX_U64 = (1n << 64n) - 1n;

export type SigningScheme = 'ecdsa' | 'schnorr';
export type SchnorrAlgorithmName = 'ed25519' | 'bip340secp256k1';

/** What the System API needs to know about the canister it runs for. */
export interface SystemApiEnvironment {
  readonly canisterId: Uint8Array;
  readonly subnetId: Uint8Array;
  readonly stableMemory: StableMemory;
  readonly fees: FeeSchedule;
  /** 1 running, 2 stopping, 3 stopped. */
  runStatus(): number;
  canisterVersion(): bigint;
  isController(principal: Uint8Array): boolean;
  /** Cycles the canister must keep to not be frozen, given its current size. */
  freezingLimit(): bigint;
  environmentVariables(): ReadonlyArray<readonly [string, string]>;
  /** Undefined when the key name is unknown. */
  signingFee(scheme: SigningScheme, keyName: string, algorithm?: SchnorrAlgorithmName): bigint | undefined;
  debugPrint(message: Uint8Array): void;
}

type HostFunction = (...args: never[]) => number | bigint | void;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const lenientDecoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/**
 * The `ic0` imports of one canister instance. The instance's memory is
 * attached after instantiation; `execution` is set for each entry-point call.
 */
export class SystemApi {
  execution: ExecutionContext | undefined;
  private memory: WebAssembly.Memory | undefined;
  readonly imports: Record<string, HostFunction>;

  constructor(private readonly env: SystemApiEnvironment) {
    this.imports = this.buildImports();
  }

  attachMemory(memory: WebAssembly.Memory | undefined): void {
    this.memory = memory;
  }

  private heap(): Uint8Array {
    return this.memory === undefined ? new Uint8Array(0) : new Uint8Array(this.memory.buffer);
  }

  private context(name: string): ExecutionContext {
    const context = this.execution;
    if (context === undefined) throw CanisterTrap.contractViolation(`"ic0_${name}" was called outside of a message execution`);
    const allowed = SYSTEM_API_MODES[name];
    if (allowed !== undefined && !allowed.has(context.mode)) {
      throw CanisterTrap.contractViolation(`"ic0_${name}" cannot be executed in ${describeMode(context.mode)} mode`);
    }
    return context;
  }

  private checkHeapRange(name: string, pointer: number, size: number): Uint8Array {
    const heap = this.heap();
    if (pointer + size > heap.length) {
      throw CanisterTrap.contractViolation(
        `ic0.${name}: the memory range [${pointer}, ${pointer + size}) is outside the Wasm memory of ${heap.length} bytes`
      );
    }
    return heap;
  }

  /** Copies `size` bytes out of the Wasm memory. */
  private readHeap(name: string, src: number, size: number): Uint8Array {
    return this.checkHeapRange(name, src, size).slice(src, src + size);
  }

  private writeHeap(name: string, dst: number, data: Uint8Array): void {
    this.checkHeapRange(name, dst, data.length).set(data, dst);
  }

  private writeCycles(name: string, dst: number, amount: bigint): void {
    writeCycles128(this.checkHeapRange(name, dst, 16), dst, amount);
  }

  /** The `*_copy` idiom: copies `source[offset, offset + size)` to `memory[dst, dst + size)`. */
  private copyOut(name: string, what: string, source: Uint8Array, dst: number, offset: number, size: number): void {
    if (offset + size > source.length) {
      throw CanisterTrap.contractViolation(`ic0.${name}: offset ${offset} + size ${size} exceeds the ${what} of ${source.length} bytes`);
    }
    this.writeHeap(name, dst, source.subarray(offset, offset + size));
  }

  private requireResponder(name: string, context: ExecutionContext): void {
    if (context.callContext === undefined || !context.callContext.canRespond || context.response !== undefined) {
      throw CanisterTrap.contractViolation(`ic0.${name}: the current call has already been responded to or needs no response`);
    }
  }

  private cyclesAvailable(context: ExecutionContext): bigint {
    const callContext = context.callContext;
    if (callContext === undefined || !callContext.canRespond || context.response !== undefined) return 0n;
    return callContext.cyclesAvailable - context.cyclesAccepted;
  }

  private acceptCycles(context: ExecutionContext, maxAmount: bigint): bigint {
    const available = this.cyclesAvailable(context);
    const accepted = maxAmount < available ? maxAmount : available;
    context.cyclesAccepted += accepted;
    context.balance += accepted;
    return accepted;
  }

  private liquidBalance(context: ExecutionContext): bigint {
    const liquid = context.balance - this.env.freezingLimit();
    return liquid > 0n ? liquid : 0n;
  }

  private pendingCall(name: string, context: ExecutionContext): CallUnderConstruction {
    if (context.pendingCall === undefined) {
      throw CanisterTrap.contractViolation(`ic0.${name} called when no call is under construction (call ic0.call_new first)`);
    }
    return context.pendingCall;
  }

  private addCallCycles(context: ExecutionContext, amount: bigint): void {
    const call = this.pendingCall('call_cycles_add128', context);
    const liquid = this.liquidBalance(context);
    if (amount > liquid) throw new CanisterTrap('insufficient_cycles_in_call', 'insufficient cycles', { requested: amount, available: liquid });
    context.balance -= amount;
    call.cycles += amount;
  }

  private discardPendingCall(context: ExecutionContext): void {
    if (context.pendingCall === undefined) return;
    context.balance += context.pendingCall.cycles;
    context.pendingCall = undefined;
  }

  private stableRange(name: string, offset: bigint, size: bigint): void {
    if (offset + size > BigInt(this.env.stableMemory.sizeInBytes)) {
      throw new CanisterTrap('wasm_trap', `stable memory out of bounds (ic0.${name} at offset ${offset} with size ${size})`);
    }
  }

  private require32BitStableMemory(name: string): void {
    if (this.env.stableMemory.sizeInPages > STABLE_32_BIT_LIMIT_PAGES) {
      throw new CanisterTrap('wasm_trap', `32 bit stable memory api (ic0.${name}) used on a memory larger than 4GB`);
    }
  }

  private stableWrite(name: string, offset: bigint, src: bigint, size: bigint): void {
    this.stableRange(name, offset, size);
    const heap = this.checkHeapRange(name, Number(src), Number(size));
    this.env.stableMemory.write(Number(offset), heap.subarray(Number(src), Number(src + size)));
  }

  private stableRead(name: string, dst: bigint, offset: bigint, size: bigint): void {
    this.stableRange(name, offset, size);
    const heap = this.checkHeapRange(name, Number(dst), Number(size));
    this.env.stableMemory.read(Number(offset), heap.subarray(Number(dst), Number(dst + size)));
  }

  private readUtf8(name: string, src: number, size: number, what: string): string {
    const bytes = this.readHeap(name, src, size);
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      throw CanisterTrap.contractViolation(`ic0.${name}: the ${what} is not valid UTF-8`);
    }
  }

  private environmentVariableValue(name: string, nameSrc: number, nameSize: number): Uint8Array {
    const variable = this.readUtf8(name, nameSrc, nameSize, 'environment variable name');
    const entry = this.env.environmentVariables().find(([key]) => key === variable);
    if (entry === undefined) throw CanisterTrap.contractViolation(`ic0.${name}: no environment variable named '${variable}'`);
    return utf8Encoder.encode(entry[1]);
  }

  private environmentVariableName(name: string, index: number): Uint8Array {
    const entry = this.env.environmentVariables()[index];
    if (entry === undefined) throw CanisterTrap.contractViolation(`ic0.${name}: environment variable index ${index} is out of bounds`);
    return utf8Encoder.encode(entry[0]);
  }

  private signingCost(name: string, scheme: SigningScheme, src: number, size: number, dst: number, algorithm?: SchnorrAlgorithmName): number {
    this.checkHeapRange(name, dst, 16);
    const keyName = lenientDecoder.decode(this.readHeap(name, src, size));
    const fee = this.env.signingFee(scheme, keyName, algorithm);
    if (fee === undefined) return 2;
    this.writeCycles(name, dst, fee);
    return 0;
  }

  private buildImports(): Record<string, HostFunction> {
    const u32 = (value: number): number => value >>> 0;
    const u64 = (value: bigint): bigint => BigInt.asUintN(64, value);
    const i64 = (value: bigint): bigint => BigInt.asIntN(64, value);
    const to64 = (name: string, amount: bigint): bigint => {
      if (amount > MAX_U64) throw new CanisterTrap('wasm_trap', `cycles amount exceeds 64-bit representation (ic0.${name})`);
      return i64(amount);
    };

    return {
      msg_arg_data_size: () => this.context('msg_arg_data_size').argument.length,
      msg_arg_data_copy: (dst: number, offset: number, size: number) =>
        this.copyOut('msg_arg_data_copy', 'argument', this.context('msg_arg_data_copy').argument, u32(dst), u32(offset), u32(size)),
      msg_caller_size: () => this.context('msg_caller_size').caller.length,
      msg_caller_copy: (dst: number, offset: number, size: number) =>
        this.copyOut('msg_caller_copy', 'caller', this.context('msg_caller_copy').caller, u32(dst), u32(offset), u32(size)),
      msg_reject_code: () => this.context('msg_reject_code').rejectCode,
      msg_reject_msg_size: () => utf8Encoder.encode(this.context('msg_reject_msg_size').rejectMessage ?? '').length,
      msg_reject_msg_copy: (dst: number, offset: number, size: number) =>
        this.copyOut(
          'msg_reject_msg_copy',
          'reject message',
          utf8Encoder.encode(this.context('msg_reject_msg_copy').rejectMessage ?? ''),
          u32(dst),
          u32(offset),
          u32(size)
        ),
      msg_deadline: () => i64(this.context('msg_deadline').callContext?.deadline ?? 0n),

      msg_reply_data_append: (src: number, size: number) => {
        const context = this.context('msg_reply_data_append');
        this.requireResponder('msg_reply_data_append', context);
        if (context.replySize + u32(size) > MAX_RESPONSE_BYTES) {
          throw CanisterTrap.contractViolation(`ic0.msg_reply_data_append: the reply would exceed the maximum of ${MAX_RESPONSE_BYTES} bytes`);
        }
        context.replyChunks.push(this.readHeap('msg_reply_data_append', u32(src), u32(size)));
        context.replySize += u32(size);
      },
      msg_reply: () => {
        const context = this.context('msg_reply');
        this.requireResponder('msg_reply', context);
        context.response = { kind: 'reply', data: concatBytes(context.replyChunks, context.replySize) };
        context.replyChunks = [];
        context.replySize = 0;
      },
      msg_reject: (src: number, size: number) => {
        const context = this.context('msg_reject');
        this.requireResponder('msg_reject', context);
        const message = this.readUtf8('msg_reject', u32(src), u32(size), 'reject message');
        context.response = { kind: 'reject', message };
        context.replyChunks = [];
        context.replySize = 0;
      },

      msg_cycles_available128: (dst: number) => {
        const context = this.context('msg_cycles_available128');
        this.writeCycles('msg_cycles_available128', u32(dst), this.cyclesAvailable(context));
      },
      msg_cycles_available: () => to64('msg_cycles_available', this.cyclesAvailable(this.context('msg_cycles_available'))),
      msg_cycles_refunded128: (dst: number) =>
        this.writeCycles('msg_cycles_refunded128', u32(dst), this.context('msg_cycles_refunded128').cyclesRefunded),
      msg_cycles_refunded: () => to64('msg_cycles_refunded', this.context('msg_cycles_refunded').cyclesRefunded),
      msg_cycles_accept128: (high: bigint, low: bigint, dst: number) => {
        const context = this.context('msg_cycles_accept128');
        this.checkHeapRange('msg_cycles_accept128', u32(dst), 16);
        this.writeCycles('msg_cycles_accept128', u32(dst), this.acceptCycles(context, cyclesFromHighLow(high, low)));
      },
      msg_cycles_accept: (maxAmount: bigint) => i64(this.acceptCycles(this.context('msg_cycles_accept'), u64(maxAmount))),
      cycles_burn128: (high: bigint, low: bigint, dst: number) => {
        const context = this.context('cycles_burn128');
        this.checkHeapRange('cycles_burn128', u32(dst), 16);
        const requested = cyclesFromHighLow(high, low);
        const liquid = this.liquidBalance(context);
        const burned = requested < liquid ? requested : liquid;
        context.balance -= burned;
        context.cyclesBurned += burned;
        this.writeCycles('cycles_burn128', u32(dst), burned);
      },

      canister_self_size: () => {
        this.context('canister_self_size');
        return this.env.canisterId.length;
      },
      canister_self_copy: (dst: number, offset: number, size: number) => {
        this.context('canister_self_copy');
        this.copyOut('canister_self_copy', 'canister id', this.env.canisterId, u32(dst), u32(offset), u32(size));
      },
      canister_cycle_balance128: (dst: number) =>
        this.writeCycles('canister_cycle_balance128', u32(dst), this.context('canister_cycle_balance128').balance),
      canister_cycle_balance: () => to64('canister_cycle_balance', this.context('canister_cycle_balance').balance),
      canister_liquid_cycle_balance128: (dst: number) =>
        this.writeCycles(
          'canister_liquid_cycle_balance128',
          u32(dst),
          this.liquidBalance(this.context('canister_liquid_cycle_balance128'))
        ),
      canister_status: () => {
        this.context('canister_status');
        return this.env.runStatus();
      },
      canister_version: () => {
        this.context('canister_version');
        return i64(this.env.canisterVersion());
      },
      subnet_self_size: () => {
        this.context('subnet_self_size');
        return this.env.subnetId.length;
      },
      subnet_self_copy: (dst: number, offset: number, size: number) => {
        this.context('subnet_self_copy');
        this.copyOut('subnet_self_copy', 'subnet id', this.env.subnetId, u32(dst), u32(offset), u32(size));
      },

      msg_method_name_size: () => utf8Encoder.encode(this.context('msg_method_name_size').methodName ?? '').length,
      msg_method_name_copy: (dst: number, offset: number, size: number) =>
        this.copyOut(
          'msg_method_name_copy',
          'method name',
          utf8Encoder.encode(this.context('msg_method_name_copy').methodName ?? ''),
          u32(dst),
          u32(offset),
          u32(size)
        ),
      accept_message: () => {
        const context = this.context('accept_message');
        if (context.messageAccepted) throw CanisterTrap.contractViolation('ic0.accept_message was called twice');
        context.messageAccepted = true;
      },

      call_new: (
        calleeSrc: number,
        calleeSize: number,
        nameSrc: number,
        nameSize: number,
        replyFun: number,
        replyEnv: number,
        rejectFun: number,
        rejectEnv: number
      ) => {
        const context = this.context('call_new');
        this.discardPendingCall(context);
        const callee = this.readHeap('call_new', u32(calleeSrc), u32(calleeSize));
        if (callee.length > MAX_PRINCIPAL_LENGTH) {
          throw CanisterTrap.contractViolation(`ic0.call_new: the callee is ${callee.length} bytes long, not a valid principal`);
        }
        const method = this.readUtf8('call_new', u32(nameSrc), u32(nameSize), 'method name');
        context.pendingCall = {
          callee,
          method,
          reply: { fun: u32(replyFun), env: u32(replyEnv) },
          reject: { fun: u32(rejectFun), env: u32(rejectEnv) },
          cleanup: undefined,
          payloadChunks: [],
          payloadSize: 0,
          cycles: 0n,
          timeoutSeconds: undefined
        };
      },
      call_on_cleanup: (fun: number, env: number) => {
        const call = this.pendingCall('call_on_cleanup', this.context('call_on_cleanup'));
        if (call.cleanup !== undefined) throw CanisterTrap.contractViolation('ic0.call_on_cleanup may be called at most once per call');
        call.cleanup = { fun: u32(fun), env: u32(env) };
      },
      call_data_append: (src: number, size: number) => {
        const call = this.pendingCall('call_data_append', this.context('call_data_append'));
        if (call.payloadSize + u32(size) > MAX_INTER_CANISTER_PAYLOAD_BYTES) {
          throw CanisterTrap.contractViolation(
            `ic0.call_data_append: the call argument would exceed the maximum of ${MAX_INTER_CANISTER_PAYLOAD_BYTES} bytes`
          );
        }
        call.payloadChunks.push(this.readHeap('call_data_append', u32(src), u32(size)));
        call.payloadSize += u32(size);
      },
      call_with_best_effort_response: (timeoutSeconds: number) => {
        const call = this.pendingCall('call_with_best_effort_response', this.context('call_with_best_effort_response'));
        if (call.timeoutSeconds !== undefined) {
          throw CanisterTrap.contractViolation('ic0.call_with_best_effort_response may be called at most once per call');
        }
        call.timeoutSeconds = Math.min(u32(timeoutSeconds), MAX_CALL_TIMEOUT_SECONDS);
      },
      call_cycles_add128: (high: bigint, low: bigint) =>
        this.addCallCycles(this.context('call_cycles_add128'), cyclesFromHighLow(high, low)),
      call_cycles_add: (amount: bigint) => this.addCallCycles(this.context('call_cycles_add'), u64(amount)),
      call_perform: () => {
        const context = this.context('call_perform');
        const call = this.pendingCall('call_perform', context);
        const methodBytes = utf8Encoder.encode(call.method).length;
        const fee = requestTransmissionFee(this.env.fees, methodBytes, call.payloadSize);
        const reservation = responseReservation(this.env.fees);
        if (context.balance - fee - reservation < this.env.freezingLimit()) {
          // Would freeze the canister: the call is not performed (SYS_FATAL-like error code 2).
          this.discardPendingCall(context);
          return 2;
        }
        context.balance -= fee + reservation;
        context.performedCalls.push({
          callee: call.callee,
          method: call.method,
          payload: concatBytes(call.payloadChunks, call.payloadSize),
          cycles: call.cycles,
          reply: call.reply,
          reject: call.reject,
          cleanup: call.cleanup,
          timeoutSeconds: call.timeoutSeconds,
          reservation
        });
        context.pendingCall = undefined;
        return 0;
      },

      stable64_size: () => {
        this.context('stable64_size');
        return BigInt(this.env.stableMemory.sizeInPages);
      },
      stable64_grow: (newPages: bigint) => {
        this.context('stable64_grow');
        const pages = u64(newPages);
        if (pages > BigInt(Number.MAX_SAFE_INTEGER)) return -1n;
        return BigInt(this.env.stableMemory.grow(Number(pages)));
      },
      stable64_write: (offset: bigint, src: bigint, size: bigint) => {
        this.context('stable64_write');
        this.stableWrite('stable64_write', u64(offset), u64(src), u64(size));
      },
      stable64_read: (dst: bigint, offset: bigint, size: bigint) => {
        this.context('stable64_read');
        this.stableRead('stable64_read', u64(dst), u64(offset), u64(size));
      },
      stable_size: () => {
        this.context('stable_size');
        this.require32BitStableMemory('stable_size');
        return this.env.stableMemory.sizeInPages;
      },
      stable_grow: (newPages: number) => {
        this.context('stable_grow');
        this.require32BitStableMemory('stable_grow');
        const current = this.env.stableMemory.sizeInPages;
        if (current + u32(newPages) > STABLE_32_BIT_LIMIT_PAGES) return -1;
        return this.env.stableMemory.grow(u32(newPages));
      },
      stable_write: (offset: number, src: number, size: number) => {
        this.context('stable_write');
        this.require32BitStableMemory('stable_write');
        this.stableWrite('stable_write', BigInt(u32(offset)), BigInt(u32(src)), BigInt(u32(size)));
      },
      stable_read: (dst: number, offset: number, size: number) => {
        this.context('stable_read');
        this.require32BitStableMemory('stable_read');
        this.stableRead('stable_read', BigInt(u32(dst)), BigInt(u32(offset)), BigInt(u32(size)));
      },

      certified_data_set: (src: number, size: number) => {
        const context = this.context('certified_data_set');
        if (u32(size) > MAX_CERTIFIED_DATA_BYTES) {
          throw CanisterTrap.contractViolation(
            `ic0_certified_data_set failed because the passed data must be no larger than ${MAX_CERTIFIED_DATA_BYTES} bytes. Found ${u32(size)} bytes.`
          );
        }
        context.certifiedData = this.readHeap('certified_data_set', u32(src), u32(size));
      },
      data_certificate_present: () => (this.context('data_certificate_present').dataCertificate === undefined ? 0 : 1),
      data_certificate_size: () => {
        const certificate = this.context('data_certificate_size').dataCertificate;
        if (certificate === undefined) throw CanisterTrap.contractViolation('ic0.data_certificate_size: no certificate is present');
        return certificate.length;
      },
      data_certificate_copy: (dst: number, offset: number, size: number) => {
        const certificate = this.context('data_certificate_copy').dataCertificate;
        if (certificate === undefined) throw CanisterTrap.contractViolation('ic0.data_certificate_copy: no certificate is present');
        this.copyOut('data_certificate_copy', 'certificate', certificate, u32(dst), u32(offset), u32(size));
      },

      time: () => i64(this.context('time').time),
      global_timer_set: (timestamp: bigint) => {
        const context = this.context('global_timer_set');
        const previous = context.globalTimer;
        context.globalTimer = u64(timestamp);
        return i64(previous);
      },
      performance_counter: (counterType: number) => {
        const context = this.context('performance_counter');
        if (counterType !== 0 && counterType !== 1) {
          throw CanisterTrap.contractViolation(`ic0.performance_counter: unknown counter type ${counterType}`);
        }
        // The local IC does not count instructions; nanoseconds since the execution began stand in.
        return process.hrtime.bigint() - context.startedAt;
      },
      is_controller: (src: number, size: number) => {
        this.context('is_controller');
        const principal = this.readHeap('is_controller', u32(src), u32(size));
        if (principal.length > MAX_PRINCIPAL_LENGTH) {
          throw CanisterTrap.contractViolation(`ic0.is_controller: ${principal.length} bytes are not a valid principal`);
        }
        return this.env.isController(principal) ? 1 : 0;
      },
      in_replicated_execution: () => (isReplicatedMode(this.context('in_replicated_execution').mode) ? 1 : 0),

      cost_call: (methodNameSize: bigint, payloadSize: bigint, dst: number) => {
        this.context('cost_call');
        this.writeCycles('cost_call', u32(dst), callCost(this.env.fees, u64(methodNameSize), u64(payloadSize)));
      },
      cost_create_canister: (dst: number) => {
        this.context('cost_create_canister');
        this.writeCycles('cost_create_canister', u32(dst), canisterCreationFee(this.env.fees));
      },
      cost_http_request: (requestSize: bigint, maxResponseBytes: bigint, dst: number) => {
        this.context('cost_http_request');
        const cost = httpRequestCost(this.env.fees, u64(requestSize), u64(maxResponseBytes));
        this.writeCycles('cost_http_request', u32(dst), cost > MAX_CYCLES ? MAX_CYCLES : cost);
      },
      cost_sign_with_ecdsa: (src: number, size: number, curve: number, dst: number) => {
        this.context('cost_sign_with_ecdsa');
        if (curve !== 0) return 1;
        return this.signingCost('cost_sign_with_ecdsa', 'ecdsa', u32(src), u32(size), u32(dst));
      },
      cost_sign_with_schnorr: (src: number, size: number, algorithm: number, dst: number) => {
        this.context('cost_sign_with_schnorr');
        if (algorithm !== 0 && algorithm !== 1) return 1;
        const name = algorithm === 0 ? 'bip340secp256k1' : 'ed25519';
        return this.signingCost('cost_sign_with_schnorr', 'schnorr', u32(src), u32(size), u32(dst), name);
      },
      cost_vetkd_derive_key: (src: number, size: number, curve: number, dst: number) => {
        this.context('cost_vetkd_derive_key');
        this.readHeap('cost_vetkd_derive_key', u32(src), u32(size));
        this.checkHeapRange('cost_vetkd_derive_key', u32(dst), 16);
        // The local IC holds no vetKD keys: every key name is unknown.
        return curve === 0 ? 2 : 1;
      },

      env_var_count: () => {
        this.context('env_var_count');
        return this.env.environmentVariables().length;
      },
      env_var_name_size: (index: number) => {
        this.context('env_var_name_size');
        return this.environmentVariableName('env_var_name_size', u32(index)).length;
      },
      env_var_name_copy: (dst: number, offset: number, size: number, index: number) => {
        this.context('env_var_name_copy');
        const name = this.environmentVariableName('env_var_name_copy', u32(index));
        this.copyOut('env_var_name_copy', 'environment variable name', name, u32(dst), u32(offset), u32(size));
      },
      env_var_value_size: (nameSrc: number, nameSize: number) => {
        this.context('env_var_value_size');
        return this.environmentVariableValue('env_var_value_size', u32(nameSrc), u32(nameSize)).length;
      },
      env_var_value_copy: (nameSrc: number, nameSize: number, dst: number, offset: number, size: number) => {
        this.context('env_var_value_copy');
        const value = this.environmentVariableValue('env_var_value_copy', u32(nameSrc), u32(nameSize));
        this.copyOut('env_var_value_copy', 'environment variable value', value, u32(dst), u32(offset), u32(size));
      },

      debug_print: (src: number, size: number) => {
        // Never traps, even for an out-of-bounds range.
        const heap = this.heap();
        const start = Math.min(u32(src), heap.length);
        this.env.debugPrint(heap.slice(start, Math.min(start + u32(size), heap.length)));
      },
      trap: (src: number, size: number) => {
        const heap = this.heap();
        const start = Math.min(u32(src), heap.length);
        const message = lenientDecoder.decode(heap.subarray(start, Math.min(start + u32(size), heap.length)));
        throw new CanisterTrap('called_trap', message);
      }
    };
  }
}
