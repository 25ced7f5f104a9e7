// A one-pass Candid decoder for the common case: a message whose types on the wire are exactly the
// expected ones (what every client sends for the management canister's arguments). @dfinity/candid
// copies the rest of the message for every signed LEB128 of the type table, so a 1 MB upload_chunk
// cost 50–100 ms there; here a blob is read with one copy. Any other message (subtyping: extra or
// missing fields, opt coercions, other types) gets `undefined` and goes to @dfinity/candid, which
// stays the reference for everything this decoder does not recognise, errors included.
import { IDL, idlLabelToId } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { Cursor, Op, readCandidHeader, type Entry } from '../shared/candid_bounds.js';

const MAX_PRINCIPAL_BYTES = 29;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Thrown inside the decoder for anything it leaves to @dfinity/candid. */
class NotExact extends Error {}

/**
 * The values @dfinity/candid's `IDL.decode(types, bytes)` returns, when the message carries exactly
 * `types`; otherwise undefined. Call it after assertBoundedCandid (the bounds hold for both decoders).
 */
export function decodeExactly(types: readonly IDL.Type[], bytes: Uint8Array): unknown[] | undefined {
  try {
    const cursor = new Cursor(bytes);
    const { table, args } = readCandidHeader(cursor);
    if (args.length !== types.length || !types.every((type, i) => sameType(type, args[i]!, table))) return undefined;
    const values = types.map((type, i) => readValue(cursor, type, args[i]!, table));
    return cursor.atEnd ? values : undefined;
  } catch {
    return undefined;
  }
}

const PRIMITIVES: readonly [new (...args: never[]) => IDL.Type, Op][] = [
  [IDL.NullClass, Op.Null],
  [IDL.BoolClass, Op.Bool],
  [IDL.NatClass, Op.Nat],
  [IDL.IntClass, Op.Int],
  [IDL.TextClass, Op.Text],
  [IDL.ReservedClass, Op.Reserved],
  [IDL.PrincipalClass, Op.Principal]
];
const FIXED_NAT_OPS = new Map([[8, Op.Nat8], [16, Op.Nat16], [32, Op.Nat32], [64, Op.Nat64]]);
const FIXED_INT_OPS = new Map([[8, Op.Int8], [16, Op.Int16], [32, Op.Int32], [64, Op.Int64]]);
const FIXED_WIDTHS = new Map<Op, { readonly bits: number; readonly signed: boolean }>([
  ...[...FIXED_NAT_OPS].map(([bits, op]) => [op, { bits, signed: false }] as const),
  ...[...FIXED_INT_OPS].map(([bits, op]) => [op, { bits, signed: true }] as const)
]);

/** Whether the wire type `wire` is the expected type itself (the expected types are never recursive, so this ends). */
function sameType(expected: IDL.Type, wire: number, table: readonly Entry[]): boolean {
  if (wire < 0) return primitiveOp(expected) === wire;
  const entry = table[wire]!;
  if (expected instanceof IDL.OptClass) return entry.op === Op.Opt && sameType(expected._type, entry.inner, table);
  if (expected instanceof IDL.VecClass) {
    // Other fixed-width vectors come back as typed arrays from @dfinity/candid; they are left to it.
    const element = expected._type;
    if ((element instanceof IDL.FixedNatClass || element instanceof IDL.FixedIntClass) && !isBlobElement(element)) return false;
    return entry.op === Op.Vec && sameType(element, entry.inner, table);
  }
  if (expected instanceof IDL.TupleClass) return false;
  if (expected instanceof IDL.RecordClass || expected instanceof IDL.VariantClass) {
    const op = expected instanceof IDL.RecordClass ? Op.Record : Op.Variant;
    if (entry.op !== op) return false;
    const fields = expected._fields;
    return (
      fields.length === entry.fields.length &&
      fields.every(([name, type], i) => entry.fields[i]!.id === idlLabelToId(name) && sameType(type, entry.fields[i]!.type, table))
    );
  }
  return false;
}

