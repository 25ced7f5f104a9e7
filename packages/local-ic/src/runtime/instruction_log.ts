import { createListeners } from '../shared/listeners.js';
import type { ApiMode } from './api_modes.js';

/** One finished execution (or a whole install_code message) and the instructions it used. */
export interface InstructionRecord {
  /** Canister id, textual. */
  readonly canister: string;
  /** `install_code` for a whole install (compilation and hooks), else the API mode of one execution. */
  readonly kind: ApiMode | 'install_code';
  /** The export run (`canister_update issue_jwt`), `callback` for reply/reject/cleanup callbacks. */
  readonly entry: string;
  readonly instructions: number;
  /** Whether the execution ended in a trap (including crossing its instruction limit). */
  readonly trapped: boolean;
}

export type InstructionListener = (record: InstructionRecord) => void;

const instructionListeners = createListeners<InstructionRecord>();

/** Lets benches and tools see what each execution cost; returns the function that stops listening. */
export function observeInstructions(listener: InstructionListener): () => void {
  return instructionListeners.observe(listener);
}

export function reportInstructions(record: InstructionRecord): void {
  instructionListeners.report(record);
}

export function hasInstructionListeners(): boolean {
  return instructionListeners.isObserved;
}
