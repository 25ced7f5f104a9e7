/**
 * Instruction metering is always on, as on the IC. Switching it off exists only
 * so that bench/ can print the local IC's speed with and without it side by
 * side; it applies to modules loaded after the switch (compiled modules are
 * cached per hash and per setting).
 */
let enabled = true;

export function instructionMeteringEnabled(): boolean {
  return enabled;
}

export function setInstructionMetering(on: boolean): void {
  enabled = on;
}
