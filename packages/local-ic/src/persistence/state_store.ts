import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Principal } from '@dfinity/principal';
import { isSubnetKind } from '../topology/layout.js';
import { StateStoreError } from '../shared/errors.js';
import { RandomSource } from '../state/random_source.js';
import { CanisterInstance, type GlobalValue } from '../runtime/canister_instance.js';
import { WASM_PAGE_SIZE } from '../runtime/stable_memory.js';
import type { Canister, CanisterSettings, LogVisibility, RunStatus } from '../state/canister.js';
import type { Subnet } from '../subnet.js';
import { loadCanisterModule } from '../wasm/canister_module.js';
import { writeDurableCopy, type CopyFile, type SaveFigures, type StepHook } from './durable_copy.js';

/**
 * Layout of a saved local IC:
 *   state.json                      time, counters, and every canister's host-side state
 *   modules/<sha256>.wasm           installed modules, by hash
 *   canisters/<id>/memory.bin       committed Wasm memory
 *   canisters/<id>/stable.bin       written stable-memory pages: [u32 LE page index][64 KiB] ...
 *   canisters/<id>/chunks/<sha256>  the canister's Wasm chunk store
 *   MANIFEST.json                   written last: every file's size and SHA-256 (see durable-copy.ts)
 * Only a quiescent local IC is saved (no queued message, no open call), so no
 * call context or callback needs saving.
 */
const STATE_FILE = 'state.json';
const FORMAT_VERSION = 3;
const READABLE_VERSIONS = [FORMAT_VERSION];
/** Versions 1 and 2 were written by the local IC of one subnet, whose canister ids no subnet of this topology hosts. */
const SINGLE_SUBNET_VERSIONS = [1, 2];

interface SavedGlobal {
  readonly kind: 'number' | 'bigint';
  readonly value: string;
}

interface SavedCanister {
  readonly id: string;
  readonly settings: {
    readonly controllers: string[];
    readonly computeAllocation: string;
    readonly memoryAllocation: string;
    readonly freezingThreshold: string;
    readonly reservedCyclesLimit: string;
    readonly logVisibility: { kind: LogVisibility['kind']; viewers?: string[] };
    readonly wasmMemoryLimit: string;
    readonly wasmMemoryThreshold: string;
    readonly environmentVariables: Array<[string, string]>;
  };
  readonly status: RunStatus;
  readonly balance: string;
  readonly version: string;
  readonly moduleHash: string | null;
  /** Absent in version 1. */
  readonly hasMemory?: boolean;
  readonly certifiedData: string;
  readonly globalTimer: string;
  readonly stablePageCount: number;
  readonly globals: SavedGlobal[];
  readonly chunkHashes: string[];
  readonly counters: { nextCallContextId: number; nextCallbackId: number; nextLogIndex: string };
}

interface SavedState {
  readonly formatVersion: number;
  readonly timeNanos: string;
  /** Per subnet kind, the next index its allocation range hands out. */
  readonly nextCanisterIndices: Record<string, string>;
  readonly randomSeed: string;
  readonly randomBlocksDrawn: string;
  readonly canisters: SavedCanister[];
}

/** A consistent copy of the IC's state, taken synchronously between messages; writing it can happen later. */
export interface StateSnapshot {
  readonly files: readonly CopyFile[];
}

export function captureState(subnet: Subnet): StateSnapshot {
  const files: CopyFile[] = [];
  const canisters: SavedCanister[] = [];
  for (const canister of subnet.canisters.values()) canisters.push(captureCanister(canister, files));
  const state: SavedState = {
    formatVersion: FORMAT_VERSION,
    timeNanos: subnet.clock.now().toString(),
    nextCanisterIndices: Object.fromEntries([...subnet.hosts.values()].map((host) => [host.kind, host.nextCanisterIndex.toString()])),
    randomSeed: Buffer.from(subnet.random.seedBytes).toString('hex'),
    randomBlocksDrawn: subnet.random.blocksDrawn.toString(),
    canisters
  };
  files.push({ path: STATE_FILE, bytes: Buffer.from(JSON.stringify(state, null, 2)) });
  return { files };
}

