import { sha256 } from '@noble/hashes/sha2.js';

/**
 * Deterministic randomness for `raw_rand`: block i is SHA-256(seed || i).
 * The same seed gives the same sequence on every run.
 */
export class RandomSource {
  private readonly seed: Uint8Array;
  private counter: bigint;

  constructor(seed: Uint8Array | string, counter = 0n) {
    this.seed = typeof seed === 'string' ? new TextEncoder().encode(seed) : seed.slice();
    this.counter = counter;
  }

  get blocksDrawn(): bigint {
    return this.counter;
  }

  get seedBytes(): Uint8Array {
    return this.seed.slice();
  }

  next32Bytes(): Uint8Array {
    const input = new Uint8Array(this.seed.length + 8);
    input.set(this.seed);
    new DataView(input.buffer).setBigUint64(this.seed.length, this.counter++, true);
    return sha256(input);
  }
}
