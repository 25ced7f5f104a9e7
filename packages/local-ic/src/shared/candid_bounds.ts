/**
 * A bounded walk over a Candid message (Candid spec, "Binary format") before
 * @dfinity/candid decodes it. That decoder does work the message's size does
 * not bound: `vec null` of 2^32 elements is a 14-byte message, it is walked even
 * as an extra record field the expected type skips, and a long nat LEB128 is
 * read with quadratic BigInt shifts. This walk reads every value the decoder
 * would read, by the types on the wire, and refuses the message before any of
 * that happens: at most MAX_CANDID_TYPES type table entries, MAX_CANDID_VALUES
 * values (blob bytes are not counted one by one), values nested at most
 * MAX_CANDID_DEPTH deep, and nat/int encodings of at most MAX_CANDID_LEB_BYTES.
 */

export const MAX_CANDID_TYPES = 1_000;
export const MAX_CANDID_VALUES = 1 << 16;
export const MAX_CANDID_DEPTH = 64;
/** 64 LEB128 bytes hold 448 bits; the IC's widest numbers (cycles) are 128-bit. */
export const MAX_CANDID_LEB_BYTES = 64;

export class CandidBoundsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CandidBoundsError';
  }
}

const MAGIC = [0x44, 0x49, 0x44, 0x4c];

/** Candid type opcodes (spec, "Binary format"). */
export enum Op {
  Null = -1,
  Bool = -2,
  Nat = -3,
  Int = -4,
  Nat8 = -5,
  Nat16 = -6,
  Nat32 = -7,
  Nat64 = -8,
  Int8 = -9,
  Int16 = -10,
  Int32 = -11,
  Int64 = -12,
  Float32 = -13,
  Float64 = -14,
  Text = -15,
  Reserved = -16,
  Empty = -17,
  Opt = -18,
  Vec = -19,
  Record = -20,
  Variant = -21,
  Func = -22,
  Service = -23,
  Principal = -24
}

const FIXED_WIDTH = new Map<number, number>([
  [Op.Null, 0],
  [Op.Reserved, 0],
  [Op.Bool, 1],
  [Op.Nat8, 1],
  [Op.Int8, 1],
  [Op.Nat16, 2],
  [Op.Int16, 2],
  [Op.Nat32, 4],
  [Op.Int32, 4],
  [Op.Float32, 4],
  [Op.Nat64, 8],
  [Op.Int64, 8],
  [Op.Float64, 8]
]);

/** A type table entry; a field's `type` and an `inner` type are opcodes (negative) or table indices. */
export type Entry =
  | { readonly op: Op.Opt | Op.Vec; readonly inner: number }
  | { readonly op: Op.Record | Op.Variant; readonly fields: readonly { readonly id: number; readonly type: number }[] }
  | { readonly op: Op.Func | Op.Service };

export class Cursor {
  private offset = 0;
  private values = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get atEnd(): boolean {
    return this.offset === this.bytes.length;
  }

  /** The next `count` bytes, as a view of the message (not a copy). */
  take(count: number): Uint8Array {
    const start = this.offset;
    this.skip(count);
    return this.bytes.subarray(start, this.offset);
  }

  skip(count: number): void {
    if (count > this.bytes.length - this.offset) throw new CandidBoundsError('Candid message ends early');
    this.offset += count;
  }

  byte(): number {
    const value = this.bytes[this.offset];
    if (value === undefined) throw new CandidBoundsError('Candid message ends early');
    this.offset += 1;
    return value;
  }

  /** Skips a LEB128 number, refusing long encodings; returns its value while it fits a safe integer, else Infinity. */
  leb(signed: boolean): number {
    let value = 0;
    let scale = 1;
    for (let length = 1; ; length++) {
      if (length > MAX_CANDID_LEB_BYTES) throw new CandidBoundsError(`Candid number longer than ${MAX_CANDID_LEB_BYTES} bytes`);
      const next = this.byte();
      value += (next & 0x7f) * scale;
      scale *= 128;
      if ((next & 0x80) === 0) {
        if (signed && (next & 0x40) !== 0) return value - scale;
        return Number.isSafeInteger(value) ? value : Infinity;
      }
    }
  }

  count(values: number): void {
    this.values += values;
    if (this.values > MAX_CANDID_VALUES) throw new CandidBoundsError(`Candid message with more than ${MAX_CANDID_VALUES} values`);
  }
}

/** Throws a CandidBoundsError unless the message can be decoded within the bounds above. */
export function assertBoundedCandid(bytes: Uint8Array): void {
  const cursor = new Cursor(bytes);
  const { table, args } = readCandidHeader(cursor);
  for (const type of args) walkValue(cursor, table, type, 0);
}