export async function writeSnapshot(directory: string, snapshot: StateSnapshot, onStep?: StepHook): Promise<SaveFigures> {
  return writeDurableCopy(directory, snapshot.files, onStep);
}

function captureCanister(canister: Canister, files: CopyFile[]): SavedCanister {
  const folder = `canisters/${canister.idText}`;
  const module = canister.module;
  if (module !== undefined && !files.some((file) => file.path === `modules/${module.hashHex}.wasm`)) {
    files.push({ path: `modules/${module.hashHex}.wasm`, bytes: module.installedBytes });
  }
  const committed = canister.instance?.committedState();
  // The committed memory is a view that the next message overwrites: copy it now.
  if (committed?.memory !== undefined) files.push({ path: `${folder}/memory.bin`, bytes: Buffer.from(committed.memory) });
  files.push({ path: `${folder}/stable.bin`, bytes: encodeStablePages(canister) });
  for (const [hash, chunk] of canister.chunkStore) files.push({ path: `${folder}/chunks/${hash}`, bytes: chunk });
  const settings = canister.settings;
  const counters = canister.counters();
  return {
    id: canister.idText,
    settings: {
      controllers: settings.controllers.map((controller) => controller.toText()),
      computeAllocation: settings.computeAllocation.toString(),
      memoryAllocation: settings.memoryAllocation.toString(),
      freezingThreshold: settings.freezingThreshold.toString(),
      reservedCyclesLimit: settings.reservedCyclesLimit.toString(),
      logVisibility:
        settings.logVisibility.kind === 'allowed_viewers'
          ? { kind: 'allowed_viewers', viewers: settings.logVisibility.viewers.map((viewer) => viewer.toText()) }
          : { kind: settings.logVisibility.kind },
      wasmMemoryLimit: settings.wasmMemoryLimit.toString(),
      wasmMemoryThreshold: settings.wasmMemoryThreshold.toString(),
      environmentVariables: settings.environmentVariables
    },
    status: canister.status,
    balance: canister.balance.toString(),
    version: canister.version.toString(),
    moduleHash: module?.hashHex ?? null,
    hasMemory: committed?.memory !== undefined,
    certifiedData: Buffer.from(canister.certifiedData).toString('hex'),
    globalTimer: canister.globalTimer.toString(),
    stablePageCount: canister.stableMemory.sizeInPages,
    globals: (committed?.globals ?? []).map((value) => ({ kind: typeof value === 'bigint' ? 'bigint' : 'number', value: String(value) })),
    chunkHashes: [...canister.chunkStore.keys()],
    counters: { ...counters, nextLogIndex: counters.nextLogIndex.toString() }
  };
}

function encodeStablePages(canister: Canister): Buffer {
  const pieces: Buffer[] = [];
  for (const [pageIndex, page] of canister.stableMemory.writtenPages()) {
    const header = Buffer.alloc(4);
    header.writeUInt32LE(pageIndex);
    pieces.push(header, Buffer.from(page.buffer, page.byteOffset, page.byteLength));
  }
  return Buffer.concat(pieces);
}

function decodeStablePages(bytes: Buffer): Array<[number, Uint8Array]> {
  const pages: Array<[number, Uint8Array]> = [];
  const recordSize = 4 + WASM_PAGE_SIZE;
  if (bytes.length % recordSize !== 0) throw new StateStoreError('stable.bin is truncated');
  for (let offset = 0; offset < bytes.length; offset += recordSize) {
    pages.push([bytes.readUInt32LE(offset), new Uint8Array(bytes.subarray(offset + 4, offset + recordSize))]);
  }
  return pages;
}

