// The integration harness's TestIc over a @dfinity/pic instance (one application subnet), so the
// harness's JwtIssuer client runs unchanged through pic.
import type { PocketIc } from '@dfinity/pic';
import { Principal } from '@dfinity/principal';
import type { CallOutcome, InstallMode, TestIc } from '../../integration/harness/test_ic';
import { toPic } from './pic';

/** The real server names reject codes (serde enum names); pic puts the name into its error text. */
const REJECT_CODES: Readonly<Record<string, number>> = { SysFatal: 1, SysTransient: 2, DestinationInvalid: 3, CanisterReject: 4, CanisterError: 5, SysUnknown: 6 };

export function rejectOf(error: unknown): { code: number; errorCode: string; message: string } {
  const text = error instanceof Error ? error.message : String(error);
  const match = /Canister call failed: ([\s\S]*)\. Reject code: (\w+)\. Error code: (\w+)\./.exec(text);
  const code = match === null ? undefined : REJECT_CODES[match[2]!];
  if (match === null || code === undefined) throw error;
  return { code, errorCode: match[3]!, message: match[1]! };
}

async function outcome(run: () => Promise<Uint8Array>): Promise<CallOutcome> {
  try {
    return { kind: 'replied', reply: await run() };
  } catch (error) {
    const { code, message } = rejectOf(error);
    return { kind: 'rejected', code, message };
  }
}

export function picTestIc(pic: PocketIc): TestIc {
  return {
    backend: 'pocketic',
    async createCanister({ controllers, cycles, sender }) {
      const id = await pic.createCanister({ controllers: controllers.map(toPic), cycles, sender: toPic(sender) });
      return Principal.fromText(id.toText());
    },
    async installCode(canisterId, wasm, arg, mode: InstallMode, sender) {
      const options = { canisterId: toPic(canisterId), wasm, arg, sender: toPic(sender) };
      if (mode === 'install') await pic.installCode(options);
      else if (mode === 'reinstall') await pic.reinstallCode(options);
      else await pic.upgradeCanister(options);
    },
    update: (canisterId, method, arg, sender) => outcome(() => pic.updateCall({ canisterId: toPic(canisterId), method, arg, sender: toPic(sender) })),
    query: (canisterId, method, arg, sender) => outcome(() => pic.queryCall({ canisterId: toPic(canisterId), method, arg, sender: toPic(sender) })),
    async advanceTime(milliseconds) {
      await pic.advanceTime(milliseconds);
      await pic.tick(2);
    },
    async settle() {
      await pic.tick(2);
    },
    cycleBalance: (canisterId) => pic.getCyclesBalance(toPic(canisterId)),
    async close() {
      await pic.tearDown();
    }
  };
}
