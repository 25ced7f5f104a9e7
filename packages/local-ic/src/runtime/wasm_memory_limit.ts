import type { ApiMode } from './api_modes.js';
import { CanisterTrap } from './traps.js';

/**
 * The `wasm_memory_limit` canister setting (interface spec, "IC method
 * create_canister" / canister settings; 0 means no limit). The replica checks it
 * when `memory.grow` runs in an update, `canister_init` or `canister_post_upgrade`
 * (both run as mode `I` here); queries, callbacks, timers, heartbeats and
 * `canister_pre_upgrade` may grow past it. The local IC checks the heap once the
 * execution is over: a grow past the limit makes the whole execution trap and
 * roll back, which is all a caller can observe of the replica's trap at the grow.
 *
 * Returns the limit an execution in `mode` must keep the heap under; 0 when there is none to check.
 */
export function heapLimitFor(mode: ApiMode, wasmMemoryLimit: bigint): bigint {
  return mode === 'U' || mode === 'I' ? wasmMemoryLimit : 0n;
}

/** The replica's `HypervisorError::WasmMemoryLimitExceeded` text. */
export function wasmMemoryLimitExceeded(limit: bigint, peakBytes: bigint): CanisterTrap {
  return new CanisterTrap(
    'wasm_memory_limit_exceeded',
    `Canister exceeded its current Wasm memory limit of ${limit} bytes. The peak Wasm memory usage was ${peakBytes} bytes. ` +
      'If the canister reaches 4GiB, then it may stop functioning and may become unrecoverable. ' +
      'Please reach out to the canister owner to investigate the reason for the increased memory usage. ' +
      'It might be necessary to move data from the Wasm memory to the stable memory. ' +
      'If such high Wasm memory usage is expected and safe, then the developer can increase the Wasm memory limit in the canister settings.'
  );
}

/** The trap an execution that took the heap from `beforeBytes` to `afterBytes` ends in, if it grew past `limit`. */
export function grewPastLimit(limit: bigint, beforeBytes: number, afterBytes: number): CanisterTrap | undefined {
  return limit !== 0n && afterBytes > beforeBytes && BigInt(afterBytes) > limit ? wasmMemoryLimitExceeded(limit, BigInt(afterBytes)) : undefined;
}

/** An update is not started on a canister whose heap is already over its limit (e.g. after the limit was lowered). */
export function heapOverLimit(limit: bigint, heapBytes: number): boolean {
  return limit !== 0n && BigInt(heapBytes) > limit;
}
