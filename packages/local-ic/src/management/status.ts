import type { Principal } from '@dfinity/principal';
import { idleCyclesBurnedPerDay } from '../costs/cycles.js';
import type { Canister, LogVisibility } from '../state/canister.js';

const DEFAULT_LOG_MEMORY_LIMIT = 4096n;

type CandidLogVisibility = { controllers: null } | { public: null } | { allowed_viewers: Principal[] };

/** `canister_status_result` of the interface specification's ic.did, as @dfinity/candid represents it. */
export interface CanisterStatusRecord {
  status: { running: null } | { stopping: null } | { stopped: null };
  ready_for_migration: boolean;
  version: bigint;
  settings: {
    controllers: Principal[];
    compute_allocation: bigint;
    memory_allocation: bigint;
    freezing_threshold: bigint;
    reserved_cycles_limit: bigint;
    log_visibility: CandidLogVisibility;
    wasm_memory_limit: bigint;
    wasm_memory_threshold: bigint;
    environment_variables: Array<{ name: string; value: string }>;
    log_memory_limit: bigint;
    minimum_incoming_canister_call_cycles: bigint;
    snapshot_visibility: CandidLogVisibility;
    status_visibility: CandidLogVisibility;
  };
  module_hash: [] | [Uint8Array];
  memory_size: bigint;
  memory_metrics: {
    wasm_memory_size: bigint;
    stable_memory_size: bigint;
    global_memory_size: bigint;
    wasm_binary_size: bigint;
    custom_sections_size: bigint;
    canister_history_size: bigint;
    wasm_chunk_store_size: bigint;
    snapshots_size: bigint;
    log_memory_store_size: bigint;
  };
  cycles: bigint;
  reserved_cycles: bigint;
  idle_cycles_burned_per_day: bigint;
  query_stats: {
    num_calls_total: bigint;
    num_instructions_total: bigint;
    request_payload_bytes_total: bigint;
    response_payload_bytes_total: bigint;
  };
}


/** The `canister_status` record for a canister (interface spec, "IC method canister_status"). */
export function canisterStatus(canister: Canister): CanisterStatusRecord {
  const wasmMemory = BigInt(canister.instance?.memoryBytes ?? 0);
  const stableMemory = BigInt(canister.stableMemory.sizeInBytes);
  const binary = BigInt(canister.module?.installedBytes.length ?? 0);
  const chunks = [...canister.chunkStore.values()].reduce((total, chunk) => total + BigInt(chunk.length), 0n);
  const globals = BigInt((canister.instance?.globalCount ?? 0) * 8);
  const memorySize = canister.memoryUsage();
  const settings = canister.settings;
  return {
    status: statusVariant(canister),
    ready_for_migration: false,
    version: canister.version,
    settings: {
      controllers: settings.controllers,
      compute_allocation: settings.computeAllocation,
      memory_allocation: settings.memoryAllocation,
      freezing_threshold: settings.freezingThreshold,
      reserved_cycles_limit: settings.reservedCyclesLimit,
      log_visibility: logVisibilityValue(settings.logVisibility),
      wasm_memory_limit: settings.wasmMemoryLimit,
      wasm_memory_threshold: settings.wasmMemoryThreshold,
      environment_variables: settings.environmentVariables.map(([name, value]) => ({ name, value })),
      // Not settable here: the IC's defaults (4 KiB of logs, no minimum, controllers only).
      log_memory_limit: DEFAULT_LOG_MEMORY_LIMIT,
      minimum_incoming_canister_call_cycles: 0n,
      snapshot_visibility: { controllers: null },
      status_visibility: { controllers: null }
    },
    module_hash: canister.module === undefined ? [] : [canister.module.hash],
    memory_size: memorySize,
    memory_metrics: {
      wasm_memory_size: wasmMemory,
      stable_memory_size: stableMemory,
      global_memory_size: globals,
      wasm_binary_size: binary,
      custom_sections_size: 0n,
      canister_history_size: BigInt(canister.history.length * 100),
      wasm_chunk_store_size: chunks,
      snapshots_size: 0n,
      log_memory_store_size: canister.logs.reduce((total, record) => total + BigInt(record.content.length), 0n)
    },
    cycles: canister.balance,
    reserved_cycles: 0n,
    idle_cycles_burned_per_day: idleCyclesBurnedPerDay(canister.fees, canister.billableMemoryBytes()),
    query_stats: {
      num_calls_total: 0n,
      num_instructions_total: 0n,
      request_payload_bytes_total: 0n,
      response_payload_bytes_total: 0n
    }
  };
}

function logVisibilityValue(visibility: LogVisibility): CandidLogVisibility {
  switch (visibility.kind) {
    case 'controllers':
      return { controllers: null };
    case 'public':
      return { public: null };
    case 'allowed_viewers':
      return { allowed_viewers: [...visibility.viewers] };
  }
}

function statusVariant(canister: Canister): CanisterStatusRecord['status'] {
  switch (canister.status) {
    case 'running':
      return { running: null };
    case 'stopping':
      return { stopping: null };
    case 'stopped':
      return { stopped: null };
  }
}
