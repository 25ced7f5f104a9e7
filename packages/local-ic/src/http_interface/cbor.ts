/**
 * The CBOR subset the IC HTTP interface uses (interface spec, "CBOR encoding
 * of requests and responses"): unsigned and negative integers (bignums
 * included), byte and text strings, arrays, maps with text keys, simple
 * values, and the self-describe tag 55799.
 *
 * The decoder is strict because it reads untrusted bodies: truncated input,
 * trailing bytes, duplicate map keys, non-text map keys, floats, unknown tags,
 * invalid UTF-8 and excessive nesting are all refused.
 *
 * SECURITY: it runs before any authentication, on whatever a web page or a
 * peer sends, so its work is linear in the input and bounded: nesting depth,
 * the number of data items, and bignums (the IC has no integer wider than
 * 64 bits: tag 2/3 byte strings longer than 8 bytes are refused, never
 * converted). Declared lengths are checked against the bytes that remain
 * before anything is allocated.
 */

export type CborValue =
  | { readonly type: 'unsigned'; readonly value: bigint }
  | { readonly type: 'negative'; readonly value: bigint }
  | { readonly type: 'bytes'; readonly value: Uint8Array }
  | { readonly type: 'text'; readonly value: string }
  | { readonly type: 'array'; readonly items: readonly CborValue[] }
  | { readonly type: 'map'; readonly entries: ReadonlyMap<string, CborValue> }
  | { readonly type: 'simple'; readonly value: boolean | null | undefined };

export type CborMap = Extract<CborValue, { type: 'map' }>;

/** Values the encoder writes; `undefined` map entries are left out. */
export type CborEncodable =
  | Uint8Array
  | string
  | number
  | bigint
  | boolean
  | null
  | readonly CborEncodable[]
  | CborEncodableMap;

export interface CborEncodableMap {
  readonly [key: string]: CborEncodable | undefined;
}

export class CborDecodeError extends Error {
  readonly code = 'cbor_decode';

  constructor(message: string) {
    super(message);
    this.name = 'CborDecodeError';
  }
}

export const SELF_DESCRIBE_TAG = 55799;
const POSITIVE_BIGNUM_TAG = 2;
const NEGATIVE_BIGNUM_TAG = 3;
/** Requests nest at most a few levels (paths, delegations); this bounds recursion on hostile input. */
export const MAX_CBOR_NESTING = 32;
/**
 * Data items in one request, a bound on the decoder's work (each item costs an
 * allocation). Agents send a few dozen; 20 delegations of 1,000 targets each
 * (the replica's limits, see authentication.ts) fit. Stricter than the replica
 * for one thing: 1,000 read_state paths of 127 labels each (127,000 items) are
 * refused here, while 1,000 short paths still reach the replica's own checks.
 */
export const MAX_CBOR_ITEMS = 1 << 16;
/** A bignum (tag 2 or 3) may carry at most a 64-bit magnitude: the widest integer in the interface. */
export const MAX_CBOR_BIGNUM_BYTES = 8;
const BREAK = Symbol('break');

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_TAG = 6;
const MAJOR_SIMPLE = 7;
const INDEFINITE = 31;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A head's argument: a number below 2^53, a bigint above. */
type Argument = number | bigint;

class Reader {
  private offset = 0;
  private items = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get atEnd(): boolean {
    return this.offset === this.bytes.length;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Counts one more data item against MAX_CBOR_ITEMS. */
  countItem(): void {
    this.items += 1;
    if (this.items > MAX_CBOR_ITEMS) throw new CborDecodeError(`more than ${MAX_CBOR_ITEMS} CBOR data items`);
  }

  byte(): number {
    const value = this.bytes[this.offset];
    if (value === undefined) throw new CborDecodeError('unexpected end of CBOR input');
    this.offset += 1;
    return value;
  }

  take(length: Argument): Uint8Array {
    if (typeof length === 'bigint' || length > this.remaining) throw new CborDecodeError('unexpected end of CBOR input');
    const start = this.offset;
    this.offset += length;
    return this.bytes.subarray(start, this.offset);
  }

  /**
   * The argument of an initial byte, or `undefined` for indefinite length: a
   * number when it is a safe integer (always for lengths that fit the input),
   * so that the hot path does no BigInt arithmetic.
   */
  argument(info: number): Argument | undefined {
    if (info < 24) return info;
    switch (info) {
      case 24:
        return this.byte();
      case 25:
        return this.byte() * 0x100 + this.byte();
      case 26:
        return this.uint32();
      case 27: {
        const high = this.uint32();
        const low = this.uint32();
        return high < 0x20_0000 ? high * 0x1_0000_0000 + low : (BigInt(high) << 32n) | BigInt(low);
      }
      case INDEFINITE:
        return undefined;
      default:
        throw new CborDecodeError(`reserved CBOR additional information ${info}`);
    }
  }

  private uint32(): number {
    return ((this.byte() << 24) >>> 0) + (this.byte() << 16) + (this.byte() << 8) + this.byte();
  }
}

/**
 * Decodes exactly one CBOR data item that spans the whole input. Byte strings
 * are views into `bytes`, not copies (a copy per label made 60,000-label
 * requests ten times slower): hand it a buffer nobody changes afterwards.
 */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const reader = new Reader(bytes);
  const value = readItem(reader, 0);
  if (value === BREAK) throw new CborDecodeError('unexpected CBOR break code');
  if (!reader.atEnd) throw new CborDecodeError('trailing bytes after the CBOR data item');
  return value;
}

