// Instruction-counter readings at the phases of one message, for bench/instruction_breakdown.ts.
// Only a diagnostic build records them (built with JWT_ISSUER_PHASE_MARKS=true, an Azle
// build-time environment variable listed in dfx.json); in the normal build each call is one test.
import { performanceCounter } from 'azle';

const enabled = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.JWT_ISSUER_PHASE_MARKS === 'true';
const marks: string[] = [];

/** Notes ic0.performance_counter(0) (instructions of this execution so far) at the end of phase `name`. */
export function markPhase(name: string): void {
  if (enabled) marks.push(`${name}=${performanceCounter(0)}`);
}

/** Prints the marks of this execution (`phases <label> name=count …`) through ic0.debug_print, after the measured work. */
export function printPhases(label: string): void {
  if (!enabled) return;
  markPhase('printing');
  console.log(`phases ${label} ${marks.join(' ')}`);
  marks.length = 0;
}
