// A canister written against the System API that answers with its `ic0.time`, raw (8 bytes,
// little-endian), from a query and from an update: what a query sees vs what a round sees.
import { watToWasm } from '../../localnet/support/wat';

const CLOCK_WAT = `(module
  (import "ic0" "time" (func $time (result i64)))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (func $reply_time
    (i64.store (i32.const 0) (call $time))
    (call $append (i32.const 0) (i32.const 8))
    (call $reply))
  (func (export "canister_query time") (call $reply_time))
  (func (export "canister_update time_in_round") (call $reply_time)))`;

export const clockCanisterWasm = (): Uint8Array => watToWasm(CLOCK_WAT);

export function timeOf(reply: Uint8Array): bigint {
  return new DataView(reply.buffer, reply.byteOffset, reply.byteLength).getBigUint64(0, true);
}
