import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';

/** Candid types of the management canister, after the interface specification's ic.did. */

const LogVisibility = IDL.Variant({ controllers: IDL.Null, public: IDL.Null, allowed_viewers: IDL.Vec(IDL.Principal) });
const EnvironmentVariable = IDL.Record({ name: IDL.Text, value: IDL.Text });

export const CanisterSettings = IDL.Record({
  controllers: IDL.Opt(IDL.Vec(IDL.Principal)),
  compute_allocation: IDL.Opt(IDL.Nat),
  memory_allocation: IDL.Opt(IDL.Nat),
  freezing_threshold: IDL.Opt(IDL.Nat),
  reserved_cycles_limit: IDL.Opt(IDL.Nat),
  log_visibility: IDL.Opt(LogVisibility),
  wasm_memory_limit: IDL.Opt(IDL.Nat),
  wasm_memory_threshold: IDL.Opt(IDL.Nat),
  environment_variables: IDL.Opt(IDL.Vec(EnvironmentVariable))
});

const DefiniteCanisterSettings = IDL.Record({
  controllers: IDL.Vec(IDL.Principal),
  compute_allocation: IDL.Nat,
  memory_allocation: IDL.Nat,
  freezing_threshold: IDL.Nat,
  reserved_cycles_limit: IDL.Nat,
  log_visibility: LogVisibility,
  wasm_memory_limit: IDL.Nat,
  wasm_memory_threshold: IDL.Nat,
  environment_variables: IDL.Vec(EnvironmentVariable),
  // Fields of the current ic.did that clients such as icp-cli 1.5 require in canister_status.
  log_memory_limit: IDL.Nat,
  minimum_incoming_canister_call_cycles: IDL.Nat,
  snapshot_visibility: LogVisibility,
  status_visibility: LogVisibility
});

export const CanisterIdRecord = IDL.Record({ canister_id: IDL.Principal });

export const CreateCanisterArgs = IDL.Record({
  settings: IDL.Opt(CanisterSettings),
  sender_canister_version: IDL.Opt(IDL.Nat64)
});

export const ProvisionalCreateCanisterArgs = IDL.Record({
  amount: IDL.Opt(IDL.Nat),
  settings: IDL.Opt(CanisterSettings),
  specified_id: IDL.Opt(IDL.Principal),
  sender_canister_version: IDL.Opt(IDL.Nat64)
});

export const ProvisionalTopUpArgs = IDL.Record({ canister_id: IDL.Principal, amount: IDL.Nat });

export const UpdateSettingsArgs = IDL.Record({
  canister_id: IDL.Principal,
  settings: CanisterSettings,
  sender_canister_version: IDL.Opt(IDL.Nat64)
});

export const InstallMode = IDL.Variant({
  install: IDL.Null,
  reinstall: IDL.Null,
  upgrade: IDL.Opt(
    IDL.Record({
      skip_pre_upgrade: IDL.Opt(IDL.Bool),
      wasm_memory_persistence: IDL.Opt(IDL.Variant({ keep: IDL.Null, replace: IDL.Null }))
    })
  )
});

export const InstallCodeArgs = IDL.Record({
  mode: InstallMode,
  canister_id: IDL.Principal,
  wasm_module: IDL.Vec(IDL.Nat8),
  arg: IDL.Vec(IDL.Nat8),
  sender_canister_version: IDL.Opt(IDL.Nat64)
});

const ChunkHash = IDL.Record({ hash: IDL.Vec(IDL.Nat8) });

export const InstallChunkedCodeArgs = IDL.Record({
  mode: InstallMode,
  target_canister: IDL.Principal,
  store_canister: IDL.Opt(IDL.Principal),
  chunk_hashes_list: IDL.Vec(ChunkHash),
  wasm_module_hash: IDL.Vec(IDL.Nat8),
  arg: IDL.Vec(IDL.Nat8),
  sender_canister_version: IDL.Opt(IDL.Nat64)
});

export const UploadChunkArgs = IDL.Record({ canister_id: IDL.Principal, chunk: IDL.Vec(IDL.Nat8) });
export const UploadChunkResult = ChunkHash;
export const StoredChunksResult = IDL.Vec(ChunkHash);

export const UninstallCodeArgs = IDL.Record({ canister_id: IDL.Principal, sender_canister_version: IDL.Opt(IDL.Nat64) });

export const CanisterStatusResult = IDL.Record({
  status: IDL.Variant({ running: IDL.Null, stopping: IDL.Null, stopped: IDL.Null }),
  ready_for_migration: IDL.Bool,
  version: IDL.Nat64,
  settings: DefiniteCanisterSettings,
  module_hash: IDL.Opt(IDL.Vec(IDL.Nat8)),
  memory_size: IDL.Nat,
  memory_metrics: IDL.Record({
    wasm_memory_size: IDL.Nat,
    stable_memory_size: IDL.Nat,
    global_memory_size: IDL.Nat,
    wasm_binary_size: IDL.Nat,
    custom_sections_size: IDL.Nat,
    canister_history_size: IDL.Nat,
    wasm_chunk_store_size: IDL.Nat,
    snapshots_size: IDL.Nat,
    log_memory_store_size: IDL.Nat
  }),
  cycles: IDL.Nat,
  reserved_cycles: IDL.Nat,
  idle_cycles_burned_per_day: IDL.Nat,
  query_stats: IDL.Record({
    num_calls_total: IDL.Nat,
    num_instructions_total: IDL.Nat,
    request_payload_bytes_total: IDL.Nat,
    response_payload_bytes_total: IDL.Nat
  })
});

