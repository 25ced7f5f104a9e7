import { Principal } from '@dfinity/principal';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalIc, observeInstructions, type CallResult, type InstructionRecord } from '../../packages/local-ic/src/index.js';
import { watToWasmExact } from './support/wat_exact.js';

/** An exported function that fills the first MiB of memory `fills` times (109 instructions and 1 MiB per fill). */
function fillLoop(exportName: string, fills: number): string {
  return `
  (func (export "${exportName}")
    (local $n i32)
    i32.const ${fills}
    local.set $n
    loop $again
      i32.const 0
      i32.const 0
      i32.const 1048576
      memory.fill
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_if $again
    end)`;
}

/** A canister_inspect_message that runs 200 fills of 1 MiB (about 209.7 million instructions). */
const INSPECT_PAST_LIMIT = fillLoop('canister_inspect_message', 200);

/*
 * Instruction counts worked out by hand from the replica's metering rules
 * (dfinity/ic rs/embedders/src/wasm_utils/instrumentation.rs, and
 * rs/embedders/src/wasmtime_embedder/system_api_complexity.rs for System API costs):
 * - a basic block is charged as a whole when it is entered: the sum of its
 *   instructions' weights; a function body's first block starts at 1;
 * - blocks end after loop, if, else, end, br, br_if, br_table, return, unreachable;
 * - weights used here: const, local.get/set, add/sub, load/store, select 1;
 *   global.get/set 2; br, br_if, if 2; call 5; i32.div_u 10; memory.fill 100
 *   plus its size; block/loop/else/end 0;
 * - System API: performance_counter 200, msg_reply 500,
 *   msg_reply_data_append 500 + 1 per byte, msg_arg_data_copy 500 + 1 per byte.
 *
 * Every method replies with the 8-byte performance counter it read ("pc(0)").
 */
/** `extra`: more functions (the inspect_message test adds one). */
const meteredWat = (extra = ''): string => `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "performance_counter" (func $pc (param i32) (result i64)))
  (memory 16)
  (global $g (mut i32) (i32.const 0))

  (func (export "canister_query straight")
    i32.const 0
    i32.const 0
    call $pc
    i64.store
    i32.const 0
    i32.const 8
    call $append
    call $reply)

  (func (export "canister_query loop")
    (local $i i32)
    i32.const 10
    local.set $i
    loop $again
      local.get $i
      i32.const 1
      i32.sub
      local.set $i
      local.get $i
      br_if $again
    end
    i32.const 0
    i32.const 0
    call $pc
    i64.store
    i32.const 0
    i32.const 8
    call $append
    call $reply)

  (func $half (param $x i32) (result i32)
    local.get $x
    i32.const 2
    i32.div_u)

  (func (export "canister_query branches")
    i32.const 1
    if
      i32.const 10
      call $half
      global.set $g
    else
      i32.const 0
      global.set $g
    end
    i32.const 0
    i32.const 0
    call $pc
    i64.store
    i32.const 0
    i32.const 8
    call $append
    call $reply)

  (func (export "canister_query fill")
    i32.const 64
    i32.const 7
    i32.const 1000
    memory.fill
    i32.const 64
    i32.const 0
    i32.const 3
    call $arg_copy
    i32.const 0
    i32.const 0
    call $pc
    i64.store
    i32.const 0
    i32.const 8
    call $append
    call $reply)

  (func $exit_by_branch (param $x i32) (result i32)
    local.get $x
    local.get $x
    br_if 0
    drop
    i32.const 7)
  (func $pair (result i32 i32)
    i32.const 1
    i32.const 2
    return)
  (func (export "canister_query shapes")
    i32.const 5
    call $exit_by_branch
    drop
    call $pair
    drop
    drop
    i32.const 0
    i32.const 0
    call $pc
    i64.store
    i32.const 0
    i32.const 8
    call $append
    call $reply)

  (func $fill_forever
    loop $again
      i32.const 0
      i32.const 0
      i32.const 1048576
      memory.fill
      br $again
    end)
  (func (export "canister_query spin") call $fill_forever)
  (func (export "canister_update spin_update") (global.set $g (i32.const 1)) call $fill_forever)
  (func (export "canister_query read_global")
    (i32.store (i32.const 0) (global.get $g))
    (call $append (i32.const 0) (i32.const 4))
    call $reply)

  (func (export "canister_update fill_times")
    (local $n i32)
    (call $arg_copy (i32.const 0) (i32.const 0) (i32.const 4))
    (local.set $n (i32.load (i32.const 0)))
    loop $again
      i32.const 0
      i32.const 0
      i32.const 1048576
      memory.fill
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_if $again
    end
    (i64.store (i32.const 0) (call $pc (i32.const 1)))
    (call $append (i32.const 0) (i32.const 8))
    call $reply)

${extra}
)`;

