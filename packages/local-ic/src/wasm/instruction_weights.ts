/**
 * What one WebAssembly instruction costs in IC instructions: the weights of the
 * replica's metering (dfinity/ic, `rs/embedders/src/wasm_utils/instrumentation.rs`,
 * the function that maps an operator to its cost, for 32-bit memories). Block
 * markers cost nothing, most integer operations 1, division and remainder 10,
 * calls 5 (indirect 10), branches 2, global access 2, `memory.grow` 300 and so on.
 * Operators the replica does not list cost 1, as there.
 *
 * Bulk memory and table operations (`memory.copy`, `memory.fill`,
 * `memory.init`, `table.copy`, `table.fill`, `table.init`) cost their weight
 * here plus their size operand at run time (see function_body_metering.ts).
 */

/** Weights of the one-byte opcodes, indexed by opcode. */
export const SINGLE_BYTE_WEIGHTS: Uint16Array = buildSingleByteWeights();

/** Weights of the 0xFC-prefixed opcodes (saturating truncations, bulk memory, tables), by sub-opcode. */
export const PREFIX_FC_WEIGHTS: readonly number[] = [
  20, 20, 20, 20, 20, 20, 20, 20, // i32/i64.trunc_sat_f32/f64_s/u: float handling, as the trapping truncations
  100, // memory.init (plus its size at run time)
  300, // data.drop
  100, // memory.copy (plus its size)
  100, // memory.fill (plus its size)
  100, // table.init (plus its size)
  300, // elem.drop
  100, // table.copy (plus its size)
  300, // table.grow: calls into the system, like memory.grow
  100, // table.size
  100 // table.fill (plus its size)
];

/** 0xFC sub-opcodes whose size operand (on top of the stack, an i32) is charged at run time. */
export const SIZED_BULK_OPERATIONS: ReadonlySet<number> = new Set([8, 10, 11, 12, 14, 17]);

function buildSingleByteWeights(): Uint16Array {
  const weights = new Uint16Array(256).fill(1);
  const set = (cost: number, ...opcodes: number[]): void => {
    for (const opcode of opcodes) weights[opcode] = cost;
  };
  const range = (cost: number, first: number, last: number): void => {
    for (let opcode = first; opcode <= last; opcode++) weights[opcode] = cost;
  };
  set(0, 0x02, 0x03, 0x05, 0x0b); // block, loop, else, end: markers only
  set(2, 0x04, 0x0c, 0x0d, 0x0e); // if, br, br_if, br_table
  set(1, 0x00, 0x01, 0x0f, 0x1a, 0x1b, 0x1c); // unreachable, nop, return, drop, select
  set(5, 0x10); // call
  set(10, 0x11); // call_indirect
  set(3, 0x12); // return_call
  set(60, 0x13); // return_call_indirect
  range(1, 0x20, 0x22); // local.get/set/tee
  set(2, 0x23, 0x24); // global.get/set
  set(5, 0x25, 0x26); // table.get/set
  range(1, 0x28, 0x3e); // loads and stores (32-bit memory)
  set(20, 0x3f); // memory.size
  set(300, 0x40); // memory.grow
  range(1, 0x41, 0x44); // constants
  range(1, 0x45, 0x5a); // integer comparisons
  range(3, 0x5b, 0x66); // float comparisons
  range(1, 0x67, 0x8a); // integer arithmetic and bit operations ...
  set(10, 0x6d, 0x6e, 0x6f, 0x70, 0x7f, 0x80, 0x81, 0x82); // ... except division and remainder
  // f32 arithmetic
  set(1, 0x8b, 0x8c); // abs, neg
  set(2, 0x8d, 0x8e, 0x8f, 0x90); // ceil, floor, trunc, nearest
  set(5, 0x91); // sqrt
  set(2, 0x92, 0x93, 0x94); // add, sub, mul
  set(3, 0x95); // div
  set(18, 0x96, 0x97); // min, max
  set(2, 0x98); // copysign
  // f64 arithmetic
  set(1, 0x99, 0x9a);
  set(2, 0x9b, 0x9c, 0x9d, 0x9e);
  set(8, 0x9f);
  set(2, 0xa0, 0xa1, 0xa2);
  set(5, 0xa3);
  set(18, 0xa4, 0xa5);
  set(3, 0xa6);
  // conversions
  set(1, 0xa7, 0xac, 0xad, 0xb6, 0xbb); // wrap, extend_i32_s/u, demote, promote
  range(20, 0xa8, 0xab); // i32.trunc_f32/f64_s/u
  range(20, 0xae, 0xb1); // i64.trunc_f32/f64_s/u
  set(3, 0xb2, 0xb4, 0xb7, 0xb9); // convert from signed integers
  set(16, 0xb3, 0xb5, 0xb8, 0xba); // convert from unsigned integers
  range(1, 0xbc, 0xbf); // reinterpretations
  range(1, 0xc0, 0xc4); // sign extension
  set(1, 0xd0); // ref.null
  set(5, 0xd1); // ref.is_null
  set(130, 0xd2); // ref.func
  return weights;
}
