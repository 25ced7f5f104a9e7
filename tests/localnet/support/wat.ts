import binaryen from 'binaryen';

/** Assembles WebAssembly text into a binary module (for small hand-written test canisters). */
export function watToWasm(text: string): Uint8Array {
  const module = binaryen.parseText(text);
  try {
    module.setFeatures(binaryen.Features.All);
    if (!module.validate()) throw new Error('invalid WebAssembly text');
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

/**
 * A canister written directly against the System API, to check its details
 * without a CDK in between. Memory: counter at 0, start-function runs at 8,
 * scratch from 16, "boom" at 1024.
 */
export const SYSTEM_API_PROBE_WAT = `(module
  (import "ic0" "msg_reply" (func $msg_reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reject" (func $reject (param i32 i32)))
  (import "ic0" "trap" (func $trap (param i32 i32)))
  (import "ic0" "msg_arg_data_size" (func $arg_size (result i32)))
  (import "ic0" "msg_caller_size" (func $caller_size (result i32)))
  (import "ic0" "msg_caller_copy" (func $caller_copy (param i32 i32 i32)))
  (import "ic0" "stable64_grow" (func $stable_grow (param i64) (result i64)))
  (import "ic0" "stable64_write" (func $stable_write (param i64 i64 i64)))
  (import "ic0" "stable64_read" (func $stable_read (param i64 i64 i64)))
  (import "ic0" "canister_cycle_balance128" (func $balance (param i32)))
  (import "ic0" "certified_data_set" (func $certify (param i32 i32)))
  (import "ic0" "time" (func $time (result i64)))
  (import "ic0" "global_timer_set" (func $timer_set (param i64) (result i64)))
  (import "ic0" "accept_message" (func $accept_message))
  (import "ic0" "msg_method_name_copy" (func $method_copy (param i32 i32 i32)))
  (import "ic0" "in_replicated_execution" (func $replicated (result i32)))
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (data (i32.const 1024) "boom")
  (func $start (i32.store (i32.const 8) (i32.add (i32.load (i32.const 8)) (i32.const 1))))
  (start $start)
  (func $reply_i32 (param $v i32)
    (i32.store (i32.const 16) (local.get $v))
    (call $append (i32.const 16) (i32.const 4))
    (call $msg_reply))
  (func $bump
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    (global.set $g (i32.add (global.get $g) (i32.const 1))))
  (func (export "canister_init")
    (if (i32.eq (call $arg_size) (i32.const 4)) (then (call $trap (i32.const 1024) (i32.const 4))))
    (drop (call $stable_grow (i64.const 1))))
  (func (export "canister_update inc") (call $bump) (call $reply_i32 (i32.load (i32.const 0))))
  (func (export "canister_query read") (call $reply_i32 (i32.load (i32.const 0))))
  (func (export "canister_query read_global") (call $reply_i32 (global.get $g)))
  (func (export "canister_query start_runs") (call $reply_i32 (i32.load (i32.const 8))))
  (func (export "canister_query inc_in_query") (call $bump) (call $reply_i32 (i32.load (i32.const 0))))
  (func (export "canister_query grow_in_query")
    (call $bump)
    (drop (memory.grow (i32.const 16)))
    (call $reply_i32 (memory.size)))
  (func (export "canister_update inc_then_trap")
    (call $bump)
    (i32.store8 (i32.const 32) (i32.const 7))
    (call $stable_write (i64.const 0) (i64.const 32) (i64.const 1))
    (call $trap (i32.const 1024) (i32.const 4)))
  (func (export "canister_update grow_then_trap")
    (call $bump)
    (drop (memory.grow (i32.const 16)))
    (i32.store (i32.const 100000) (i32.const 5))
    (call $trap (i32.const 1024) (i32.const 4)))
  (func (export "canister_update divide_by_zero")
    (call $bump)
    (call $reply_i32 (i32.div_u (i32.const 1) (i32.load (i32.const 4)))))
  (func (export "canister_query memory_pages") (call $reply_i32 (memory.size)))
  (func (export "canister_query stable_byte")
    (call $stable_read (i64.const 48) (i64.const 0) (i64.const 1))
    (call $reply_i32 (i32.load8_u (i32.const 48))))
  (func (export "canister_update oob_reply") (call $append (i32.const 0xfffffff0) (i32.const 100)) (call $msg_reply))
  (func (export "canister_update reply_twice") (call $msg_reply) (call $msg_reply))
  (func (export "canister_update no_reply"))
  (func (export "canister_update reject") (call $reject (i32.const 1024) (i32.const 4)))
  (func (export "canister_update caller")
    (call $caller_copy (i32.const 64) (i32.const 0) (call $caller_size))
    (call $append (i32.const 64) (call $caller_size))
    (call $msg_reply))
  (func (export "canister_query balance")
    (call $balance (i32.const 64))
    (call $append (i32.const 64) (i32.const 16))
    (call $msg_reply))
  (func (export "canister_update certify_too_much") (call $certify (i32.const 0) (i32.const 33)) (call $msg_reply))
  (func (export "canister_update certify") (call $certify (i32.const 1024) (i32.const 4)) (call $msg_reply))
  (func (export "canister_update stable_oob") (call $stable_write (i64.const 65530) (i64.const 0) (i64.const 10)) (call $msg_reply))
  (func (export "canister_update arm_timer")
    (drop (call $timer_set (i64.add (call $time) (i64.const 1000000000))))
    (call $msg_reply))
  (func (export "canister_global_timer") (call $bump))
  (func (export "canister_query replicated") (call $reply_i32 (call $replicated)))
  (func (export "canister_query call_in_query") (call $accept_message))
  (func (export "canister_inspect_message")
    (call $method_copy (i32.const 200) (i32.const 0) (i32.const 1))
    (if (i32.ne (i32.load8_u (i32.const 200)) (i32.const 120)) (then (call $accept_message))))
  (func (export "canister_update xrefused") (call $msg_reply))
)`;