const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(5));

function counterIn(result: CallResult): bigint {
  if (result.kind !== 'replied') throw new Error(`rejected ${result.code}: ${result.message}`);
  return new DataView(result.reply.buffer, result.reply.byteOffset).getBigUint64(0, true);
}

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

describe('instruction metering (hand-counted WAT canister)', () => {
  let ic: LocalIc;
  let id: Principal;
  const records: InstructionRecord[] = [];
  let stopObserving: () => void = () => undefined;

  beforeAll(async () => {
    ic = await LocalIc.create();
    id = await ic.createCanister({ controllers: [controller], sender: controller, cycles: 10n ** 15n });
    await ic.installCode(id, watToWasmExact(meteredWat()), new Uint8Array(), { sender: controller });
    stopObserving = observeInstructions((record) => records.push(record));
    return () => stopObserving();
  });
  afterEach(() => {
    records.length = 0;
  });

  it('charges a straight-line function as one block, before its first instruction', async () => {
    // One block: 1 (function entry) + i32.const 1 + i32.const 1 + call 5 + i64.store 1 + i32.const 1
    // + i32.const 1 + call 5 + call 5 + end 0 = 21, all charged on entry; performance_counter adds 200 first.
    expect(counterIn(await ic.queryCall(id, 'straight'))).toBe(21n + 200n);
    // Then msg_reply_data_append of 8 bytes (500 + 8) and msg_reply (500).
    expect(records).toEqual([expect.objectContaining({ kind: 'NRQ', entry: 'canister_query straight', instructions: 221 + 508 + 500 })]);
  });

  it('charges a loop body on every iteration', async () => {
    // Entry block: 1 + i32.const 1 + local.set 1 + loop 0 = 3.
    // Loop body: local.get 1 + i32.const 1 + i32.sub 1 + local.set 1 + local.get 1 + br_if 2 = 7, run 10 times = 70.
    // The loop's `end` alone costs 0 (no charge); the rest: 1 + 1 + 5 + 1 + 1 + 1 + 5 + 5 = 20.
    expect(counterIn(await ic.queryCall(id, 'loop'))).toBe(3n + 70n + 20n + 200n);
  });

  it('charges only the branch taken, and a called function with its own entry cost', async () => {
    // Before the if: 1 + i32.const 1 + if 2 = 4. Then branch: i32.const 1 + call 5 + global.set 2 = 8
    // (the else branch, 1 + 2 + else 0, is not taken). $half: 1 + local.get 1 + i32.const 1 + i32.div_u 10 + end 0 = 13.
    // After the if's end: 20 as above.
    expect(counterIn(await ic.queryCall(id, 'branches'))).toBe(4n + 8n + 13n + 20n + 200n);
  });

  it('keeps the charges of a function left by a branch to its own label or by return, with several results', async () => {
    // $exit_by_branch(5): 1 + local.get 1 + local.get 1 + br_if 2 = 5, and the branch leaves the function.
    // $pair: 1 + i32.const 1 + i32.const 1 + return 1 = 4 (its two results need a block type of their own).
    // shapes: 1 + i32.const 1 + call 5 + drop 1 + call 5 + drop 1 + drop 1 + 2 consts + call 5 + i64.store 1
    // + 2 consts + call 5 + call 5 = 35.
    expect(counterIn(await ic.queryCall(id, 'shapes'))).toBe(35n + 5n + 4n + 200n);
  });

  it('charges bulk memory operations by size and System API copies by the byte', async () => {
    // Block: 1 + 3 consts + memory.fill 100 + 3 consts + call 5 + 2 consts + call 5 + i64.store 1 + 2 consts + 2 calls 10 = 132;
    // memory.fill of 1000 bytes adds 1000; msg_arg_data_copy of 3 bytes 500 + 3; performance_counter 200.
    const result = await ic.queryCall(id, 'fill', new Uint8Array([1, 2, 3]));
    expect(counterIn(result)).toBe(132n + 1000n + 503n + 200n);
  });

  it("rejects a query that crosses the IC's 5 billion instruction limit with IC0522", async () => {
    expect(await ic.queryCall(id, 'spin')).toEqual({
      kind: 'rejected',
      code: 5,
      errorCode: 'IC0522',
      message: `Error from Canister ${id.toText()}: Canister exceeded the limit of 5000000000 instructions for single message execution.`
    });
    // It stops at the first loop entry past the limit: each iteration costs 3 consts + memory.fill 100 + br 2 + 1 MiB.
    const perIteration = 105 + 1_048_576;
    const [record] = records;
    expect(record?.trapped).toBe(true);
    expect(record?.instructions).toBeGreaterThan(5_000_000_000);
    expect(record?.instructions).toBeLessThanOrEqual(5_000_000_000 + perIteration);
  });

  it('lets an update run past the query limit and past one 2-billion slice, as deterministic time slicing does', async () => {
    // 6,000 iterations of a 1 MiB fill: about 6.3 billion instructions.
    const counted = counterIn(await ic.updateCall(id, 'fill_times', u32(6_000), { sender: controller }));
    // Entry block: 1 + 3 consts + call 5 + i32.const 1 + i32.load 1 + local.set 1 + loop 0 = 12; msg_arg_data_copy 500 + 4 bytes.
    // Loop body: 3 consts + fill 100 + local.get 1 + i32.const 1 + i32.sub 1 + local.tee 1 + br_if 2 = 109, plus 1 MiB.
    // After the loop, one block charged on entry: 2 consts + call 5 + i64.store 1 + 2 consts + call 5 + call 5 + end 0 = 20;
    // performance_counter 200 (the reply's costs come after it).
    expect(counted).toBe(12n + 504n + 6_000n * (109n + 1_048_576n) + 20n + 200n);
  });

  it('rejects an update past the 40 billion limit and keeps none of its changes', async () => {
    const result = await ic.updateCall(id, 'spin_update', new Uint8Array(), { sender: controller });
    expect(result).toMatchObject({
      kind: 'rejected',
      code: 5,
      errorCode: 'IC0522',
      message: `Error from Canister ${id.toText()}: Canister exceeded the limit of 40000000000 instructions for single message execution.`
    });
    const global = await ic.queryCall(id, 'read_global');
    expect(global.kind === 'replied' && new DataView(global.reply.buffer, global.reply.byteOffset).getUint32(0, true)).toBe(0);
  });
});

