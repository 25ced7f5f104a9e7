import { Principal } from '@dfinity/principal';
import { rejected, replied, resultSize, type CallResult } from '../shared/call_result.js';
import { requestTransmissionFee, responseReservationRefund, responseTransmissionFee } from '../costs/cycles.js';
import { MANAGEMENT_CANISTER_ID, principalKey } from '../shared/ids.js';
import type { ManagementCanister } from '../management/management_canister.js';
import { rejections, type Rejection } from '../shared/rejections.js';
import type { ApiMode } from '../runtime/api_modes.js';
import { prepayExecution, prepayReservedExecution, settleExecution, type ExecutionPrepayment } from '../runtime/cycles_account.js';
import { reportCycles } from '../runtime/cycles_log.js';
import { instructionLimitFor } from '../runtime/instruction_limits.js';
import type { CallContextView, ExecutionContext } from '../runtime/execution_context.js';
import { trapRejection, type CanisterTrap } from '../runtime/traps.js';
import { callerOf, type CallContext } from '../state/call_contexts.js';
import type { Canister } from '../state/canister.js';
import type { Subnet } from '../subnet.js';
import { applyLocalEffects, executeEntryPoint, type ExecutionOutcome } from './executor.js';
import type { Message, RequestMessage, ResponseMessage, SystemTaskMessage } from './messages.js';

const MANAGEMENT_KEY = principalKey(MANAGEMENT_CANISTER_ID);
const MANAGEMENT_BYTES = MANAGEMENT_CANISTER_ID.toUint8Array();
const EMPTY = new Uint8Array(0);

/**
 * Executes messages: calls to canister methods, responses to the calls canisters
 * made, and system tasks (global timer, heartbeat), following the interface
 * specification's abstract behaviour for call contexts, callbacks and cycles.
 */
export class MessageProcessor {
  constructor(
    private readonly subnet: Subnet,
    private readonly management: ManagementCanister
  ) {}

  async process(message: Message): Promise<void> {
    switch (message.kind) {
      case 'request':
        if (principalKey(message.callee) === MANAGEMENT_KEY) await this.processManagementRequest(message);
        else this.processRequest(message);
        return;
      case 'response':
        this.processResponse(message);
        return;
      case 'global_timer':
      case 'heartbeat':
        this.processSystemTask(message);
        return;
    }
  }

  /** Runs a query in non-replicated mode. Nothing it does persists. */
  query(canisterKey: string, method: string, argument: Uint8Array, sender: Uint8Array): CallResult {
    const canister = this.subnet.canister(canisterKey);
    if (canister === undefined) return rejected(rejections.canisterNotFound(Principal.fromHex(canisterKey).toText()));
    const instance = canister.instance;
    if (instance === undefined || canister.module === undefined) return rejected(rejections.noWasmModule(canister.idText));
    if (canister.status === 'stopped') return rejected(rejections.stopped(canister.idText));
    if (canister.isFrozen()) return rejected(rejections.outOfCycles(canister.idText, canister.freezingLimit() - canister.balance));
    const kind = canister.module.methods.get(method);
    if (kind === 'composite_query') {
      return rejected(
        rejections.contractViolation(canister.idText, `composite query '${method}' cannot run: the local IC does not support composite queries yet`)
      );
    }
    if (kind !== 'query') return rejected(rejections.methodNotFound(canister.idText, 'query', method));
    const time = this.subnet.clock.now();
    const { certificateProvider } = this.subnet;
    const certifiedData = canister.certifiedData;
    const outcome = executeEntryPoint(
      canister,
      instance,
      {
        mode: 'NRQ',
        caller: sender,
        argument,
        time,
        callContext: { id: -1, canRespond: true, cyclesAvailable: 0n, deadline: 0n },
        dataCertificate: () => certificateProvider?.dataCertificate(canister.id, certifiedData, time),
        balance: canister.balance,
        globalTimer: canister.globalTimer
      },
      { exportName: `canister_query ${method}` },
      'discard'
    );
    if (outcome.trap !== undefined) return rejected(this.trapped(canister, outcome.trap));
    const response = outcome.context.response;
    if (response === undefined) return rejected(rejections.didNotReply(canister.idText));
    return response.kind === 'reply' ? replied(response.data) : rejected({ rejectCode: 4, message: response.message });
  }

