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
  return new BodyMeter(bytes, bodyStart, bodyEnd, functionIndex).meter(indices, shape, out);
}

/** One function body being decoded and rewritten (methods, not closures: this runs for every function of a 3 MB module). */
class BodyMeter {
  private offset: number;
  // The injection points, in code order.
  readonly positions: number[] = [];
  readonly kinds: Point[] = [];
  readonly costs: number[] = [];
  // Points inside the current block: they come after the block's own point, known only at its end.
  private readonly pendingPositions: number[] = [];
  private readonly pendingKinds: Point[] = [];
  private blockStart = 0;
  private blockKind: Point = Point.Reentrant;
  private blockCost = 0;

  constructor(
    private readonly bytes: Uint8Array,
    bodyStart: number,
    private readonly bodyEnd: number,
    private readonly functionIndex: number
  ) {
    this.offset = bodyStart;
  }

  meter(indices: MeteringIndices, shape: FunctionShape, out: ByteWriter): number {
    const { bytes, bodyEnd } = this;
    // Locals: copied as they are, plus the counter's local after them.
    const localGroups = this.readU32();
    const groupsStart = this.offset;
    let localCount = shape.paramCount;
    for (let i = 0; i < localGroups; i++) {
      localCount += this.readU32();
      const type = this.readByte();
      if (!isSingleByteValueType(type)) this.fail(`an unsupported local type 0x${type.toString(16)}`);
    }
    const codeStart = this.offset;
    const instructionCount = this.findPoints(codeStart);
    if (this.offset !== bodyEnd || bytes[bodyEnd - 1] !== OP_END) this.fail('the body does not end with `end`');
    new BodyWriter(out, indices.counterGlobal, localCount).write(
      bytes,
      { groupsStart, localGroups, codeStart, bodyEnd },
      shape.resultBlockType,
      this,
      indices
    );
    return instructionCount;
  }

  /** Pass 1: positions and costs of the injection points. Returns the number of instructions. */
  private findPoints(codeStart: number): number {
    const bodyEnd = this.bodyEnd;
    this.blockStart = codeStart;
    this.blockKind = Point.Reentrant;
    this.blockCost = 1; // even an empty function costs something, as in the replica
    let instructionCount = 0;
    while (this.offset < bodyEnd) {
      const instructionStart = this.offset;
      const opcode = this.readByte();
      instructionCount++;
      switch (opcode) {
        case 0x00: // unreachable
        case 0x0f: // return
          this.inside(instructionStart, Point.Flush);
          this.blockCost += SINGLE_BYTE_WEIGHTS[opcode] as number;
          this.endBlock(Point.Plain);
          continue;
        case 0x01: // nop
        case 0x1a: // drop
        case 0x1b: // select
        case 0xd1: // ref.is_null
          break;
        case OP_BLOCK:
          this.skipBlockType();
          break;
        case 0x03: // loop
          this.skipBlockType();
          this.endBlock(Point.Reentrant);
          continue;
        case OP_IF:
          this.skipBlockType();
          this.blockCost += SINGLE_BYTE_WEIGHTS[opcode] as number;
          this.endBlock(Point.Plain);
          continue;
        case 0x05: // else
        case OP_END:
          this.endBlock(Point.Plain);
          continue;
        case 0x0c: // br
        case 0x0d: // br_if
          this.readU32();
          this.blockCost += 2;
          this.endBlock(Point.Plain);
          continue;
        case 0x0e: {
          // br_table
          const targets = this.readU32();
          for (let i = 0; i <= targets; i++) this.readU32();
          this.blockCost += 2;
          this.endBlock(Point.Plain);
          continue;
        }
        case OP_CALL:
          this.readU32();
          this.inside(instructionStart, Point.Flush);
          this.inside(this.offset, Point.Reload);
          break;
        case 0x11: // call_indirect
          this.readU32();
          this.readU32();
          this.inside(instructionStart, Point.Flush);
          this.inside(this.offset, Point.Reload);
          break;
        case 0x12: // return_call
        case 0x13: // return_call_indirect
          this.readU32();
          if (opcode === 0x13) this.readU32();
          this.inside(instructionStart, Point.Flush);
          this.blockCost += SINGLE_BYTE_WEIGHTS[opcode] as number;
          this.endBlock(Point.Plain);
          continue;
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
          this.readU32();
          break;
        case 0x1c: {
          // select with value types
          const count = this.readU32();
          for (let i = 0; i < count; i++) {
            const type = this.readByte();
            if (!isSingleByteValueType(type)) this.fail(`an unsupported value type 0x${type.toString(16)} in select`);
          }
          break;
        }
        case 0x41: // i32.const
        case 0x42: // i64.const
          this.skipLeb();
          break;
        case 0x43: // f32.const
          this.skip(4);
          break;
        case 0x44: // f64.const
          this.skip(8);
          break;
        case 0xd0: // ref.null
          this.skipBlockType();
          break;
        case 0xfc: {
          const sub = this.readU32();
          const weight = PREFIX_FC_WEIGHTS[sub];
          if (weight === undefined) this.fail(`an unknown 0xFC-prefixed instruction ${sub}`);
          if (sub >= 8) this.readU32();
          if (sub === 8 || sub === 10 || sub === 12 || sub === 14) this.readU32();
          if (SIZED_BULK_OPERATIONS.has(sub)) this.inside(instructionStart, Point.Size);
          this.blockCost += weight as number;
          continue;
        }
        default:
          if (opcode >= 0x28 && opcode <= 0x3e) {
            this.skipMemoryArgument();
            break;
          }
          if (opcode >= 0x45 && opcode <= 0xc4) break; // numeric instructions have no immediates
          this.fail(unsupportedOpcode(opcode));
      }
      this.blockCost += SINGLE_BYTE_WEIGHTS[opcode] as number;
    }
    this.endBlock(Point.Plain);
    return instructionCount;
  }

