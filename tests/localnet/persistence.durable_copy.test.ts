// The crash-safe folder replacement under every save: a kill after any step (simulated by
// throwing from the step hook, which leaves the disk exactly as the kill would), or leftovers
// built by hand for kills inside a step, must recover to the last complete copy.
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { StateStoreError } from '../../packages/local-ic/src/shared/errors';
import { MANIFEST_FILE, recoverDurableCopy, writeDurableCopy, type CopyFile, type SaveStep } from '../../packages/local-ic/src/persistence/durable_copy';

class SimulatedKill extends Error {}

const OLD: CopyFile[] = [
  { path: 'state.json', bytes: Buffer.from('{"version":"old"}') },
  { path: 'modules/module.wasm', bytes: Buffer.alloc(70_000, 7) },
  { path: 'canisters/a/memory.bin', bytes: Buffer.alloc(200_000, 1) },
  { path: 'canisters/a/gone.bin', bytes: Buffer.from('only in the old copy') }
];
const NEW: CopyFile[] = [
  { path: 'state.json', bytes: Buffer.from('{"version":"new"}') },
  { path: 'modules/module.wasm', bytes: Buffer.alloc(70_000, 7) },
  { path: 'canisters/a/memory.bin', bytes: Buffer.alloc(200_000, 2) },
  { path: 'canisters/b/memory.bin', bytes: Buffer.from('a new canister') }
];

let parent: string;
let target: string;

beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), 'durable-copy-'));
  target = join(parent, 'ic');
});
afterEach(async () => {
  await rm(parent, { recursive: true, force: true });
});

const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The files of a folder (path -> SHA-256 of the bytes), the manifest left out. */
async function contentOf(folder: string): Promise<Map<string, string>> {
  const content = new Map<string, string>();
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === MANIFEST_FILE) continue;
    const path = join(entry.parentPath, entry.name);
    content.set(path.slice(folder.length + 1), digest(await readFile(path)));
  }
  return content;
}

function expected(files: CopyFile[]): Map<string, string> {
  return new Map(files.map((file) => [file.path, digest(file.bytes)]));
}

/** Runs a save that is killed right after the `killAt`-th step (counting from 1). */
async function saveKilledAfter(files: CopyFile[], killAt: number): Promise<SaveStep[]> {
  const steps: SaveStep[] = [];
  await expect(
    writeDurableCopy(target, files, (step) => {
      steps.push(step);
      if (steps.length === killAt) throw new SimulatedKill(step);
    })
  ).rejects.toBeInstanceOf(SimulatedKill);
  return steps;
}

async function allSteps(files: CopyFile[]): Promise<SaveStep[]> {
  const probe = join(parent, 'probe');
  await writeDurableCopy(probe, OLD);
  const steps: SaveStep[] = [];
  await writeDurableCopy(probe, files, (step) => void steps.push(step));
  await rm(probe, { recursive: true });
  return steps;
}

describe('a save killed after any step', () => {
  it('recovers the old copy or the new one, complete, and removes every leftover', async () => {
    const steps = await allSteps(NEW);
    expect(steps).toEqual([
      'staging-cleared',
      ...NEW.map(() => 'file-written'),
      'manifest-written',
      'staging-synced',
      'previous-moved-aside',
      'copy-swapped-in',
      'previous-removed'
    ]);
    for (let killAt = 1; killAt <= steps.length; killAt++) {
      await rm(target, { recursive: true, force: true });
      await writeDurableCopy(target, OLD);
      const done = await saveKilledAfter(NEW, killAt);
      const last = done.at(-1)!;

      expect(await recoverDurableCopy(target)).toBe('complete');
      const recovered = await contentOf(target);
      // Once the new copy is complete (its manifest, written last, is there) it wins over the old one.
      const newIsComplete = steps.indexOf(last) >= steps.indexOf('manifest-written');
      expect(recovered, `killed after step ${killAt} (${last})`).toEqual(expected(newIsComplete ? NEW : OLD));
      expect(await readdir(parent)).toEqual(['ic']);
    }
  });

  it('starts from nothing when the very first save is killed before it is complete, and keeps it once it is', async () => {
    const steps = await allSteps(NEW);
    for (let killAt = 1; killAt <= steps.length - 1; killAt++) {
      await rm(target, { recursive: true, force: true });
      const done = await saveKilledAfter(NEW, killAt);
      const recovery = await recoverDurableCopy(target);
      if (done.includes('manifest-written')) {
        expect(recovery).toBe('complete');
        expect(await contentOf(target)).toEqual(expected(NEW));
        expect(await readdir(parent)).toEqual(['ic']);
      } else {
        expect(recovery, `killed after ${done.at(-1)}`).toBe('none');
        expect(await readdir(parent)).toEqual([]);
      }
    }
  });

  it('recovers a recovery that was itself interrupted', async () => {
    await writeDurableCopy(target, OLD);
    await saveKilledAfter(NEW, (await allSteps(NEW)).indexOf('previous-moved-aside') + 1);
    // The state a kill between recovery's two renames leaves: the old copy moved aside, the new one still staged.
    await mkdir(join(parent, 'unrelated'));
    expect((await readdir(parent)).sort()).toEqual(['ic.previous-' + process.pid, 'ic.saving-' + process.pid, 'unrelated']);
    expect(await recoverDurableCopy(target)).toBe('complete');
    expect(await recoverDurableCopy(target)).toBe('complete');
    expect(await contentOf(target)).toEqual(expected(NEW));
    expect((await readdir(parent)).sort()).toEqual(['ic', 'unrelated']);
  });
});

