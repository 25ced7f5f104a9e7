import type { ByteWriter } from './byte_writer.js';
import { PREFIX_FC_WEIGHTS, SINGLE_BYTE_WEIGHTS, SIZED_BULK_OPERATIONS } from './instruction_weights.js';

/** A function body the metering pass cannot decode: the module is refused rather than run unmetered. */
export class MeteringDecodeError extends Error {}

/** Indices the injected code refers to. */
export interface MeteringIndices {
  /** The i64 instruction counter (counts down; negative means the limit is crossed). */
  readonly counterGlobal: number;
  /** `() -> ()`: called when the counter is negative at a loop or function entry; traps. */
  readonly outOfInstructionsFunction: number;
  /** `(i32) -> (i32)`: charges its argument (a bulk operation's size) and returns it. */
  readonly chargeSizeFunction: number;
}

/** What the function being metered looks like from outside. */
export interface FunctionShape {
  readonly paramCount: number;
  /** The block type of a block yielding the function's results (0x40, a value type, or an encoded type index). */
  readonly resultBlockType: readonly number[];
}

const enum Point {
  /** Start of a function or loop body: charge, then stop if the counter is negative. */
  Reentrant = 0,
  /** Start of any other basic block: charge only. */
  Plain = 1,
  /** Just before a bulk memory or table operation: charge its size operand. */
  Size = 2,
  /** Before a call, `return` or `unreachable`: store the function's counter in the global. */
  Flush = 3,
  /** After a call: take the counter back from the global (the callee and the System API change it). */
  Reload = 4
}

const OP_BLOCK = 0x02;
const OP_IF = 0x04;
const OP_LOCAL_GET = 0x20;
const OP_LOCAL_SET = 0x21;
const OP_LOCAL_TEE = 0x22;
const OP_END = 0x0b;
const OP_CALL = 0x10;
const OP_GLOBAL_GET = 0x23;
const OP_GLOBAL_SET = 0x24;
const OP_I64_CONST = 0x42;
const OP_I64_LT_S = 0x53;
const OP_I64_SUB = 0x7d;
const BLOCK_TYPE_EMPTY = 0x40;

/** Value types that fit in one byte (numbers, vectors, funcref, externref). */
function isSingleByteValueType(byte: number): boolean {
  return (byte >= 0x7b && byte <= 0x7f) || byte === 0x70 || byte === 0x6f;
}

/**
 * Decodes one function body, works out its basic blocks as the replica does
 * (a block ends after `if`, `else`, `loop`, `end`, a branch, `return`,
 * `unreachable` or a tail call; a function body and a loop body are
 * re-entrant), and writes the body with a counter decrement at the start of
 * every block whose instructions cost something (a limit check as well where
 * the block is re-entrant) and a size charge before every sized bulk
 * operation, into `out` (without the body's size prefix). Returns the number of
 * Wasm instructions decoded.
 *
 * The counts are the replica's; the bookkeeping differs for speed: the
 * function keeps the counter in a local of its own (a register, where a global
 * would chain every block through memory) and exchanges it with the global
 * around calls, at `return` and `unreachable`, and when it ends. The body is
 * wrapped in a block so that a branch out of the function also passes the
 * final store. A Wasm trap (out-of-bounds access, division by zero) loses the
 * charges since the last exchange; the limit checks never do.
 */