  private inside(position: number, kind: Point): void {
    this.pendingPositions.push(position);
    this.pendingKinds.push(kind);
  }

  private endBlock(next: Point): void {
    if (this.blockKind === Point.Reentrant || this.blockCost > 0) {
      this.positions.push(this.blockStart);
      this.kinds.push(this.blockKind);
      this.costs.push(this.blockCost);
    }
    for (let i = 0; i < this.pendingPositions.length; i++) {
      this.positions.push(this.pendingPositions[i] as number);
      this.kinds.push(this.pendingKinds[i] as Point);
      this.costs.push(0);
    }
    this.pendingPositions.length = 0;
    this.pendingKinds.length = 0;
    this.blockStart = this.offset;
    this.blockKind = next;
    this.blockCost = 0;
  }

  private fail(what: string): never {
    throw new MeteringDecodeError(`function ${this.functionIndex}: ${what} at byte ${this.offset}`);
  }

  private readByte(): number {
    if (this.offset >= this.bodyEnd) this.fail('the body ends in the middle of an instruction');
    return this.bytes[this.offset++] as number;
  }

  private readU32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.readByte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 28) this.fail('an over-long LEB128 number');
    }
  }

  private skipLeb(): void {
    while ((this.readByte() & 0x80) !== 0) {
      /* continue */
    }
  }

  private skip(count: number): void {
    if (this.offset + count > this.bodyEnd) this.fail('the body ends in the middle of an instruction');
    this.offset += count;
  }

  private skipBlockType(): void {
    const first = this.bytes[this.offset] as number;
    if (first === BLOCK_TYPE_EMPTY || isSingleByteValueType(first)) this.offset++;
    else this.skipLeb(); // a type index (s33)
  }

  private skipMemoryArgument(): void {
    const align = this.readU32();
    if ((align & 0x40) !== 0) this.readU32(); // multi-memory: a memory index follows
    this.skipLeb(); // offset
  }
}

interface BodyLayout {
  readonly groupsStart: number;
  readonly localGroups: number;
  readonly codeStart: number;
  readonly bodyEnd: number;
}

/** Pass 2: the body with the injected code. */
class BodyWriter {
  constructor(
    private readonly out: ByteWriter,
    private readonly counterGlobal: number,
    private readonly counterLocal: number
  ) {}

  write(bytes: Uint8Array, layout: BodyLayout, resultBlockType: readonly number[], points: BodyMeter, indices: MeteringIndices): void {
    const out = this.out;
    out.u32(layout.localGroups + 1);
    out.bytes(bytes, layout.groupsStart, layout.codeStart);
    out.byte(1);
    out.byte(0x7e); // one i64 local: the counter
    this.reload();
    out.byte(OP_BLOCK);
    for (const byte of resultBlockType) out.byte(byte);
    let copied = layout.codeStart;
    const { positions, kinds, costs } = points;
    for (let i = 0; i < positions.length; i++) {
      const position = positions[i] as number;
      out.bytes(bytes, copied, position);
      copied = position;
      switch (kinds[i] as Point) {
        case Point.Flush:
          this.flush();
          break;
        case Point.Reload:
          this.reload();
          break;
        case Point.Size:
          this.flush();
          out.byte(OP_CALL);
          out.u32(indices.chargeSizeFunction);
          this.reload();
          break;
        case Point.Plain:
          this.subtract(costs[i] as number);
          out.byte(OP_LOCAL_SET);
          out.u32(this.counterLocal);
          break;
        case Point.Reentrant:
          this.subtract(costs[i] as number);
          out.byte(OP_LOCAL_TEE);
          out.u32(this.counterLocal);
          out.byte(OP_I64_CONST);
          out.byte(0);
          out.byte(OP_I64_LT_S);
          out.byte(OP_IF);
          out.byte(BLOCK_TYPE_EMPTY);
          this.flush();
          out.byte(OP_CALL);
          out.u32(indices.outOfInstructionsFunction);
          out.byte(OP_END);
          break;
      }
    }
    // The function's own `end` closes the wrapping block; then the final store and a new `end`.
    out.bytes(bytes, copied, layout.bodyEnd);
    this.flush();
    out.byte(OP_END);
  }

  private subtract(cost: number): void {
    this.out.byte(OP_LOCAL_GET);
    this.out.u32(this.counterLocal);
    this.out.byte(OP_I64_CONST);
    this.out.s64(cost);
    this.out.byte(OP_I64_SUB);
  }

  private flush(): void {
    this.out.byte(OP_LOCAL_GET);
    this.out.u32(this.counterLocal);
    this.out.byte(OP_GLOBAL_SET);
    this.out.u32(this.counterGlobal);
  }

  private reload(): void {
    this.out.byte(OP_GLOBAL_GET);
    this.out.u32(this.counterGlobal);
    this.out.byte(OP_LOCAL_SET);
    this.out.u32(this.counterLocal);
  }
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