  /** Runs `canister_inspect_message` for an ingress message; returns the rejection if the message is refused. */
  inspectIngress(canister: Canister, method: string, argument: Uint8Array, sender: Uint8Array): Rejection | undefined {
    const instance = canister.instance;
    if (instance === undefined || !canister.module?.systemEntryPoints.has('canister_inspect_message')) return undefined;
    const outcome = executeEntryPoint(
      canister,
      instance,
      { mode: 'F', caller: sender, argument, methodName: method, time: this.subnet.clock.now(), balance: canister.balance, globalTimer: canister.globalTimer },
      { exportName: 'canister_inspect_message' },
      'discard'
    );
    if (outcome.trap !== undefined) return this.trapped(canister, outcome.trap);
    return outcome.context.messageAccepted ? undefined : rejections.rejectedMessage(canister.idText);
  }

  private async processManagementRequest(request: RequestMessage): Promise<void> {
    const outcome = await this.management.handleCall({
      caller: request.caller,
      method: request.method,
      argument: request.argument,
      cycles: request.cycles,
      viaIngress: request.origin.kind === 'ingress',
      addressedSubnet: request.origin.kind === 'ingress' ? request.origin.subnet : undefined,
      respondLater: (late) => this.subnet.deliver(request.origin, late.result, late.refund)
    });
    if (outcome !== 'deferred') this.subnet.deliver(request.origin, outcome.result, outcome.refund);
  }

  private admissionRejection(canister: Canister, request: RequestMessage): Rejection | undefined {
    if (canister.instance === undefined) return rejections.noWasmModule(canister.idText);
    if (canister.status === 'stopped') return rejections.stopped(canister.idText);
    if (canister.status === 'stopping') return rejections.stopping(canister.idText);
    // Being frozen is checked when the execution is prepaid.
    return undefined;
  }

  private processRequest(request: RequestMessage): void {
    const canister = this.subnet.canister(request.callee);
    if (canister === undefined) {
      this.subnet.deliver(request.origin, rejected(rejections.canisterNotFound(Principal.fromUint8Array(request.callee).toText())), request.cycles);
      return;
    }
    const refusal = this.admissionRejection(canister, request);
    const kind = canister.module?.methods.get(request.method);
    const problem =
      refusal ??
      (kind === undefined
        ? rejections.methodNotFound(canister.idText, 'update', request.method)
        : kind === 'composite_query'
          ? rejections.compositeQueryInReplicatedMode(canister.idText, request.method)
          : undefined);
    const instance = canister.instance;
    if (problem !== undefined || instance === undefined || kind === undefined || kind === 'composite_query') {
      this.subnet.deliver(request.origin, rejected(problem ?? rejections.noWasmModule(canister.idText)), request.cycles);
      return;
    }

    const mode: ApiMode = kind === 'update' ? 'U' : 'RQ';
    const prepaid = prepayExecution(canister, instructionLimitFor(mode));
    if (!prepaid.ok) {
      this.subnet.deliver(request.origin, rejected(prepaid.rejection), request.cycles);
      return;
    }
    const callContext = canister.openCallContext(request.origin, request.method, request.cycles, request.deadline);
    const outcome = executeEntryPoint(
      canister,
      instance,
      {
        mode,
        caller: request.caller,
        argument: request.argument,
        time: this.subnet.clock.now(),
        callContext: callContextView(callContext),
        balance: canister.balance,
        globalTimer: canister.globalTimer
      },
      { exportName: `canister_${kind} ${request.method}` },
      mode === 'U' ? 'commit' : 'discard'
    );
    if (mode === 'RQ' && outcome.trap === undefined) {
      // A query run as an update: its response counts, its state changes (including accepted cycles) do not.
      this.respond(callContext, responseResult(outcome.context) ?? rejected(rejections.didNotReply(canister.idText)));
      canister.closeCallContextIfDone(callContext);
    } else {
      this.finishExecution(canister, callContext, outcome);
    }
    settleExecution(canister, prepaid.prepayment, outcome.context.instructionsExecuted, request.method);
  }