function readItem(reader: Reader, depth: number): CborValue | typeof BREAK {
  if (depth > MAX_CBOR_NESTING) throw new CborDecodeError(`CBOR nesting deeper than ${MAX_CBOR_NESTING} levels`);
  reader.countItem();
  const initial = reader.byte();
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (major === MAJOR_SIMPLE) return readSimple(info);
  const argument = reader.argument(info);
  switch (major) {
    case MAJOR_UNSIGNED:
      return { type: 'unsigned', value: BigInt(definite(argument, 'integer')) };
    case MAJOR_NEGATIVE:
      return { type: 'negative', value: -1n - BigInt(definite(argument, 'integer')) };
    case MAJOR_BYTES:
      return { type: 'bytes', value: readString(reader, argument, MAJOR_BYTES) };
    case MAJOR_TEXT:
      return { type: 'text', value: decodeUtf8(readString(reader, argument, MAJOR_TEXT)) };
    case MAJOR_ARRAY:
      return { type: 'array', items: readArray(reader, argument, depth) };
    case MAJOR_MAP:
      return { type: 'map', entries: readMap(reader, argument, depth) };
    case MAJOR_TAG:
      return readTagged(reader, definite(argument, 'tag'), depth);
    default:
      throw new CborDecodeError(`unknown CBOR major type ${major}`);
  }
}

function definite(argument: Argument | undefined, what: string): Argument {
  if (argument === undefined) throw new CborDecodeError(`indefinite length is not allowed for a CBOR ${what}`);
  return argument;
}

function readSimple(info: number): CborValue | typeof BREAK {
  switch (info) {
    case 20:
      return { type: 'simple', value: false };
    case 21:
      return { type: 'simple', value: true };
    case 22:
      return { type: 'simple', value: null };
    case 23:
      return { type: 'simple', value: undefined };
    case 25:
    case 26:
    case 27:
      throw new CborDecodeError('floating-point numbers are not allowed in IC requests');
    case INDEFINITE:
      return BREAK;
    default:
      throw new CborDecodeError(`unsupported CBOR simple value ${info}`);
  }
}

function readString(reader: Reader, argument: Argument | undefined, major: number): Uint8Array {
  if (argument !== undefined) return reader.take(argument);
  const chunks: Uint8Array[] = [];
  for (;;) {
    const initial = reader.byte();
    if (initial === 0xff) break;
    if (initial >> 5 !== major) throw new CborDecodeError('indefinite-length string with a chunk of another type');
    reader.countItem();
    chunks.push(reader.take(definite(reader.argument(initial & 0x1f), 'string chunk')));
  }
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new CborDecodeError('CBOR text string is not valid UTF-8');
  }
}

/**
 * The item count of a definite-length array or map, refused when the bytes left
 * cannot hold that many items (each takes at least one byte), so that a
 * declared count never drives work or allocation beyond the input's size.
 */
function itemCount(reader: Reader, argument: Argument | undefined, itemsPerEntry: 1 | 2): number {
  if (argument === undefined) return Infinity;
  if (typeof argument === 'bigint' || argument * itemsPerEntry > reader.remaining) {
    throw new CborDecodeError(`CBOR ${itemsPerEntry === 1 ? 'array' : 'map'} declares ${argument} entries, more than the input holds`);
  }
  return argument;
}

function readArray(reader: Reader, argument: Argument | undefined, depth: number): CborValue[] {
  const items: CborValue[] = [];
  const count = itemCount(reader, argument, 1);
  for (let i = 0; i < count; i++) {
    const item = readItem(reader, depth + 1);
    if (item === BREAK) {
      if (argument !== undefined) throw new CborDecodeError('unexpected CBOR break code');
      break;
    }
    items.push(item);
  }
  return items;
}