export function meterFunctionBody(
  bytes: Uint8Array,
  bodyStart: number,
  bodyEnd: number,
  indices: MeteringIndices,
  shape: FunctionShape,
  out: ByteWriter,
  functionIndex: number
): number {
  let offset = bodyStart;
  const fail = (what: string): never => {
    throw new MeteringDecodeError(`function ${functionIndex}: ${what} at byte ${offset}`);
  };
  const readByte = (): number => {
    if (offset >= bodyEnd) fail('the body ends in the middle of an instruction');
    return bytes[offset++] as number;
  };
  const readU32 = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = readByte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 28) fail('an over-long LEB128 number');
    }
  };
  const skipLeb = (): void => {
    while ((readByte() & 0x80) !== 0) {
      /* continue */
    }
  };
  const skip = (count: number): void => {
    if (offset + count > bodyEnd) fail('the body ends in the middle of an instruction');
    offset += count;
  };
  const skipBlockType = (): void => {
    const first = bytes[offset] as number;
    if (first === BLOCK_TYPE_EMPTY || isSingleByteValueType(first)) offset++;
    else skipLeb(); // a type index (s33)
  };
  const skipMemoryArgument = (): void => {
    const align = readU32();
    if ((align & 0x40) !== 0) readU32(); // multi-memory: a memory index follows
    skipLeb(); // offset
  };

  // Locals: copied as they are, plus the counter's local after them.
  const localGroups = readU32();
  const groupsStart = offset;
  let localCount = shape.paramCount;
  for (let i = 0; i < localGroups; i++) {
    localCount += readU32();
    const type = readByte();
    if (!isSingleByteValueType(type)) fail(`an unsupported local type 0x${type.toString(16)}`);
  }
  const codeStart = offset;
  const counterLocal = localCount;

  // Pass 1: positions and costs of the injection points, in code order.
  const positions: number[] = [];
  const kinds: Point[] = [];
  const costs: number[] = [];
  let blockStart = codeStart;
  let blockKind: Point = Point.Reentrant;
  let blockCost = 1; // even an empty function costs something, as in the replica
  let instructionCount = 0;
  // Points inside a block come after the block's own point (which is known only at its end).
  const pendingPositions: number[] = [];
  const pendingKinds: Point[] = [];
  const inside = (position: number, kind: Point): void => {
    pendingPositions.push(position);
    pendingKinds.push(kind);
  };
  const endBlock = (next: Point): void => {
    if (blockKind === Point.Reentrant || blockCost > 0) {
      positions.push(blockStart);
      kinds.push(blockKind);
      costs.push(blockCost);
    }
    for (let i = 0; i < pendingPositions.length; i++) {
      positions.push(pendingPositions[i] as number);
      kinds.push(pendingKinds[i] as Point);
      costs.push(0);
    }
    pendingPositions.length = 0;
    pendingKinds.length = 0;
    blockStart = offset;
    blockKind = next;
    blockCost = 0;
  };

  while (offset < bodyEnd) {
    const instructionStart = offset;
    const opcode = readByte();
    instructionCount++;
    switch (opcode) {
      case 0x00: // unreachable
      case 0x0f: // return
        inside(instructionStart, Point.Flush);
        blockCost += SINGLE_BYTE_WEIGHTS[opcode] as number;
        endBlock(Point.Plain);
        continue;
      case 0x01: // nop
      case 0x1a: // drop
      case 0x1b: // select
      case 0xd1: // ref.is_null
        break;
      case 0x02: // block
        skipBlockType();
        break;
      case 0x03: // loop
        skipBlockType();
        endBlock(Point.Reentrant);
        continue;
      case OP_IF:
        skipBlockType();
        blockCost += SINGLE_BYTE_WEIGHTS[opcode] as number;
        endBlock(Point.Plain);
        continue;
      case 0x05: // else
      case OP_END:
        endBlock(Point.Plain);
        continue;
      case 0x0c: // br
      case 0x0d: // br_if
        readU32();
        blockCost += 2;
        endBlock(Point.Plain);
        continue;
      case 0x0e: {
        // br_table
        const targets = readU32();
        for (let i = 0; i <= targets; i++) readU32();
        blockCost += 2;
        endBlock(Point.Plain);
        continue;
      }
      case OP_CALL:
        readU32();
        inside(instructionStart, Point.Flush);
        inside(offset, Point.Reload);
        break;
      case 0x20: // local.get
      case 0x21: // local.set
      case 0x22: // local.tee
      case OP_GLOBAL_GET:
      case OP_GLOBAL_SET:
      case 0x25: // table.get
      case 0x26: // table.set
      case 0x3f: // memory.size
      case 0x40: // memory.grow
      case 0xd2: // ref.func
        readU32();
        break;
      case 0x11: // call_indirect
        readU32();
        readU32();
        inside(instructionStart, Point.Flush);
        inside(offset, Point.Reload);
        break;
      case 0x12: // return_call
        readU32();
        inside(instructionStart, Point.Flush);
        blockCost += SINGLE_BYTE_WEIGHTS[opcode] as number;
        endBlock(Point.Plain);
        continue;
      case 0x13: // return_call_indirect
        readU32();
        readU32();
        inside(instructionStart, Point.Flush);
        blockCost += SINGLE_BYTE_WEIGHTS[opcode] as number;
        endBlock(Point.Plain);
        continue;
      case 0x1c: {
        // select with value types
        const count = readU32();
        for (let i = 0; i < count; i++) {
          const type = readByte();
          if (!isSingleByteValueType(type)) fail(`an unsupported value type 0x${type.toString(16)} in select`);
        }
        break;
      }
      case 0x41: // i32.const
      case 0x42: // i64.const
        skipLeb();
        break;
      case 0x43: // f32.const
        skip(4);
        break;
      case 0x44: // f64.const
        skip(8);
        break;
      case 0xd0: // ref.null
        skipBlockType();
        break;
      case 0xfc: {
        const sub = readU32();
        const weight = PREFIX_FC_WEIGHTS[sub];
        if (weight === undefined) fail(`an unknown 0xFC-prefixed instruction ${sub}`);
        if (sub >= 8) readU32();
        if (sub === 8 || sub === 10 || sub === 12 || sub === 14) readU32();
        if (SIZED_BULK_OPERATIONS.has(sub)) inside(instructionStart, Point.Size);
        blockCost += weight as number;
        continue;
      }
      default:
        if (opcode >= 0x28 && opcode <= 0x3e) {
          skipMemoryArgument();
          break;
        }
        if (opcode >= 0x45 && opcode <= 0xc4) break; // numeric instructions have no immediates
        fail(unsupportedOpcode(opcode));
    }
    blockCost += SINGLE_BYTE_WEIGHTS[opcode] as number;
  }
  if (offset !== bodyEnd || bytes[bodyEnd - 1] !== OP_END) fail('the body does not end with `end`');
  endBlock(Point.Plain);

  // Pass 2: the body with the injected code.
  const body = out;
  const flush = (): void => {
    body.byte(OP_LOCAL_GET);
    body.u32(counterLocal);
    body.byte(OP_GLOBAL_SET);
    body.u32(indices.counterGlobal);
  };
  const reload = (): void => {
    body.byte(OP_GLOBAL_GET);
    body.u32(indices.counterGlobal);
    body.byte(OP_LOCAL_SET);
    body.u32(counterLocal);
  };
  body.u32(localGroups + 1);
  body.bytes(bytes, groupsStart, codeStart);
  body.byte(1);
  body.byte(0x7e); // one i64 local: the counter
  reload();
  body.byte(OP_BLOCK);
  for (const byte of shape.resultBlockType) body.byte(byte);
  let copied = codeStart;
  for (let i = 0; i < positions.length; i++) {
    const position = positions[i] as number;
    body.bytes(bytes, copied, position);
    copied = position;
    switch (kinds[i] as Point) {
      case Point.Flush:
        flush();
        continue;
      case Point.Reload:
        reload();
        continue;
      case Point.Size:
        flush();
        body.byte(OP_CALL);
        body.u32(indices.chargeSizeFunction);
        reload();
        continue;
      case Point.Plain:
        body.byte(OP_LOCAL_GET);
        body.u32(counterLocal);
        body.byte(OP_I64_CONST);
        body.s64(costs[i] as number);
        body.byte(OP_I64_SUB);
        body.byte(OP_LOCAL_SET);
        body.u32(counterLocal);
        continue;
      case Point.Reentrant:
        body.byte(OP_LOCAL_GET);
        body.u32(counterLocal);
        body.byte(OP_I64_CONST);
        body.s64(costs[i] as number);
        body.byte(OP_I64_SUB);
        body.byte(OP_LOCAL_TEE);
        body.u32(counterLocal);
        body.byte(OP_I64_CONST);
        body.byte(0);
        body.byte(OP_I64_LT_S);
        body.byte(OP_IF);
        body.byte(BLOCK_TYPE_EMPTY);
        flush();
        body.byte(OP_CALL);
        body.u32(indices.outOfInstructionsFunction);
        body.byte(OP_END);
        continue;
    }
  }
  // The function's own `end` closes the wrapping block; then the final store and a new `end`.
  body.bytes(bytes, copied, bodyEnd);
  flush();
  body.byte(OP_END);
  return instructionCount;
}

function unsupportedOpcode(opcode: number): string {
  const family =
    opcode === 0xfd
      ? 'SIMD (0xFD) instructions'
      : opcode === 0xfe
        ? 'atomic (0xFE) instructions'
        : opcode >= 0x06 && opcode <= 0x0a || opcode === 0x18 || opcode === 0x19 || opcode === 0x1f
          ? `exception-handling instruction 0x${opcode.toString(16)}`
          : `opcode 0x${opcode.toString(16)}`;
  return `the local IC's instruction metering does not decode ${family}`;
}