  private processResponse(response: ResponseMessage): void {
    const canister = this.subnet.canister(response.originatorKey);
    if (canister === undefined) return; // The caller was deleted; its cycles are gone with it.
    const callback = canister.callbacks.get(response.callbackId);
    const bytes = resultSize(response.result);
    canister.balance += response.refund + responseReservationRefund(canister.fees, bytes);
    reportCycles({ canister: canister.idText, category: 'xnet_call', cycles: responseTransmissionFee(canister.fees, bytes), detail: 'response' });
    if (callback === undefined) return;
    canister.callbacks.delete(callback.id);
    const callContext = canister.callContexts.get(callback.callContextId);
    const instance = canister.instance;
    if (callContext === undefined) return;
    if (callContext.deleted || instance === undefined) {
      callContext.outstandingCallbacks -= 1;
      canister.closeCallContextIfDone(callContext);
      return;
    }

    const result = response.result;
    const caller = callerOf(callContext.origin, MANAGEMENT_BYTES);
    const time = this.subnet.clock.now();
    const prepayment = prepayReservedExecution(canister, instructionLimitFor('Ry'));
    const outcome = executeEntryPoint(
      canister,
      instance,
      {
        mode: result.kind === 'replied' ? 'Ry' : 'Rt',
        caller,
        argument: result.kind === 'replied' ? result.reply : EMPTY,
        rejectCode: result.kind === 'replied' ? 0 : result.code,
        rejectMessage: result.kind === 'replied' ? undefined : result.message,
        cyclesRefunded: response.refund,
        time,
        callContext: callContextView(callContext),
        balance: canister.balance,
        globalTimer: canister.globalTimer
      },
      { callback: result.kind === 'replied' ? callback.reply : callback.reject },
      'commit'
    );
    callContext.outstandingCallbacks -= 1;
    if (outcome.trap === undefined || callback.cleanup === undefined) {
      this.finishExecution(canister, callContext, outcome);
      settleExecution(canister, prepayment, outcome.context.instructionsExecuted, `callback ${callback.method}`);
      return;
    }
    const cleanup = executeEntryPoint(
      canister,
      instance,
      { mode: 'C', caller, time, callContext: callContextView(callContext), balance: canister.balance, globalTimer: canister.globalTimer },
      { callback: callback.cleanup },
      'commit'
    );
    const instructions = outcome.context.instructionsExecuted + cleanup.context.instructionsExecuted;
    if (cleanup.trap === undefined) {
      applyLocalEffects(canister, cleanup.context);
      canister.version += 1n;
      this.finishExecution(canister, callContext, outcome);
      settleExecution(canister, prepayment, instructions, `callback ${callback.method}`);
      return;
    }
    this.logTrap(canister, cleanup.trap);
    const callbackError = this.trapped(canister, outcome.trap);
    const cleanupError = trapRejection(canister.idText, cleanup.trap);
    this.finishExecution(canister, callContext, outcome, {
      ...callbackError,
      message: `${callbackError.message}\n\ncall_on_cleanup also failed:\n\n${cleanupError.message}`
    });
    settleExecution(canister, prepayment, instructions, `callback ${callback.method}`);
  }

  private processSystemTask(task: SystemTaskMessage): void {
    const canister = this.subnet.canister(task.canisterKey);
    const instance = canister?.instance;
    if (canister === undefined || instance === undefined || canister.status !== 'running') return;
    const entry = task.kind === 'global_timer' ? 'canister_global_timer' : 'canister_heartbeat';
    if (task.kind === 'global_timer' && (canister.globalTimer === 0n || canister.globalTimer > this.subnet.clock.now())) return;
    if (!canister.module?.systemEntryPoints.has(entry)) return;
    // A canister that cannot prepay (a frozen one) runs no timer or heartbeat; its timer stays set.
    const prepaid = prepayExecution(canister, instructionLimitFor('T'));
    if (!prepaid.ok) return;
    // Scheduling the timer deactivates it.
    if (task.kind === 'global_timer') canister.globalTimer = 0n;
    const callContext = canister.openCallContext({ kind: 'system' }, entry, 0n, 0n);
    const outcome = executeEntryPoint(
      canister,
      instance,
      {
        mode: 'T',
        caller: MANAGEMENT_BYTES,
        time: this.subnet.clock.now(),
        callContext: callContextView(callContext),
        balance: canister.balance,
        globalTimer: canister.globalTimer
      },
      { exportName: entry },
      'commit'
    );
    this.finishExecution(canister, callContext, outcome);
    settleExecution(canister, prepaid.prepayment, outcome.context.instructionsExecuted, entry);
  }

