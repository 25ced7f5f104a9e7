/**
 * The last committed content of a canister's Wasm memory.
 *
 * Invariant: between messages the live memory equals this copy. After a
 * message commits, changed chunks are copied live -> committed; after a trap
 * or a query, changed chunks are copied committed -> live. Both directions are
 * one pass of native `memcmp` over the memory plus copies of only what
 * changed, which measured several times faster than copying the whole memory
 * (see README.md for figures).
 */
export const COMPARISON_CHUNK_BYTES = 64 * 1024;

export class CommittedMemory {
  private copy: Buffer;
  private committedLength: number;

  private constructor(copy: Buffer, committedLength: number) {
    this.copy = copy;
    this.committedLength = committedLength;
  }

  static capture(memory: WebAssembly.Memory): CommittedMemory {
    const live = liveBytes(memory);
    const copy = Buffer.allocUnsafe(live.length);
    live.copy(copy);
    return new CommittedMemory(copy, live.length);
  }

  static fromBytes(bytes: Uint8Array): CommittedMemory {
    return new CommittedMemory(Buffer.from(bytes), bytes.length);
  }

  get byteLength(): number {
    return this.committedLength;
  }

  /** The committed bytes (a view; do not keep it across messages). */
  bytes(): Uint8Array {
    return this.copy.subarray(0, this.committedLength);
  }

  /** Records the live memory as the committed state. */
  commitFrom(memory: WebAssembly.Memory): void {
    const live = liveBytes(memory);
    if (live.length > this.copy.length) {
      // Grow geometrically: Wasm memories tend to grow a few pages at a time.
      const grown = Buffer.allocUnsafe(Math.max(live.length, Math.ceil(Math.min(this.copy.length * 1.5, 4 * 1024 ** 3))));
      this.copy.copy(grown, 0, 0, this.committedLength);
      this.copy = grown;
    }
    syncChanged(live, this.copy, this.committedLength);
    if (live.length > this.committedLength) live.copy(this.copy, this.committedLength, this.committedLength, live.length);
    this.committedLength = live.length;
  }

  /**
   * Puts the committed state back into the live memory. Returns false when the
   * live memory has grown since the commit: Wasm memories cannot shrink, so the
   * caller must move the committed state into a fresh instance instead.
   */
  restoreInto(memory: WebAssembly.Memory): boolean {
    const live = liveBytes(memory);
    if (live.length !== this.committedLength) return false;
    syncChanged(this.copy, live, this.committedLength);
    return true;
  }

  /** Copies the committed state into a fresh memory of at most the committed size. */
  writeInto(memory: WebAssembly.Memory): void {
    const pagesMissing = (this.committedLength - memory.buffer.byteLength) / 65_536;
    if (pagesMissing > 0) memory.grow(pagesMissing);
    this.copy.copy(liveBytes(memory), 0, 0, this.committedLength);
  }
}

function liveBytes(memory: WebAssembly.Memory): Buffer {
  return Buffer.from(memory.buffer);
}

function syncChanged(source: Buffer, target: Buffer, length: number): void {
  for (let offset = 0; offset < length; offset += COMPARISON_CHUNK_BYTES) {
    const end = Math.min(offset + COMPARISON_CHUNK_BYTES, length);
    if (source.compare(target, offset, end, offset, end) !== 0) source.copy(target, offset, offset, end);
  }
}