describe('leftovers of a kill inside a step', () => {
  /** A complete staged copy of NEW from another process, as a kill after its manifest left it. */
  async function stagedByAnotherProcess(pid: number): Promise<string> {
    const staged = join(parent, `ic.saving-${pid}`);
    await writeDurableCopy(staged, NEW);
    // Its sequence must follow the current copy's: stage it as the successor of OLD.
    const manifest = JSON.parse(await readFile(join(staged, MANIFEST_FILE), 'utf8')) as { sequence: number };
    manifest.sequence = 2;
    await writeFile(join(staged, MANIFEST_FILE), JSON.stringify(manifest));
    return staged;
  }

  it('takes a complete newer copy whatever pid staged it', async () => {
    await writeDurableCopy(target, OLD);
    await stagedByAnotherProcess(999_999);
    expect(await recoverDurableCopy(target)).toBe('complete');
    expect(await contentOf(target)).toEqual(expected(NEW));
    expect(await readdir(parent)).toEqual(['ic']);
  });

  it('ignores a staged copy with a truncated file, a changed byte, a missing file or a half-written manifest', async () => {
    const damage: Array<(staged: string) => Promise<void>> = [
      (staged) => truncate(join(staged, 'canisters/a/memory.bin'), 1000),
      async (staged) => {
        const path = join(staged, 'canisters/a/memory.bin');
        const bytes = await readFile(path);
        bytes.writeUInt8(bytes.readUInt8(12_345) ^ 1, 12_345);
        await writeFile(path, bytes);
      },
      (staged) => rm(join(staged, 'canisters/b/memory.bin')),
      async (staged) => truncate(join(staged, MANIFEST_FILE), (await stat(join(staged, MANIFEST_FILE))).size - 5)
    ];
    for (const [index, harm] of damage.entries()) {
      await rm(parent, { recursive: true, force: true });
      await mkdir(parent);
      await writeDurableCopy(target, OLD);
      await harm(await stagedByAnotherProcess(1000 + index));
      expect(await recoverDurableCopy(target)).toBe('complete');
      expect(await contentOf(target), `damage ${index}`).toEqual(expected(OLD));
      expect(await readdir(parent)).toEqual(['ic']);
    }
  });

  it('removes a half-removed previous copy', async () => {
    await writeDurableCopy(target, NEW);
    const previous = join(parent, 'ic.previous-4242');
    await mkdir(join(previous, 'canisters', 'a'), { recursive: true });
    await writeFile(join(previous, MANIFEST_FILE), JSON.stringify({ format: 'localnet durable copy 1', sequence: 0, files: [{ path: 'x', bytes: 1, sha256: '00' }] }));
    expect(await recoverDurableCopy(target)).toBe('complete');
    expect(await readdir(parent)).toEqual(['ic']);
  });

  it('refuses a damaged copy when nothing complete is left, naming it', async () => {
    await writeDurableCopy(target, NEW);
    await rm(join(target, 'canisters/a/memory.bin'));
    const failure = recoverDurableCopy(target);
    await expect(failure).rejects.toBeInstanceOf(StateStoreError);
    await expect(failure).rejects.toThrow(`${target} is incomplete or damaged`);
  });

  it('leaves a folder from before manifests to the loader', async () => {
    await mkdir(target);
    await writeFile(join(target, 'state.json'), '{}');
    await mkdir(join(parent, 'ic.saving-77'));
    expect(await recoverDurableCopy(target)).toBe('unverified');
    expect(await readdir(parent)).toEqual(['ic']);
  });

  it('finds nothing in a folder that does not exist', async () => {
    expect(await recoverDurableCopy(join(parent, 'missing', 'ic'))).toBe('none');
  });
});

describe('saves to one folder', () => {
  it('never overlap, whoever starts them', async () => {
    const log: string[] = [];
    const saves = [OLD, NEW, OLD].map((files, index) => writeDurableCopy(target, files, (step) => void log.push(`${index}:${step}`)));
    await Promise.all(saves);
    const order = log.map((entry) => entry.split(':')[0]);
    expect(order).toEqual([...order].sort());
    expect(await contentOf(target)).toEqual(expected(OLD));
    const manifest = JSON.parse(await readFile(join(target, MANIFEST_FILE), 'utf8')) as { sequence: number };
    expect(manifest.sequence).toBe(3);
  });

  it('write only what changed and link the rest', async () => {
    await writeDurableCopy(target, OLD);
    const figures = await writeDurableCopy(target, NEW);
    expect(figures.bytesLinked).toBe(70_000);
    expect(figures.bytesWritten).toBe(NEW.reduce((sum, file) => sum + file.bytes.byteLength, 0) - 70_000);
  });
});
