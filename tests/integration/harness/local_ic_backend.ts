// The integration suite on the project's own in-process local IC.
import { LocalIc } from '../../../packages/local-ic/src';
import type { CallOutcome, TestIc } from './test_ic';

/** On a fresh local IC, or on `ic` when a test wants to drive its clock itself. */
export async function createLocalIcBackend(existing?: LocalIc): Promise<TestIc> {
  const ic = existing ?? (await LocalIc.create());
  const outcome = (result: Awaited<ReturnType<LocalIc['updateCall']>>): CallOutcome =>
    result.kind === 'replied' ? { kind: 'replied', reply: result.reply } : { kind: 'rejected', code: result.code, message: result.message };

  // A round fires due timers; running until idle finishes the calls they make.
  const settle = async (): Promise<void> => {
    await ic.tick();
    await ic.runUntilIdle();
  };

  return {
    backend: 'local-ic',
    createCanister: ({ controllers, cycles, sender }) => ic.createCanister({ controllers, cycles, sender }),
    installCode: (canisterId, wasm, arg, mode, sender) => ic.installCode(canisterId, wasm, arg, { mode, sender }),
    update: async (canisterId, method, arg, sender) => outcome(await ic.updateCall(canisterId, method, arg, { sender })),
    query: async (canisterId, method, arg, sender) => outcome(await ic.queryCall(canisterId, method, arg, { sender })),
    async advanceTime(milliseconds) {
      ic.advanceTime(milliseconds);
      await settle();
    },
    settle,
    cycleBalance: async (canisterId) => ic.cycleBalance(canisterId),
    async close() {
      ic.close();
    }
  };
}