/** An update that calls raw_rand and replies from its callback with performance_counter(0) and (1). */
const TWO_HALVES_WAT = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "performance_counter" (func $pc (param i32) (result i64)))
  (import "ic0" "call_new" (func $call_new (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "ic0" "call_perform" (func $call_perform (result i32)))
  (memory 1)
  (table 1 funcref)
  (elem (i32.const 0) $on_reply)
  (data (i32.const 100) "raw_rand")
  (func (export "canister_update two_halves")
    i32.const 0
    i32.const 0
    i32.const 100
    i32.const 8
    i32.const 0
    i32.const 0
    i32.const 0
    i32.const 0
    call $call_new
    call $call_perform
    drop)
  (func $on_reply (param $env i32)
    i32.const 0
    i32.const 0
    call $pc
    i64.store
    i32.const 8
    i32.const 1
    call $pc
    i64.store
    i32.const 0
    i32.const 16
    call $append
    call $reply)
)`;

describe('performance_counter across the executions of one call context', () => {
  it('counts type 1 from the start of the call context, type 0 from the start of the callback', async () => {
    const ic = await LocalIc.create();
    const id = await ic.createCanister({ controllers: [controller], sender: controller, cycles: 10n ** 15n });
    await ic.installCode(id, watToWasmExact(TWO_HALVES_WAT), new Uint8Array(), { sender: controller });
    const result = await ic.updateCall(id, 'two_halves', new Uint8Array(), { sender: controller });
    if (result.kind !== 'replied') throw new Error(result.message);
    const view = new DataView(result.reply.buffer, result.reply.byteOffset);
    // The update: 1 + 8 consts + call 5 + call 5 + drop 1 = 20; call_new 1,500 + 8 bytes of method name
    // (the management canister's id is empty); call_perform 5,000: 6,528 in all.
    // The callback's block: 1 + (2 consts + call 5 + i64.store 1) * 2 + 2 consts + call 5 + call 5 = 29.
    expect(view.getBigUint64(0, true)).toBe(29n + 200n);
    expect(view.getBigUint64(8, true)).toBe(6_528n + 29n + 200n + 200n);
  });
});

/** A canister_init that runs 40,000 fills of 1 MiB: more than an update may use. */
const LONG_INIT_WAT = `(module
  (memory 16)${fillLoop('canister_init', 40_000)})`;

describe('the install limit', () => {
  it('lets an install use more than an update may, charging the compilation of every Wasm instruction too', async () => {
    const ic = await LocalIc.create();
    const id = await ic.createCanister({ controllers: [controller], sender: controller, cycles: 10n ** 15n });
    const records: InstructionRecord[] = [];
    const stop = observeInstructions((record) => records.push(record));
    try {
      await ic.installCode(id, watToWasmExact(LONG_INIT_WAT), new Uint8Array(), { sender: controller });
    } finally {
      stop();
    }
    // Compilation: 14 Wasm instructions (i32.const, local.set, loop, 3 i32.const, memory.fill, local.get,
    // i32.const, i32.sub, local.tee, br_if, end, end) at 6,000 each = 84,000.
    // canister_init: entry 1 + i32.const 1 + local.set 1 + loop 0 = 3; 40,000 loop bodies of
    // 3 consts + memory.fill 100 + local.get 1 + i32.const 1 + i32.sub 1 + local.tee 1 + br_if 2 = 109, plus 1 MiB each.
    const init = 3 + 40_000 * (109 + 1_048_576);
    expect(init).toBeGreaterThan(40_000_000_000);
    expect(records).toEqual([
      expect.objectContaining({ kind: 'I', entry: 'canister_init', instructions: init, trapped: false }),
      expect.objectContaining({ kind: 'install_code', entry: 'install', instructions: 84_000 + init, trapped: false })
    ]);
  });
});

describe('instruction limits of inspect_message and refused modules', () => {
  it('rejects ingress whose canister_inspect_message crosses 200 million instructions', async () => {
    const ic = await LocalIc.create();
    const id = await ic.createCanister({ controllers: [controller], sender: controller, cycles: 10n ** 15n });
    await ic.installCode(id, watToWasmExact(meteredWat(INSPECT_PAST_LIMIT)), new Uint8Array(), { sender: controller });
    // 200 iterations of a 1 MiB fill: 209.7 million instructions.
    expect(await ic.updateCall(id, 'fill_times', u32(1), { sender: controller })).toMatchObject({
      kind: 'rejected',
      errorCode: 'IC0522',
      message: `Error from Canister ${id.toText()}: Canister exceeded the limit of 200000000 instructions for single message execution.`
    });
  });

  it('refuses a module with instructions the metering does not decode (SIMD), naming them', async () => {
    const ic = await LocalIc.create();
    const id = await ic.createCanister({ controllers: [controller], sender: controller });
    const simd = watToWasmExact(`(module (func (export "canister_update f") (drop (v128.const i64x2 0 0))))`);
    await expect(ic.installCode(id, simd, new Uint8Array(), { sender: controller })).rejects.toThrow(/does not decode SIMD \(0xFD\) instructions/);
  });
});
