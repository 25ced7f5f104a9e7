import { CanisterTrap } from './traps.js';

/**
 * The instruction counter of one canister instance during one execution. The
 * counter is the module's injected i64 global: it starts at the instructions
 * left under the message's limit and counts down; Wasm code decrements it per
 * basic block, System API calls through `charge`. Below zero the limit is crossed.
 */
export class InstructionMeter {
  private counter: WebAssembly.Global | undefined;
  private start = 0;
  private limit = 0;

  /** Starts an execution that may still use `available` instructions of a message limited to `limit`. */
  begin(counter: WebAssembly.Global | undefined, available: number, limit: number): void {
    this.counter = counter;
    this.start = available;
    this.limit = limit;
    if (counter !== undefined) counter.value = BigInt(available);
  }

  /** Instructions this execution has used so far. */
  executed(): number {
    return this.counter === undefined ? 0 : this.start - Number(this.counter.value as bigint);
  }

  /** Whether the execution went past its limit. */
  exceeded(): boolean {
    return this.counter !== undefined && (this.counter.value as bigint) < 0n;
  }

  /** Ends the execution; returns the instructions it used. */
  end(): number {
    const used = this.executed();
    this.counter = undefined;
    return used;
  }

  /** Charges a System API call; stops the execution once the limit is crossed. */
  charge(instructions: number): void {
    const counter = this.counter;
    if (counter === undefined || instructions === 0) return;
    const left = (counter.value as bigint) - BigInt(instructions);
    counter.value = left;
    if (left < 0n) throw CanisterTrap.instructionLimitExceeded(this.limit);
  }
}
