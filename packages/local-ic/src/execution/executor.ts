import type { CanisterInstance, EntryPoint } from '../runtime/canister_instance.js';
import { createExecutionContext, type ExecutionContext, type ExecutionContextInit } from '../runtime/execution_context.js';
import type { CanisterTrap } from '../runtime/traps.js';
import { hasInstructionListeners, reportInstructions } from '../runtime/instruction_log.js';
import { grewPastLimit, heapLimitFor } from '../runtime/wasm_memory_limit.js';
import type { Canister } from '../state/canister.js';

/**
 * What happens to the Wasm state of an execution that does not trap:
 * `commit` keeps it, `discard` rolls it back (queries, inspect_message),
 * `defer` keeps it uncommitted so that an enclosing operation (an upgrade)
 * can still roll it back.
 */
export type Persistence = 'commit' | 'discard' | 'defer';

export interface ExecutionOutcome {
  readonly context: ExecutionContext;
  readonly trap: CanisterTrap | undefined;
}

/**
 * Runs one entry point as an atomic unit: on a trap (or for `discard`), Wasm
 * memory, globals and stable memory go back to where they were (for `discard`,
 * Wasm memory and globals once the current task is done: the reply need not
 * wait, and the instance rolls back before any further use). Host-side
 * effects are only collected in the returned context; applying them is the
 * caller's job, and only for executions that did not trap.
 */
export function executeEntryPoint(
  canister: Canister,
  instance: CanisterInstance,
  init: ExecutionContextInit,
  entry: EntryPoint,
  persistence: Persistence
): ExecutionOutcome {
  const callContext = init.callContext === undefined ? undefined : canister.callContexts.get(init.callContext.id);
  const context = createExecutionContext({ ...init, callContextInstructionsBefore: callContext?.instructionsExecuted ?? 0 });
  canister.stableMemory.checkpoint();
  const heapLimit = heapLimitFor(init.mode, canister.settings.wasmMemoryLimit);
  const heapBefore = heapLimit === 0n ? 0 : instance.memoryBytes;
  const trap = instance.run(context, entry) ?? (heapLimit === 0n ? undefined : grewPastLimit(heapLimit, heapBefore, instance.memoryBytes));
  if (callContext !== undefined) callContext.instructionsExecuted += context.instructionsExecuted;
  if (hasInstructionListeners()) {
    reportInstructions({
      canister: canister.idText,
      kind: init.mode,
      entry: 'exportName' in entry ? entry.exportName : 'callback',
      instructions: context.instructionsExecuted,
      trapped: trap !== undefined
    });
  }
  if (persistence === 'discard') {
    canister.stableMemory.rollback();
    instance.rollbackSoon();
  } else if (trap !== undefined) {
    canister.stableMemory.rollback();
    instance.rollback();
  } else {
    canister.stableMemory.release();
    if (persistence === 'commit') instance.commit();
  }
  return { context, trap };
}

/**
 * Applies the canister-local effects of an execution that did not trap:
 * balance, certified data, global timer. Calls and responses are handled by
 * the message processor, the canister version by the caller.
 */
export function applyLocalEffects(canister: Canister, context: ExecutionContext): void {
  // A call assembled but never performed gives its cycles back.
  canister.balance = context.balance + (context.pendingCall?.cycles ?? 0n);
  if (context.certifiedData !== undefined) canister.certifiedData = context.certifiedData;
  canister.globalTimer = context.globalTimer;
}
