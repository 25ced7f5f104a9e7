const NANOS_PER_MILLI = 1_000_000n;

export function wallClockNanos(): bigint {
  return BigInt(Date.now()) * NANOS_PER_MILLI;
}

/**
 * The local IC's time, in nanoseconds since 1970-01-01. In manual mode it
 * moves only when told to; in live mode it follows the wall clock. Either
 * way it never goes backwards.
 */
export class Clock {
  private nanos: bigint;
  private live: boolean;

  constructor(startNanos: bigint, live: boolean) {
    this.nanos = startNanos;
    this.live = live;
  }

  get isLive(): boolean {
    return this.live;
  }

  setLive(live: boolean): void {
    this.live = live;
  }

  now(): bigint {
    if (this.live) {
      const wall = wallClockNanos();
      if (wall > this.nanos) this.nanos = wall;
    }
    return this.nanos;
  }

  advanceBy(nanos: bigint): void {
    if (nanos < 0n) throw new RangeError('time cannot go backwards');
    this.nanos += nanos;
  }

  /** Moves to `nanos`; earlier values are ignored (time never goes backwards). */
  advanceTo(nanos: bigint): void {
    if (nanos > this.nanos) this.nanos = nanos;
  }
}

export function millisToNanos(millis: number): bigint {
  return BigInt(Math.round(millis * 1_000)) * 1_000n;
}
