/**
 * A folder that is replaced as a whole and survives a kill -9 between any two
 * system calls.
 *
 * Saving `<target>`:
 *   1. the complete new copy is written to `<target>.saving-<pid>`, every file
 *      fsynced, then MANIFEST.json (sequence number, every file's size and
 *      SHA-256), then the folders fsynced;
 *   2. `<target>` is renamed to `<target>.previous-<pid>`, the new copy is
 *      renamed to `<target>`, the parent folder fsynced after each rename;
 *   3. only then is the previous copy removed.
 * Files whose bytes equal the current copy's are hard-linked instead of
 * rewritten: no file is ever changed in place, so copies may share them.
 *
 * Recovering `<target>` (at start): every candidate (`<target>`, leftovers
 * `.saving-*` and `.previous-*` of any pid) is checked against its manifest;
 * the complete one with the highest sequence becomes `<target>` and the rest
 * are removed. Recovery itself only renames and removes, in the same order,
 * so a kill during it is recovered by the next start.
 */
import { createHash } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, normalize, sep } from 'node:path';
import { StateStoreError } from '../errors.js';

export const MANIFEST_FILE = 'MANIFEST.json';
const MANIFEST_FORMAT = 'localnet durable copy 1';

export interface CopyFile {
  /** Relative path with `/` separators. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export type SaveStep =
  | 'staging-cleared'
  | 'file-written'
  | 'manifest-written'
  | 'staging-synced'
  | 'previous-moved-aside'
  | 'copy-swapped-in'
  | 'previous-removed';

/** Called after each step of a save; tests throw from it to simulate a kill at that point. */
export type StepHook = (step: SaveStep) => void;

interface ManifestEntry {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

interface Manifest {
  readonly format: string;
  readonly sequence: number;
  readonly files: ManifestEntry[];
}

export interface SaveFigures {
  readonly bytesWritten: number;
  readonly bytesLinked: number;
}

/** Saves in progress, by target: a save starts only once the previous one to the same folder has finished. */
const savesInProgress = new Map<string, Promise<unknown>>();

export function writeDurableCopy(target: string, files: readonly CopyFile[], onStep: StepHook = () => undefined): Promise<SaveFigures> {
  const previousSave = savesInProgress.get(target) ?? Promise.resolve();
  const save = previousSave.catch(() => undefined).then(() => writeCopyNow(target, files, onStep));
  const settled = save.catch(() => undefined);
  savesInProgress.set(target, settled);
  void settled.then(() => {
    if (savesInProgress.get(target) === settled) savesInProgress.delete(target);
  });
  return save;
}

async function writeCopyNow(target: string, files: readonly CopyFile[], onStep: StepHook): Promise<SaveFigures> {
  const staging = `${target}.saving-${process.pid}`;
  const previous = `${target}.previous-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  onStep('staging-cleared');
  const current = await readManifest(target);
  const unchanged = new Map((current?.files ?? []).map((entry) => [entry.path, entry]));
  const entries: ManifestEntry[] = [];
  const folders = new Set<string>([staging]);
  let bytesWritten = 0;
  let bytesLinked = 0;
  for (const file of files) {
    const entry = { path: checkedPath(file.path), bytes: file.bytes.byteLength, sha256: await sha256Hex(file.bytes) };
    const destination = join(staging, entry.path);
    for (let folder = dirname(destination); folder.startsWith(staging + sep) && !folders.has(folder); folder = dirname(folder)) folders.add(folder);
    await mkdir(dirname(destination), { recursive: true });
    const same = unchanged.get(entry.path);
    if (same !== undefined && same.sha256 === entry.sha256 && same.bytes === entry.bytes && (await linked(join(target, entry.path), destination))) {
      bytesLinked += entry.bytes;
    } else {
      await writeSynced(destination, file.bytes);
      bytesWritten += entry.bytes;
    }
    entries.push(entry);
    onStep('file-written');
  }
  const manifest: Manifest = { format: MANIFEST_FORMAT, sequence: (current?.sequence ?? 0) + 1, files: entries };
  await writeSynced(join(staging, MANIFEST_FILE), Buffer.from(JSON.stringify(manifest)));
  onStep('manifest-written');
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) await syncFolder(folder);
  onStep('staging-synced');
  if (await exists(target)) {
    await rm(previous, { recursive: true, force: true });
    await rename(target, previous);
    await syncFolder(dirname(target));
    onStep('previous-moved-aside');
  }
  await rename(staging, target);
  await syncFolder(dirname(target));
  onStep('copy-swapped-in');
  await rm(previous, { recursive: true, force: true });
  onStep('previous-removed');
  return { bytesWritten, bytesLinked };
}

export type Recovery =
  /** Nothing was ever saved completely: start afresh. */
  | 'none'
  /** `<target>` holds the last complete copy. */
  | 'complete'
  /** `<target>` predates manifests: the loader must judge it. */
  | 'unverified';

/** Puts the last complete copy at `<target>` and removes every leftover. Throws StateStoreError if `<target>` exists but cannot be read. */
export async function recoverDurableCopy(target: string): Promise<Recovery> {
  const parent = dirname(target);
  const name = basename(target);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw new StateStoreError(`cannot list ${parent}: ${(error as Error).message}`);
  }
  const candidates = names.filter((entry) => entry === name || entry.startsWith(`${name}.saving-`) || entry.startsWith(`${name}.previous-`)).map((entry) => join(parent, entry));
  let winner: { path: string; sequence: number } | undefined;
  for (const candidate of candidates) {
    const manifest = await verifiedManifest(candidate);
    if (manifest === undefined) continue;
    const better = winner === undefined || manifest.sequence > winner.sequence || (manifest.sequence === winner.sequence && candidate === target);
    if (better) winner = { path: candidate, sequence: manifest.sequence };
  }
  const targetExists = candidates.includes(target);
  let recovery: Recovery = 'none';
  if (winner !== undefined) {
    if (winner.path !== target) {
      if (targetExists) {
        await rename(target, `${target}.previous-${process.pid}-${Date.now()}`);
        await syncFolder(parent);
      }
      await rename(winner.path, target);
      await syncFolder(parent);
    }
    recovery = 'complete';
  } else if (targetExists) {
    if (await exists(join(target, MANIFEST_FILE))) throw new StateStoreError(`${target} is incomplete or damaged (its files do not match ${MANIFEST_FILE}), and no other complete copy is left`);
    recovery = 'unverified';
  }
  const keep = recovery === 'none' ? undefined : target;
  for (const leftover of await readdir(parent)) {
    const path = join(parent, leftover);
    if (path !== keep && (leftover === name || leftover.startsWith(`${name}.saving-`) || leftover.startsWith(`${name}.previous-`))) await rm(path, { recursive: true, force: true });
  }
  await syncFolder(parent);
  return recovery;
}

async function readManifest(folder: string): Promise<Manifest | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const manifest = parsed as Partial<Manifest> | null;
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== MANIFEST_FORMAT) return undefined;
  if (!Number.isSafeInteger(manifest.sequence) || !Array.isArray(manifest.files)) return undefined;
  for (const entry of manifest.files as unknown[]) {
    const file = entry as Partial<ManifestEntry> | null;
    if (file === null || typeof file !== 'object' || typeof file.path !== 'string' || !Number.isSafeInteger(file.bytes) || typeof file.sha256 !== 'string') return undefined;
    if (!isSafeRelativePath(file.path)) return undefined;
  }
  return manifest as Manifest;
}

/** The manifest of `folder` if every file it lists is there with its size and hash. */
async function verifiedManifest(folder: string): Promise<Manifest | undefined> {
  const manifest = await readManifest(folder);
  if (manifest === undefined) return undefined;
  for (const entry of manifest.files) {
    const path = join(folder, entry.path);
    const size = await stat(path).then(
      (info) => info.size,
      () => -1
    );
    if (size !== entry.bytes) return undefined;
    if ((await sha256Hex(await readFile(path))) !== entry.sha256) return undefined;
  }
  return manifest;
}

function checkedPath(path: string): string {
  if (!isSafeRelativePath(path)) throw new StateStoreError(`refusing to save outside the copy: ${JSON.stringify(path)}`);
  return path;
}

function isSafeRelativePath(path: string): boolean {
  const normalized = normalize(path);
  return path.length > 0 && normalized === path && !path.startsWith('/') && !path.split('/').includes('..') && path !== MANIFEST_FILE;
}

/** SHA-256 in 1 MiB slices, yielding between them so that requests are served meanwhile. */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const hash = createHash('sha256');
  const slice = 1024 * 1024;
  for (let offset = 0; offset < bytes.byteLength; offset += slice) {
    hash.update(bytes.subarray(offset, offset + slice));
    if (offset + slice < bytes.byteLength) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return hash.digest('hex');
}

async function linked(existing: string, destination: string): Promise<boolean> {
  return link(existing, destination).then(
    () => true,
    () => false
  );
}

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false
  );
}
