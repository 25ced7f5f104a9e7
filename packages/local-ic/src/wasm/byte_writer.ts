/** An append-only byte buffer that grows by doubling (instrumenting a module writes a few MB). */
export class ByteWriter {
  private buffer: Uint8Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.buffer = new Uint8Array(Math.max(16, initialCapacity));
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  bytes(source: Uint8Array, start = 0, end = source.length): void {
    const count = end - start;
    this.reserve(count);
    if (count < 32) {
      // Most copies are a few instructions between two injection points: a loop beats allocating a subarray.
      const buffer = this.buffer;
      let at = this.length;
      for (let i = start; i < end; i++) buffer[at++] = source[i] as number;
    } else {
      this.buffer.set(source.subarray(start, end), this.length);
    }
    this.length += count;
  }

  u32(value: number): void {
    this.reserve(5);
    let remaining = value >>> 0;
    do {
      let byte = remaining & 0x7f;
      remaining >>>= 7;
      if (remaining !== 0) byte |= 0x80;
      this.buffer[this.length++] = byte;
    } while (remaining !== 0);
  }

  /** A signed LEB128 of a non-negative integer up to 2^53 (instruction costs). */
  s64(value: number): void {
    this.reserve(10);
    let remaining = value;
    for (;;) {
      const byte = remaining % 128;
      remaining = Math.floor(remaining / 128);
      if (remaining === 0 && (byte & 0x40) === 0) {
        this.buffer[this.length++] = byte;
        return;
      }
      this.buffer[this.length++] = byte | 0x80;
    }
  }

  reset(): void {
    this.length = 0;
  }

  /** Appends another writer's bytes. */
  append(other: ByteWriter): void {
    this.bytes(other.buffer, 0, other.length);
  }

  /** The bytes written so far (a copy). */
  toBytes(): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.length);
  }

  /** The bytes written so far, as a section with its id and size. */
  toSection(id: number): Uint8Array<ArrayBuffer> {
    const header = new ByteWriter(6);
    header.byte(id);
    header.u32(this.length);
    const out = new Uint8Array(header.length + this.length);
    out.set(header.buffer.subarray(0, header.length));
    out.set(this.buffer.subarray(0, this.length), header.length);
    return out;
  }
}

/** Reads an unsigned LEB128 at `offset`; returns the value and the offset after it. */
export function readU32At(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let position = offset;
  for (;;) {
    const byte = bytes[position++];
    if (byte === undefined) throw new RangeError(`LEB128 number at byte ${offset} runs past the end`);
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: position };
    shift += 7;
  }
}