function primitiveOp(expected: IDL.Type): Op | undefined {
  if (expected instanceof IDL.FixedNatClass) return FIXED_NAT_OPS.get(expected._bits);
  if (expected instanceof IDL.FixedIntClass) return FIXED_INT_OPS.get(expected._bits);
  return PRIMITIVES.find(([type]) => expected instanceof type)?.[1];
}

function isBlobElement(element: IDL.Type): boolean {
  return element instanceof IDL.FixedNatClass && element._bits === 8;
}

/** Reads one value of a type sameType accepted, in @dfinity/candid's representation. */
function readValue(cursor: Cursor, expected: IDL.Type, wire: number, table: readonly Entry[]): unknown {
  if (wire < 0) return readPrimitive(cursor, wire as Op);
  if (expected instanceof IDL.OptClass) {
    const tag = cursor.byte();
    if (tag > 1) throw new NotExact();
    return tag === 0 ? [] : [readValue(cursor, expected._type, innerOf(table[wire]!), table)];
  }
  if (expected instanceof IDL.VecClass) {
    const length = natural(cursor);
    const inner = innerOf(table[wire]!);
    if (inner === Op.Nat8) return cursor.take(length).slice();
    return Array.from({ length }, () => readValue(cursor, expected._type, inner, table));
  }
  const entry = table[wire]!;
  if (entry.op === Op.Record && expected instanceof IDL.RecordClass) {
    return Object.fromEntries(expected._fields.map(([name, type], i) => [name, readValue(cursor, type, entry.fields[i]!.type, table)]));
  }
  if (entry.op === Op.Variant && expected instanceof IDL.VariantClass) {
    const index = natural(cursor);
    const field = expected._fields[index];
    if (field === undefined) throw new NotExact();
    return { [field[0]]: readValue(cursor, field[1], entry.fields[index]!.type, table) };
  }
  throw new NotExact();
}

function innerOf(entry: Entry): number {
  if (entry.op !== Op.Opt && entry.op !== Op.Vec) throw new NotExact();
  return entry.inner;
}

function readPrimitive(cursor: Cursor, op: Op): unknown {
  switch (op) {
    case Op.Null:
    case Op.Reserved:
      return null;
    case Op.Bool: {
      const byte = cursor.byte();
      if (byte > 1) throw new NotExact();
      return byte === 1;
    }
    case Op.Nat:
      return leb128(cursor, false);
    case Op.Int:
      return leb128(cursor, true);
    case Op.Nat8:
    case Op.Nat16:
    case Op.Nat32:
    case Op.Nat64:
    case Op.Int8:
    case Op.Int16:
    case Op.Int32:
    case Op.Int64:
      return fixedWidth(cursor, op);
    case Op.Text:
      return utf8.decode(cursor.take(natural(cursor)));
    case Op.Principal: {
      if (cursor.byte() !== 1) throw new NotExact();
      const length = natural(cursor);
      if (length > MAX_PRINCIPAL_BYTES) throw new NotExact();
      return Principal.fromUint8Array(cursor.take(length).slice());
    }
    default:
      throw new NotExact();
  }
}

/** nat8…nat64 and int8…int64, little-endian: numbers up to 32 bits, bigints for 64 (as @dfinity/candid). */
function fixedWidth(cursor: Cursor, op: Op): number | bigint {
  const { bits, signed } = FIXED_WIDTHS.get(op)!;
  const bytes = cursor.take(bits / 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (bits) {
    case 8:
      return signed ? view.getInt8(0) : view.getUint8(0);
    case 16:
      return signed ? view.getInt16(0, true) : view.getUint16(0, true);
    case 32:
      return signed ? view.getInt32(0, true) : view.getUint32(0, true);
    default:
      return signed ? view.getBigInt64(0, true) : view.getBigUint64(0, true);
  }
}

/** A LEB128 length or index as a number (assertBoundedCandid has bounded its encoding). */
function natural(cursor: Cursor): number {
  const value = leb128(cursor, false);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new NotExact();
  return Number(value);
}

function leb128(cursor: Cursor, signed: boolean): bigint {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    const byte = cursor.byte();
    value |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if ((byte & 0x80) === 0) return signed && (byte & 0x40) !== 0 ? value - (1n << shift) : value;
  }
}
