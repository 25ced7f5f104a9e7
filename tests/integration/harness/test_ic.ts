// One small interface over both backends, so the integration suite is written once:
// the project's local IC (default) and PocketIC (when POCKET_IC_BIN names a server binary).
import type { Principal } from '@dfinity/principal';

export type CallOutcome =
  | { kind: 'replied'; reply: Uint8Array }
  | { kind: 'rejected'; code: number; message: string };

export type InstallMode = 'install' | 'reinstall' | 'upgrade';

export interface TestIc {
  readonly backend: 'local-ic' | 'pocketic';
  createCanister(options: { controllers: Principal[]; cycles: bigint; sender: Principal }): Promise<Principal>;
  /** Installs, reinstalls or upgrades; throws with the IC's message when that fails. */
  installCode(canisterId: Principal, wasm: Uint8Array, arg: Uint8Array, mode: InstallMode, sender: Principal): Promise<void>;
  update(canisterId: Principal, method: string, arg: Uint8Array, sender: Principal): Promise<CallOutcome>;
  query(canisterId: Principal, method: string, arg: Uint8Array, sender: Principal): Promise<CallOutcome>;
  /** Moves the clock forward and lets due timers and their calls run. */
  advanceTime(milliseconds: number): Promise<void>;
  /** Lets pending timers and inter-canister calls run at the current time. */
  settle(): Promise<void>;
  cycleBalance(canisterId: Principal): Promise<bigint>;
  close(): Promise<void>;
}

export async function createTestIc(): Promise<TestIc> {
  const pocketIcBin = process.env['POCKET_IC_BIN'];
  if (pocketIcBin !== undefined && pocketIcBin !== '') {
    const { createPocketIcBackend } = await import('./pocket_ic_backend');
    return createPocketIcBackend(pocketIcBin);
  }
  const { createLocalIcBackend } = await import('./local_ic_backend');
  return createLocalIcBackend();
}

export function replyOrThrow(outcome: CallOutcome, what: string): Uint8Array {
  if (outcome.kind === 'rejected') throw new Error(`${what} was rejected (code ${outcome.code}): ${outcome.message}`);
  return outcome.reply;
}
