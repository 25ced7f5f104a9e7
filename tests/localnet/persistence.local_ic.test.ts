// Saving a whole local IC: interrupted saves, damaged copies, and checkpoints while it runs.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Principal } from '@dfinity/principal';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LocalIc, StateStoreError, type CallResult } from '../../packages/local-ic/src';
import { Checkpointer } from '../../packages/local-ic/src/persistence/checkpointer';
import { MANIFEST_FILE } from '../../packages/local-ic/src/persistence/durable_copy';
import { writeSnapshot } from '../../packages/local-ic/src/persistence/state_store';
import { SYSTEM_API_PROBE_WAT, watToWasm } from './support/wat.js';

const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(3));
const wasm = watToWasm(SYSTEM_API_PROBE_WAT);

let folder: string;
let directory: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'local-ic-save-'));
  directory = join(folder, 'ic');
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function u32(result: CallResult): number {
  if (result.kind !== 'replied') throw new Error(`rejected: ${result.message}`);
  return Buffer.from(result.reply).readUInt32LE(0);
}

async function icWithCounter(): Promise<{ ic: LocalIc; id: Principal }> {
  const ic = await LocalIc.create({ startTime: 1_700_000_000_000_000_000n });
  const id = await ic.createCanister({ controllers: [controller], sender: controller });
  await ic.installCode(id, wasm, new Uint8Array(), { sender: controller });
  return { ic, id };
}

const increment = async (ic: LocalIc, id: Principal): Promise<number> => u32(await ic.updateCall(id, 'inc'));
const counterIn = async (ic: LocalIc, id: Principal): Promise<number> => u32(await ic.queryCall(id, 'read'));

describe('a local IC saved to a folder', () => {
  it('loads as of the last save or the interrupted one, never anything in between, after a kill at any step', async () => {
    for (let killAt = 1; ; killAt++) {
      await rm(directory, { recursive: true, force: true });
      const { ic, id } = await icWithCounter();
      await increment(ic, id);
      await ic.save(directory);
      await increment(ic, id);
      let steps = 0;
      const killed = await writeSnapshot(directory, await ic.snapshot(), () => {
        if (++steps === killAt) throw new Error('killed');
      }).then(
        () => false,
        () => true
      );
      const loaded = await LocalIc.load(directory);
      expect([1, 2]).toContain(await counterIn(loaded, id));
      if (!killed) {
        expect(await counterIn(loaded, id)).toBe(2);
        break;
      }
    }
  });

  it('refuses a copy whose memory.bin is gone, naming the folder', async () => {
    const { ic, id } = await icWithCounter();
    await ic.save(directory);
    await rm(join(directory, 'canisters', id.toText(), 'memory.bin'));
    await expect(LocalIc.load(directory)).rejects.toThrow(StateStoreError);
    await expect(LocalIc.loadOrCreate(directory)).rejects.toThrow(`${directory} is incomplete or damaged`);
  });

  it('reads a copy saved without a manifest, but not one missing memory.bin', async () => {
    const { ic, id } = await icWithCounter();
    await increment(ic, id);
    await ic.save(directory);
    await rm(join(directory, MANIFEST_FILE));
    expect(await counterIn(await LocalIc.load(directory), id)).toBe(1);

    await rm(join(directory, 'canisters', id.toText(), 'memory.bin'));
    await expect(LocalIc.load(directory)).rejects.toThrow(/Cannot read .*memory\.bin/);
  });

  it('refuses a copy of the single-subnet local IC, whose canister ids no subnet hosts', async () => {
    const { ic } = await icWithCounter();
    await ic.save(directory);
    const state = JSON.parse(await readFile(join(directory, 'state.json'), 'utf8')) as Record<string, unknown>;
    for (const formatVersion of [1, 2]) {
      const { nextCanisterIndices: _perSubnet, ...rest } = state;
      const singleSubnet = { ...rest, formatVersion, nextCanisterIndex: '9223372036855824386' };
      await writeFile(join(directory, 'state.json'), JSON.stringify(singleSubnet));
      await rm(join(directory, MANIFEST_FILE), { force: true });
      await expect(LocalIc.load(directory)).rejects.toThrow(
        `${directory} was saved by the single-subnet local IC (format ${formatVersion}), whose canister ids no subnet of this topology hosts`
      );
    }
  });

  it('starts afresh where nothing complete was ever saved', async () => {
    const ic = await LocalIc.loadOrCreate(directory);
    expect(ic.canisterIds()).toEqual([]);
    await expect(LocalIc.load(directory)).rejects.toThrow(`No saved local IC in ${directory}`);
  });
});

describe('checkpoints', () => {
  it('follow each change within the delay, one save at a time, and a final one on stop', async () => {
    const { ic, id } = await icWithCounter();
    const checkpointer = new Checkpointer({ source: ic, write: (snapshot) => writeSnapshot(directory, snapshot), delayMs: 30, onError: (error) => expect.fail(String(error)) });
    ic.onStateChange(() => checkpointer.changed());

    // Loading recovers the folder, which must not happen under a save of this same process.
    const savedCounter = async (): Promise<number | undefined> => {
      while (checkpointer.busy) await new Promise((resolve) => setTimeout(resolve, 5));
      const loaded = await LocalIc.load(directory).catch(() => undefined);
      return loaded === undefined ? undefined : counterIn(loaded, id);
    };
    const waitForSaved = async (counter: number): Promise<void> => {
      for (let waited = 0; (await savedCounter()) !== counter; waited += 10) {
        if (waited > 5_000) throw new Error(`no checkpoint with counter ${counter}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };

    await increment(ic, id);
    await waitForSaved(1);
    for (let round = 0; round < 20; round++) await increment(ic, id);
    await waitForSaved(21);
    expect(checkpointer.lastSave?.bytesWritten).toBeGreaterThan(0);

    await increment(ic, id);
    await checkpointer.stop();
    expect(await savedCounter()).toBe(22);
    await increment(ic, id);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await savedCounter()).toBe(22); // stopped: no more checkpoints
  });

  it('are taken only between messages: a snapshot waits for no round and skips a busy IC', async () => {
    const { ic, id } = await icWithCounter();
    const submitted = await ic.submitIngress(id, 'inc', new Uint8Array());
    expect(submitted.accepted).toBe(true);
    expect(await ic.snapshotIfIdle()).toBeUndefined();
    await ic.runUntilIdle();
    expect(await ic.snapshotIfIdle()).toBeDefined();
  });
});