  /**
   * Applies a replicated execution's outcome: its effects if it did not trap,
   * its response, and the implicit responses of the call context
   * (trap error or "did not reply" once no callback is pending).
   */
  private finishExecution(canister: Canister, callContext: CallContext, outcome: ExecutionOutcome, trapError?: Rejection): void {
    if (outcome.trap !== undefined) {
      this.logTrap(canister, outcome.trap);
      if (!callContext.responded && callContext.outstandingCallbacks === 0) {
        this.respond(callContext, rejected(trapError ?? this.trapped(canister, outcome.trap)));
      }
    } else {
      const context = outcome.context;
      applyLocalEffects(canister, context);
      canister.version += 1n;
      callContext.cyclesAvailable -= context.cyclesAccepted;
      this.sendCalls(canister, callContext, context);
      const result = responseResult(context);
      if (result !== undefined) this.respond(callContext, result);
      if (!callContext.responded && callContext.outstandingCallbacks === 0) {
        this.respond(callContext, rejected(rejections.didNotReply(canister.idText)));
      }
    }
    canister.closeCallContextIfDone(callContext);
    this.completeStopIfIdle(canister);
  }

  private sendCalls(canister: Canister, callContext: CallContext, context: ExecutionContext): void {
    for (const call of context.performedCalls) {
      const callback = canister.addCallback({
        callContextId: callContext.id,
        callee: call.callee,
        method: call.method,
        reply: call.reply,
        reject: call.reject,
        cleanup: call.cleanup,
        reservation: call.reservation
      });
      reportCycles({
        canister: canister.idText,
        category: 'xnet_call',
        cycles: requestTransmissionFee(canister.fees, Buffer.byteLength(call.method), call.payload.length),
        detail: call.method
      });
      callContext.outstandingCallbacks += 1;
      const deadline = call.timeoutSeconds === undefined ? 0n : context.time + BigInt(call.timeoutSeconds) * 1_000_000_000n;
      this.subnet.queue.push({
        kind: 'request',
        callee: call.callee,
        method: call.method,
        argument: call.payload,
        cycles: call.cycles,
        caller: canister.canisterId,
        origin: { kind: 'canister', caller: canister.canisterId, callbackId: callback.id },
        deadline
      });
    }
  }

  private respond(callContext: CallContext, result: CallResult): void {
    if (callContext.responded) return;
    callContext.responded = true;
    const refund = callContext.cyclesAvailable;
    callContext.cyclesAvailable = 0n;
    this.subnet.deliver(callContext.origin, result, refund);
  }

  private trapped(canister: Canister, trap: CanisterTrap): Rejection {
    return trapRejection(canister.idText, trap);
  }

  private logTrap(canister: Canister, trap: CanisterTrap): void {
    canister.appendLog(new TextEncoder().encode(`[TRAP]: ${trap.detail}`), this.subnet.clock.now());
    if (trap.kind === 'internal_error') console.error(`[local IC] canister ${canister.idText}: ${trap.detail}`);
  }

  /** A stopping canister becomes stopped once no call context is open. */
  completeStopIfIdle(canister: Canister): void {
    if (canister.status !== 'stopping' || canister.callContexts.size > 0) return;
    canister.status = 'stopped';
    canister.version += 1n;
    for (const waiter of canister.stopWaiters.splice(0)) waiter();
  }
}

function callContextView(callContext: CallContext): CallContextView {
  return {
    id: callContext.id,
    canRespond: !callContext.responded,
    cyclesAvailable: callContext.cyclesAvailable,
    deadline: callContext.deadline
  };
}

function responseResult(context: ExecutionContext): CallResult | undefined {
  const response = context.response;
  if (response === undefined) return undefined;
  return response.kind === 'reply' ? replied(response.data) : rejected({ rejectCode: 4, message: response.message });
}