/** The message's magic, type table and argument types, within the bounds above; the cursor is left at the first value. */
export function readCandidHeader(cursor: Cursor): { readonly table: readonly Entry[]; readonly args: readonly number[] } {
  for (const expected of MAGIC) if (cursor.byte() !== expected) throw new CandidBoundsError('not a Candid message (no DIDL header)');
  const table = readTypeTable(cursor);
  const argCount = cursor.leb(false);
  if (argCount > MAX_CANDID_VALUES) throw new CandidBoundsError(`Candid message with ${argCount} arguments`);
  const args: number[] = [];
  for (let i = 0; i < argCount; i++) args.push(typeReference(cursor, table.length));
  return { table, args };
}

function readTypeTable(cursor: Cursor): Entry[] {
  const size = cursor.leb(false);
  if (size > MAX_CANDID_TYPES) throw new CandidBoundsError(`Candid type table of ${size} entries; at most ${MAX_CANDID_TYPES}`);
  const table: Entry[] = [];
  for (let i = 0; i < size; i++) {
    const op = cursor.leb(true);
    switch (op) {
      case Op.Opt:
      case Op.Vec:
        table.push({ op, inner: typeReference(cursor, size) });
        break;
      case Op.Record:
      case Op.Variant: {
        const fieldCount = cursor.leb(false);
        cursor.count(fieldCount);
        const fields: { id: number; type: number }[] = [];
        for (let f = 0; f < fieldCount; f++) {
          const id = cursor.leb(false);
          fields.push({ id, type: typeReference(cursor, size) });
        }
        table.push({ op, fields });
        break;
      }
      case Op.Func:
        for (let list = 0; list < 2; list++) {
          const n = cursor.leb(false); // the argument types, then the result types
          cursor.count(n);
          for (let k = 0; k < n; k++) typeReference(cursor, size);
        }
        skipAnnotations(cursor);
        table.push({ op });
        break;
      case Op.Service: {
        const methods = cursor.leb(false);
        cursor.count(methods);
        for (let k = 0; k < methods; k++) {
          cursor.skip(cursor.leb(false));
          typeReference(cursor, size);
        }
        table.push({ op });
        break;
      }
      default:
        throw new CandidBoundsError(`unknown Candid type constructor ${op} in the type table`);
    }
  }
  return table;
}

function skipAnnotations(cursor: Cursor): void {
  const n = cursor.leb(false);
  cursor.count(n);
  cursor.skip(n);
}

/** A type on the wire: a primitive (negative opcode) or an index into the table. */
function typeReference(cursor: Cursor, tableSize: number): number {
  const reference = cursor.leb(true);
  if (reference >= tableSize || (reference < 0 && reference < Op.Principal)) throw new CandidBoundsError(`invalid Candid type reference ${reference}`);
  if (reference < 0 && reference <= Op.Opt && reference >= Op.Service) throw new CandidBoundsError(`Candid type constructor ${reference} used as a type`);
  return reference;
}

function walkValue(cursor: Cursor, table: readonly Entry[], type: number, depth: number): void {
  if (depth > MAX_CANDID_DEPTH) throw new CandidBoundsError(`Candid values nested deeper than ${MAX_CANDID_DEPTH}`);
  cursor.count(1);
  if (type < 0) {
    walkPrimitive(cursor, type);
    return;
  }
  const entry = table[type]!;
  switch (entry.op) {
    case Op.Opt:
      if (cursor.byte() === 1) walkValue(cursor, table, entry.inner, depth + 1);
      return;
    case Op.Vec: {
      const length = cursor.leb(false);
      if (entry.inner === Op.Nat8 || entry.inner === Op.Int8) {
        cursor.skip(length);
        return;
      }
      cursor.count(length);
      for (let i = 0; i < length; i++) walkValue(cursor, table, entry.inner, depth + 1);
      return;
    }
    case Op.Record:
      for (const field of entry.fields) walkValue(cursor, table, field.type, depth + 1);
      return;
    case Op.Variant: {
      const index = cursor.leb(false);
      const field = entry.fields[index];
      if (field === undefined) throw new CandidBoundsError(`Candid variant index ${index} out of range`);
      walkValue(cursor, table, field.type, depth + 1);
      return;
    }
    case Op.Func:
      if (cursor.byte() === 1) {
        skipPrincipal(cursor);
        cursor.skip(cursor.leb(false));
      }
      return;
    case Op.Service:
      if (cursor.byte() === 1) cursor.skip(cursor.leb(false));
      return;
  }
}

function walkPrimitive(cursor: Cursor, type: number): void {
  const width = FIXED_WIDTH.get(type);
  if (width !== undefined) {
    cursor.skip(width);
    return;
  }
  switch (type) {
    case Op.Nat:
      cursor.leb(false);
      return;
    case Op.Int:
      cursor.leb(true);
      return;
    case Op.Text:
      cursor.skip(cursor.leb(false));
      return;
    case Op.Principal:
      skipPrincipal(cursor);
      return;
    default:
      throw new CandidBoundsError(`a Candid value of type ${type} cannot occur`);
  }
}

function skipPrincipal(cursor: Cursor): void {
  if (cursor.byte() !== 1) return;
  cursor.skip(cursor.leb(false));
}
