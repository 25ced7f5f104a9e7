// Instructions per kind of message, as the canister measures them with ic0.performance_counter,
// for `metrics`. Kept on the heap: they describe the code running since the last install or upgrade.

export interface InstructionStat {
  readonly count: bigint;
  readonly last: bigint;
  readonly max: bigint;
  readonly total: bigint;
}

export class InstructionStats {
  private readonly stats = new Map<string, InstructionStat>();

  record(message: string, instructions: bigint): void {
    const previous = this.stats.get(message);
    this.stats.set(message, {
      count: (previous?.count ?? 0n) + 1n,
      last: instructions,
      max: previous === undefined || instructions > previous.max ? instructions : previous.max,
      total: (previous?.total ?? 0n) + instructions
    });
  }

  /** In the order the messages were first seen. */
  entries(): [message: string, stat: InstructionStat][] {
    return [...this.stats];
  }
}