export async function loadState(directory: string, subnet: Subnet): Promise<void> {
  let state: SavedState;
  try {
    state = JSON.parse(await readFile(join(directory, STATE_FILE), 'utf8')) as SavedState;
  } catch (error) {
    throw new StateStoreError(`Cannot read ${join(directory, STATE_FILE)}: ${(error as Error).message}`);
  }
  if (SINGLE_SUBNET_VERSIONS.includes(state.formatVersion)) {
    throw new StateStoreError(
      `${directory} was saved by the single-subnet local IC (format ${state.formatVersion}), whose canister ids no subnet of this topology hosts`
    );
  }
  if (!READABLE_VERSIONS.includes(state.formatVersion)) {
    throw new StateStoreError(`Saved state has format version ${state.formatVersion}; this local IC reads versions ${READABLE_VERSIONS.join(', ')}`);
  }
  subnet.clock.advanceTo(BigInt(state.timeNanos));
  for (const [kind, next] of Object.entries(state.nextCanisterIndices)) {
    if (!isSubnetKind(kind)) throw new StateStoreError(`Saved state names an unknown subnet kind ${JSON.stringify(kind)}`);
    subnet.host(kind).nextCanisterIndex = BigInt(next);
  }
  subnet.random = new RandomSource(new Uint8Array(Buffer.from(state.randomSeed, 'hex')), BigInt(state.randomBlocksDrawn));
  for (const saved of state.canisters) await loadCanister(directory, subnet, saved);
}

async function loadCanister(directory: string, subnet: Subnet, saved: SavedCanister): Promise<void> {
  const folder = join(directory, 'canisters', saved.id);
  const canister = subnet.addCanister(Principal.fromText(saved.id), settingsFrom(saved.settings), BigInt(saved.balance));
  canister.status = saved.status;
  canister.version = BigInt(saved.version);
  canister.certifiedData = new Uint8Array(Buffer.from(saved.certifiedData, 'hex'));
  canister.globalTimer = BigInt(saved.globalTimer);
  canister.restoreCounters({ ...saved.counters, nextLogIndex: BigInt(saved.counters.nextLogIndex) });
  canister.stableMemory.restore(saved.stablePageCount, decodeStablePages(await readStateFile(join(folder, 'stable.bin'))));
  for (const hash of saved.chunkHashes) canister.chunkStore.set(hash, new Uint8Array(await readStateFile(join(folder, 'chunks', hash))));
  if (saved.moduleHash === null) return;
  const module = await loadCanisterModule(new Uint8Array(await readStateFile(join(directory, 'modules', `${saved.moduleHash}.wasm`))));
  const memory = saved.hasMemory === false ? undefined : new Uint8Array(await readStateFile(join(folder, 'memory.bin')));
  const globals: GlobalValue[] = saved.globals.map((global) => (global.kind === 'bigint' ? BigInt(global.value) : Number(global.value)));
  canister.module = module;
  canister.instance = CanisterInstance.restore(module, canister, memory, globals);
}

async function readStateFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new StateStoreError(`Cannot read ${path}: ${(error as Error).message}`);
  }
}

function settingsFrom(saved: SavedCanister['settings']): CanisterSettings {
  const visibility: LogVisibility =
    saved.logVisibility.kind === 'allowed_viewers'
      ? { kind: 'allowed_viewers', viewers: (saved.logVisibility.viewers ?? []).map((viewer) => Principal.fromText(viewer)) }
      : { kind: saved.logVisibility.kind };
  return {
    controllers: saved.controllers.map((controller) => Principal.fromText(controller)),
    computeAllocation: BigInt(saved.computeAllocation),
    memoryAllocation: BigInt(saved.memoryAllocation),
    freezingThreshold: BigInt(saved.freezingThreshold),
    reservedCyclesLimit: BigInt(saved.reservedCyclesLimit),
    logVisibility: visibility,
    wasmMemoryLimit: BigInt(saved.wasmMemoryLimit),
    wasmMemoryThreshold: BigInt(saved.wasmMemoryThreshold),
    environmentVariables: saved.environmentVariables
  };
}