function readMap(reader: Reader, argument: Argument | undefined, depth: number): Map<string, CborValue> {
  const entries = new Map<string, CborValue>();
  const count = itemCount(reader, argument, 2);
  for (let i = 0; i < count; i++) {
    const key = readItem(reader, depth + 1);
    if (key === BREAK) {
      if (argument !== undefined) throw new CborDecodeError('unexpected CBOR break code');
      break;
    }
    if (key.type !== 'text') throw new CborDecodeError('CBOR map keys must be text strings');
    const value = readItem(reader, depth + 1);
    if (value === BREAK) throw new CborDecodeError(`CBOR map key "${key.value}" has no value`);
    // The spec prohibits duplicate keys; accepting them would let two parsers disagree on a request.
    if (entries.has(key.value)) throw new CborDecodeError(`duplicate CBOR map key "${key.value}"`);
    entries.set(key.value, value);
  }
  return entries;
}

function readTagged(reader: Reader, tag: Argument, depth: number): CborValue {
  const inner = readItem(reader, depth + 1);
  if (inner === BREAK) throw new CborDecodeError('CBOR tag without content');
  if (tag === SELF_DESCRIBE_TAG) return inner;
  if (tag === POSITIVE_BIGNUM_TAG || tag === NEGATIVE_BIGNUM_TAG) {
    if (inner.type !== 'bytes') throw new CborDecodeError('CBOR bignum must wrap a byte string');
    if (inner.value.length > MAX_CBOR_BIGNUM_BYTES) {
      throw new CborDecodeError(
        `CBOR bignum of ${inner.value.length} bytes; integers in IC requests have at most ${MAX_CBOR_BIGNUM_BYTES} bytes`
      );
    }
    let magnitude = 0n;
    for (const byte of inner.value) magnitude = (magnitude << 8n) | BigInt(byte);
    return tag === POSITIVE_BIGNUM_TAG
      ? { type: 'unsigned', value: magnitude }
      : { type: 'negative', value: -1n - magnitude };
  }
  throw new CborDecodeError(`unsupported CBOR tag ${tag}`);
}

/** Encodes a value; with `selfDescribe` the item is wrapped in tag 55799, as the replica's responses are. */
export function encodeCbor(value: CborEncodable, options: { selfDescribe?: boolean } = {}): Uint8Array {
  const writer = new Writer();
  if (options.selfDescribe === true) writer.head(MAJOR_TAG, BigInt(SELF_DESCRIBE_TAG));
  writeItem(writer, value);
  return writer.finish();
}

class Writer {
  private buffer = new Uint8Array(256);
  private length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  head(major: number, argument: bigint): void {
    this.reserve(9);
    const high = major << 5;
    if (argument < 24n) {
      this.buffer[this.length++] = high | Number(argument);
      return;
    }
    const width = argument < 0x100n ? 1 : argument < 0x10000n ? 2 : argument < 0x1_0000_0000n ? 4 : 8;
    this.buffer[this.length++] = high | (width === 1 ? 24 : width === 2 ? 25 : width === 4 ? 26 : 27);
    for (let i = width - 1; i >= 0; i--) this.buffer[this.length++] = Number((argument >> BigInt(8 * i)) & 0xffn);
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

const MAX_UINT64 = (1n << 64n) - 1n;
const textEncoder = new TextEncoder();

function writeItem(writer: Writer, value: CborEncodable): void {
  if (value instanceof Uint8Array) {
    writer.head(MAJOR_BYTES, BigInt(value.length));
    writer.bytes(value);
  } else if (typeof value === 'string') {
    const encoded = textEncoder.encode(value);
    writer.head(MAJOR_TEXT, BigInt(encoded.length));
    writer.bytes(encoded);
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    writeInteger(writer, value);
  } else if (typeof value === 'boolean') {
    writer.head(MAJOR_SIMPLE, value ? 21n : 20n);
  } else if (value === null) {
    writer.head(MAJOR_SIMPLE, 22n);
  } else if (isEncodableArray(value)) {
    writer.head(MAJOR_ARRAY, BigInt(value.length));
    for (const item of value) writeItem(writer, item);
  } else {
    const entries = Object.entries(value).filter(
      (entry): entry is [string, CborEncodable] => entry[1] !== undefined
    );
    writer.head(MAJOR_MAP, BigInt(entries.length));
    for (const [key, item] of entries) {
      writeItem(writer, key);
      writeItem(writer, item);
    }
  }
}

function isEncodableArray(value: readonly CborEncodable[] | CborEncodableMap): value is readonly CborEncodable[] {
  return Array.isArray(value);
}

function writeInteger(writer: Writer, value: number | bigint): void {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`CBOR encoder only writes integers, got ${value}`);
  }
  const integer = BigInt(value);
  const magnitude = integer >= 0n ? integer : -1n - integer;
  if (magnitude > MAX_UINT64) throw new RangeError(`integer ${integer} does not fit in 64 bits`);
  writer.head(integer >= 0n ? MAJOR_UNSIGNED : MAJOR_NEGATIVE, magnitude);
}
