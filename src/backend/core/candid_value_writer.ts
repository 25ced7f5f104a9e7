// Candid value encoding (the part of a message after the type table) in one pass into one growing
// buffer. @dfinity/candid's encodeValue allocates a buffer per value and encodes every nat64 and
// LEB128 length with BigInt division: in the canister's JavaScript interpreter that made the
// `metrics` reply 9 M instructions. The output is byte for byte `type.encodeValue(value)`; types
// this writer does not handle itself (int, floats, recursive, func, service) are appended from
// their own encodeValue.
import { IDL } from '@dfinity/candid';

const UTF8 = new TextEncoder();
const TWO_TO_32 = 0x1_0000_0000;

class ByteWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  private reserve(count: number): void {
    if (this.length + count <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + count));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  bytes(values: Uint8Array): void {
    this.reserve(values.length);
    this.buffer.set(values, this.length);
    this.length += values.length;
  }

  /** Unsigned LEB128 of a non-negative safe integer. */
  leb128(value: number): void {
    while (value >= 0x80) {
      this.byte((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.byte(value);
  }

  /** Unsigned LEB128 of a non-negative bigint. */
  leb128BigInt(value: bigint): void {
    if (value <= BigInt(Number.MAX_SAFE_INTEGER)) {
      this.leb128(Number(value));
      return;
    }
    while (value >= 0x80n) {
      this.byte(Number(value & 0x7fn) | 0x80);
      value >>= 7n;
    }
    this.byte(Number(value));
  }

  /** A fixed-width unsigned integer, little-endian. */
  unsignedLittleEndian(value: number | bigint, byteCount: number): void {
    if (byteCount <= 4 || (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER))) {
      let rest = Number(value);
      for (let i = 0; i < byteCount; i++) {
        this.byte(rest % 256);
        rest = Math.floor(rest / 256);
      }
      return;
    }
    const big = BigInt(value);
    const low = Number(big & 0xffff_ffffn);
    const high = Number(big >> 32n);
    this.unsignedLittleEndian(low, 4);
    this.unsignedLittleEndian(high % TWO_TO_32, byteCount - 4);
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

class ValueWriter extends IDL.Visitor<unknown, void> {
  constructor(private readonly out: ByteWriter) {
    super();
  }

  /** Everything without a case below: the type's own encoding. */
  override visitType<T>(t: IDL.Type<T>, data: unknown): void {
    this.out.bytes(new Uint8Array(t.encodeValue(data as T)));
  }

  override visitNull(): void {}

  override visitReserved(): void {}

  override visitBool(_t: IDL.BoolClass, data: unknown): void {
    this.out.byte(data ? 1 : 0);
  }

  override visitText(_t: IDL.TextClass, data: unknown): void {
    const bytes = UTF8.encode(data as string);
    this.out.leb128(bytes.length);
    this.out.bytes(bytes);
  }

  override visitNat(_t: IDL.NatClass, data: unknown): void {
    this.out.leb128BigInt(BigInt(data as bigint | number));
  }

  override visitFixedNat(t: IDL.FixedNatClass, data: unknown): void {
    this.out.unsignedLittleEndian(data as number | bigint, t._bits / 8);
  }

  override visitPrincipal(_t: IDL.PrincipalClass, data: unknown): void {
    const bytes = (data as { toUint8Array(): Uint8Array }).toUint8Array();
    this.out.byte(1);
    this.out.leb128(bytes.length);
    this.out.bytes(bytes);
  }

  override visitVec<T>(t: IDL.VecClass<T>, element: IDL.Type<T>, data: unknown): void {
    // Blobs (vec nat8) and typed arrays: the library's own encoding handles their byte layout.
    if (element instanceof IDL.FixedNatClass && element._bits === 8) return this.visitType(t, data);
    if (ArrayBuffer.isView(data)) return this.visitType(t, data);
    const values = data as unknown[];
    this.out.leb128(values.length);
    for (const value of values) element.accept(this, value);
  }

  override visitOpt<T>(_t: IDL.OptClass<T>, inner: IDL.Type<T>, data: unknown): void {
    const option = data as unknown[];
    if (option.length === 0) return this.out.byte(0);
    this.out.byte(1);
    inner.accept(this, option[0]);
  }

  override visitRecord(_t: IDL.RecordClass, fields: Array<[string, IDL.Type]>, data: unknown): void {
    const record = data as Record<string, unknown>;
    for (const [name, type] of fields) type.accept(this, record[name]);
  }

  override visitTuple<T extends unknown[]>(_t: IDL.TupleClass<T>, components: IDL.Type[], data: unknown): void {
    const tuple = data as unknown[];
    components.forEach((type, index) => type.accept(this, tuple[index]));
  }

  override visitVariant(t: IDL.VariantClass, fields: Array<[string, IDL.Type]>, data: unknown): void {
    const variant = data as Record<string, unknown>;
    const index = fields.findIndex(([name]) => Object.prototype.hasOwnProperty.call(variant, name));
    if (index === -1) return this.visitType(t, data); // the library's own error
    this.out.leb128(index);
    fields[index]![1].accept(this, variant[fields[index]![0]]);
  }
}

/** Byte for byte `type.encodeValue(value)`, for a value that `type.covariant` accepts. */
export function encodeCandidValue<T>(type: IDL.Type<T>, value: T): Uint8Array {
  const out = new ByteWriter();
  type.accept(new ValueWriter(out), value);
  return out.result();
}
