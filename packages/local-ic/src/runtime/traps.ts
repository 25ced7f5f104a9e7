import { rejections, type Rejection } from '../shared/rejections.js';

export type TrapKind =
  | 'called_trap'
  | 'wasm_trap'
  | 'contract_violation'
  | 'insufficient_cycles_in_call'
  | 'instruction_limit_exceeded'
  | 'wasm_memory_limit_exceeded'
  | 'internal_error';

/** Thrown by System API functions (and built from Wasm runtime errors) to abort an execution. */
export class CanisterTrap extends Error {
  readonly kind: TrapKind;
  readonly detail: string;
  readonly requestedCycles: bigint;
  readonly availableCycles: bigint;

  constructor(kind: TrapKind, detail: string, cycles?: { requested: bigint; available: bigint }) {
    super(detail);
    this.name = 'CanisterTrap';
    this.kind = kind;
    this.detail = detail;
    this.requestedCycles = cycles?.requested ?? 0n;
    this.availableCycles = cycles?.available ?? 0n;
  }

  static contractViolation(description: string): CanisterTrap {
    return new CanisterTrap('contract_violation', description);
  }

  /** The replica's `HypervisorError::InstructionLimitExceeded` text. */
  static instructionLimitExceeded(limit: number): CanisterTrap {
    return new CanisterTrap('instruction_limit_exceeded', `Canister exceeded the limit of ${limit} instructions for single message execution.`);
  }
}

/** V8's texts for Wasm traps, mapped to the replica's `TrapCode` texts. */
const WASM_TRAP_TEXTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^unreachable/, 'unreachable'],
  [/memory access out of bounds/, 'heap out of bounds'],
  [/(divide|remainder) by zero/, 'integer division by 0'],
  [/table index is out of bounds/, 'table out of bounds'],
  [/null function|signature mismatch/, 'indirect call to a null function or with a signature mismatch'],
  [/integer overflow/, 'integer overflow'],
  [/float unrepresentable/, 'float unrepresentable in integer range']
];

export function trapFromError(error: unknown): CanisterTrap {
  if (error instanceof CanisterTrap) return error;
  if (error instanceof WebAssembly.RuntimeError) {
    const text = WASM_TRAP_TEXTS.find(([pattern]) => pattern.test(error.message))?.[1] ?? error.message;
    return new CanisterTrap('wasm_trap', text);
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) return new CanisterTrap('wasm_trap', 'stack overflow');
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return new CanisterTrap('internal_error', `local IC internal error: ${message}`);
}

/** The reject a caller gets when the execution it triggered trapped. */
export function trapRejection(canisterText: string, trap: CanisterTrap): Rejection {
  switch (trap.kind) {
    case 'called_trap':
      return rejections.calledTrap(canisterText, trap.detail);
    case 'contract_violation':
      return rejections.contractViolation(canisterText, trap.detail);
    case 'instruction_limit_exceeded':
      return rejections.instructionLimitExceeded(canisterText, trap.detail);
    case 'wasm_memory_limit_exceeded':
      return rejections.wasmMemoryLimitExceeded(canisterText, trap.detail);
    case 'insufficient_cycles_in_call':
      return rejections.insufficientCyclesInCall(canisterText, trap.requestedCycles, trap.availableCycles);
    case 'wasm_trap':
    case 'internal_error':
      return rejections.trapped(canisterText, trap.detail);
  }
}
