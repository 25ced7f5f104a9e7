// The integration suite on PocketIC, through @dfinity/pic. Its server binary cannot be downloaded
// on our machines; where one is at hand, POCKET_IC_BIN=/path/to/pocket-ic runs the same suite on it.
import { PocketIc, PocketIcServer, SubnetStateType } from '@dfinity/pic';
import { Principal as PicPrincipal } from '@icp-sdk/core/principal';
import { Principal } from '@dfinity/principal';

import type { CallOutcome, InstallMode, TestIc } from './test_ic';

const toPic = (principal: Principal): PicPrincipal => PicPrincipal.fromText(principal.toText());

/** @dfinity/pic throws "Canister call failed: <message>. Reject code: <n>. ..." for rejects. */
function outcomeOf(error: unknown): CallOutcome {
  const text = error instanceof Error ? error.message : String(error);
  const match = /Canister call failed: ([\s\S]*)\. Reject code: (\d+)\./.exec(text);
  if (match === null) throw error;
  return { kind: 'rejected', code: Number(match[2]), message: match[1]! };
}

async function call(run: () => Promise<Uint8Array>): Promise<CallOutcome> {
  try {
    return { kind: 'replied', reply: await run() };
  } catch (error) {
    return outcomeOf(error);
  }
}

export async function createPocketIcBackend(binPath: string): Promise<TestIc> {
  const server = await PocketIcServer.start({ binPath });
  // Threshold keys (dfx_test_key, test_key_1, key_1) live on the II and fiduciary subnets.
  const pic = await PocketIc.create(server.getUrl(), {
    ii: { state: { type: SubnetStateType.New } },
    fiduciary: { state: { type: SubnetStateType.New } },
    application: [{ state: { type: SubnetStateType.New } }]
  });
  const [applicationSubnet] = await pic.getApplicationSubnets();

  return {
    backend: 'pocketic',
    async createCanister({ controllers, cycles, sender }) {
      const id = await pic.createCanister({
        controllers: controllers.map(toPic),
        cycles,
        sender: toPic(sender),
        ...(applicationSubnet === undefined ? {} : { targetSubnetId: applicationSubnet.id })
      });
      return Principal.fromText(id.toText());
    },
    async installCode(canisterId, wasm, arg, mode: InstallMode, sender) {
      const options = { canisterId: toPic(canisterId), wasm, arg, sender: toPic(sender) };
      if (mode === 'install') await pic.installCode(options);
      else if (mode === 'reinstall') await pic.reinstallCode(options);
      else await pic.upgradeCanister(options);
    },
    update: (canisterId, method, arg, sender) =>
      call(() => pic.updateCall({ canisterId: toPic(canisterId), method, arg, sender: toPic(sender) })),
    query: (canisterId, method, arg, sender) =>
      call(() => pic.queryCall({ canisterId: toPic(canisterId), method, arg, sender: toPic(sender) })),
    async advanceTime(milliseconds) {
      await pic.advanceTime(milliseconds);
      await pic.tick(5);
    },
    async settle() {
      await pic.tick(5);
    },
    cycleBalance: (canisterId) => pic.getCyclesBalance(toPic(canisterId)),
    async close() {
      await pic.tearDown();
      await server.stop();
    }
  };
}