export const CanisterInfoArgs = IDL.Record({ canister_id: IDL.Principal, num_requested_changes: IDL.Opt(IDL.Nat64) });

const ChangeOrigin = IDL.Variant({
  from_user: IDL.Record({ user_id: IDL.Principal }),
  from_canister: IDL.Record({ canister_id: IDL.Principal, canister_version: IDL.Opt(IDL.Nat64) })
});

const ChangeDetails = IDL.Variant({
  creation: IDL.Record({ controllers: IDL.Vec(IDL.Principal), environment_variables_hash: IDL.Opt(IDL.Vec(IDL.Nat8)) }),
  code_uninstall: IDL.Null,
  code_deployment: IDL.Record({
    mode: IDL.Variant({ install: IDL.Null, reinstall: IDL.Null, upgrade: IDL.Null }),
    module_hash: IDL.Vec(IDL.Nat8)
  }),
  controllers_change: IDL.Record({ controllers: IDL.Vec(IDL.Principal) })
});

export const CanisterInfoResult = IDL.Record({
  total_num_changes: IDL.Nat64,
  recent_changes: IDL.Vec(
    IDL.Record({ timestamp_nanos: IDL.Nat64, canister_version: IDL.Nat64, origin: ChangeOrigin, details: ChangeDetails })
  ),
  module_hash: IDL.Opt(IDL.Vec(IDL.Nat8)),
  controllers: IDL.Vec(IDL.Principal)
});

export const FetchCanisterLogsResult = IDL.Record({
  canister_log_records: IDL.Vec(IDL.Record({ idx: IDL.Nat64, timestamp_nanos: IDL.Nat64, content: IDL.Vec(IDL.Nat8) }))
});

const EcdsaKeyId = IDL.Record({ curve: IDL.Variant({ secp256k1: IDL.Null }), name: IDL.Text });
const SchnorrAlgorithm = IDL.Variant({ bip340secp256k1: IDL.Null, ed25519: IDL.Null });
const SchnorrKeyId = IDL.Record({ algorithm: SchnorrAlgorithm, name: IDL.Text });

export const EcdsaPublicKeyArgs = IDL.Record({
  canister_id: IDL.Opt(IDL.Principal),
  derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)),
  key_id: EcdsaKeyId
});

export const SignWithEcdsaArgs = IDL.Record({
  message_hash: IDL.Vec(IDL.Nat8),
  derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)),
  key_id: EcdsaKeyId
});

export const SchnorrPublicKeyArgs = IDL.Record({
  canister_id: IDL.Opt(IDL.Principal),
  derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)),
  key_id: SchnorrKeyId
});

export const SignWithSchnorrArgs = IDL.Record({
  message: IDL.Vec(IDL.Nat8),
  derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)),
  key_id: SchnorrKeyId,
  aux: IDL.Opt(IDL.Variant({ bip341: IDL.Record({ merkle_root_hash: IDL.Vec(IDL.Nat8) }) }))
});

export const PublicKeyResult = IDL.Record({ public_key: IDL.Vec(IDL.Nat8), chain_code: IDL.Vec(IDL.Nat8) });
export const SignatureResult = IDL.Record({ signature: IDL.Vec(IDL.Nat8) });
export const RawRandResult = IDL.Vec(IDL.Nat8);

/** Decoded shapes (what @dfinity/candid returns for the types above). */
export type Opt<T> = [] | [T];

export interface DecodedCanisterSettings {
  controllers: Opt<Principal[]>;
  compute_allocation: Opt<bigint>;
  memory_allocation: Opt<bigint>;
  freezing_threshold: Opt<bigint>;
  reserved_cycles_limit: Opt<bigint>;
  log_visibility: Opt<{ controllers: null } | { public: null } | { allowed_viewers: Principal[] }>;
  wasm_memory_limit: Opt<bigint>;
  wasm_memory_threshold: Opt<bigint>;
  environment_variables: Opt<Array<{ name: string; value: string }>>;
}

export type DecodedInstallMode =
  | { install: null }
  | { reinstall: null }
  | { upgrade: Opt<{ skip_pre_upgrade: Opt<boolean>; wasm_memory_persistence: Opt<{ keep: null } | { replace: null }> }> };

export interface DecodedInstallCodeArgs {
  mode: DecodedInstallMode;
  canister_id: Principal;
  wasm_module: Uint8Array;
  arg: Uint8Array;
}

export interface DecodedInstallChunkedCodeArgs {
  mode: DecodedInstallMode;
  target_canister: Principal;
  store_canister: Opt<Principal>;
  chunk_hashes_list: Array<{ hash: Uint8Array }>;
  wasm_module_hash: Uint8Array;
  arg: Uint8Array;
}

export interface DecodedEcdsaKeyId {
  curve: { secp256k1: null };
  name: string;
}

export interface DecodedSchnorrKeyId {
  algorithm: { bip340secp256k1: null } | { ed25519: null };
  name: string;
}
