import type { FunctionType, ValueType } from './wasm_binary.js';

/**
 * Types of the `ic0` imports for canisters with a 32-bit memory (`I = i32`
 * in the interface specification, "Overview of imports").
 */
const i32 = 'i32';
const i64 = 'i64';

function signature(params: ValueType[], results: ValueType[] = []): FunctionType {
  return { params, results };
}

export const SYSTEM_API_SIGNATURES: Readonly<Record<string, FunctionType>> = {
  msg_arg_data_size: signature([], [i32]),
  msg_arg_data_copy: signature([i32, i32, i32]),
  msg_caller_size: signature([], [i32]),
  msg_caller_copy: signature([i32, i32, i32]),
  msg_reject_code: signature([], [i32]),
  msg_reject_msg_size: signature([], [i32]),
  msg_reject_msg_copy: signature([i32, i32, i32]),
  msg_deadline: signature([], [i64]),
  msg_reply_data_append: signature([i32, i32]),
  msg_reply: signature([]),
  msg_reject: signature([i32, i32]),
  msg_cycles_available128: signature([i32]),
  msg_cycles_refunded128: signature([i32]),
  msg_cycles_accept128: signature([i64, i64, i32]),
  cycles_burn128: signature([i64, i64, i32]),
  canister_self_size: signature([], [i32]),
  canister_self_copy: signature([i32, i32, i32]),
  canister_cycle_balance128: signature([i32]),
  canister_liquid_cycle_balance128: signature([i32]),
  canister_status: signature([], [i32]),
  canister_version: signature([], [i64]),
  subnet_self_size: signature([], [i32]),
  subnet_self_copy: signature([i32, i32, i32]),
  msg_method_name_size: signature([], [i32]),
  msg_method_name_copy: signature([i32, i32, i32]),
  accept_message: signature([]),
  call_new: signature([i32, i32, i32, i32, i32, i32, i32, i32]),
  call_on_cleanup: signature([i32, i32]),
  call_data_append: signature([i32, i32]),
  call_with_best_effort_response: signature([i32]),
  call_cycles_add128: signature([i64, i64]),
  call_perform: signature([], [i32]),
  stable64_size: signature([], [i64]),
  stable64_grow: signature([i64], [i64]),
  stable64_write: signature([i64, i64, i64]),
  stable64_read: signature([i64, i64, i64]),
  certified_data_set: signature([i32, i32]),
  data_certificate_present: signature([], [i32]),
  data_certificate_size: signature([], [i32]),
  data_certificate_copy: signature([i32, i32, i32]),
  time: signature([], [i64]),
  global_timer_set: signature([i64], [i64]),
  performance_counter: signature([i32], [i64]),
  is_controller: signature([i32, i32], [i32]),
  in_replicated_execution: signature([], [i32]),
  cost_call: signature([i64, i64, i32]),
  cost_create_canister: signature([i32]),
  cost_http_request: signature([i64, i64, i32]),
  cost_sign_with_ecdsa: signature([i32, i32, i32, i32], [i32]),
  cost_sign_with_schnorr: signature([i32, i32, i32, i32], [i32]),
  cost_vetkd_derive_key: signature([i32, i32, i32, i32], [i32]),
  env_var_count: signature([], [i32]),
  env_var_name_size: signature([i32], [i32]),
  env_var_name_copy: signature([i32, i32, i32, i32]),
  env_var_value_size: signature([i32, i32], [i32]),
  env_var_value_copy: signature([i32, i32, i32, i32, i32]),
  debug_print: signature([i32, i32]),
  trap: signature([i32, i32]),
  // Only for canisters with a 32-bit memory:
  msg_cycles_available: signature([], [i64]),
  msg_cycles_refunded: signature([], [i64]),
  msg_cycles_accept: signature([i64], [i64]),
  canister_cycle_balance: signature([], [i64]),
  call_cycles_add: signature([i64]),
  stable_size: signature([], [i32]),
  stable_grow: signature([i32], [i32]),
  stable_write: signature([i32, i32, i32]),
  stable_read: signature([i32, i32, i32])
};

export type SystemApiName = keyof typeof SYSTEM_API_SIGNATURES;

export function sameFunctionType(a: FunctionType, b: FunctionType): boolean {
  return (
    a.params.length === b.params.length &&
    a.results.length === b.results.length &&
    a.params.every((type, i) => b.params[i] === type) &&
    a.results.every((type, i) => b.results[i] === type)
  );
}
