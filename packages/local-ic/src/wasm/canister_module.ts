import { gunzipSync } from 'node:zlib';
import { sha256Of } from '../shared/bytes.js';
import { InvalidWasmModuleError, UnsupportedImportError } from '../shared/errors.js';
import { instructionMeteringEnabled } from './metering_settings.js';
import { MeteringDecodeError } from './function_body_metering.js';
import { instrumentCanisterModule, type InstrumentedModule } from './instrument.js';
import { InstrumentedModuleCache, instrumenterIdentity, moduleCacheDirectory } from './instrumented_module_cache.js';
import { sameFunctionType, SYSTEM_API_SIGNATURES } from './system_api_signatures.js';
import {
  formatFunctionType,
  functionTypeOf,
  hasWasmMagic,
  parseWasm,
  WasmFormatError,
  type ParsedWasm
} from './wasm_binary.js';

/** Exported functions the IC invokes by name (besides public methods). */
export type SystemEntryPoint =
  | 'canister_init'
  | 'canister_pre_upgrade'
  | 'canister_post_upgrade'
  | 'canister_inspect_message'
  | 'canister_heartbeat'
  | 'canister_global_timer'
  | 'canister_on_low_wasm_memory';

const SYSTEM_ENTRY_POINTS: ReadonlySet<string> = new Set<SystemEntryPoint>([
  'canister_init',
  'canister_pre_upgrade',
  'canister_post_upgrade',
  'canister_inspect_message',
  'canister_heartbeat',
  'canister_global_timer',
  'canister_on_low_wasm_memory'
]);

export type MethodKind = 'update' | 'query' | 'composite_query';
const METHOD_EXPORT_PREFIXES: ReadonlyArray<readonly [string, MethodKind]> = [
  ['canister_update ', 'update'],
  ['canister_query ', 'query'],
  ['canister_composite_query ', 'composite_query']
];

/** A validated, instrumented and compiled canister module, shared by every canister running it. */
export interface CanisterModule {
  /** SHA-256 of the module as installed (the IC's `module_hash`). */
  readonly hash: Uint8Array;
  readonly hashHex: string;
  /** The module as installed (possibly gzipped). */
  readonly installedBytes: Uint8Array;
  readonly compiled: WebAssembly.Module;
  /** Public methods by name. */
  readonly methods: ReadonlyMap<string, MethodKind>;
  readonly systemEntryPoints: ReadonlySet<SystemEntryPoint>;
  readonly tableExport: string | undefined;
  readonly memoryExport: string | undefined;
  readonly startExport: string | undefined;
  readonly mutableGlobalExports: readonly string[];
  /** The injected instruction counter (undefined only with metering switched off for a bench). */
  readonly instructionCounterExport: string | undefined;
  /** Wasm instructions in the module, for the compilation charge at install. */
  readonly wasmInstructionCount: number;
  /** The module's `icp:public <name>` and `icp:private <name>` custom sections, by name. */
  readonly metadata: ReadonlyMap<string, CanisterMetadata>;
}

export interface CanisterMetadata {
  readonly visibility: 'public' | 'private';
  readonly content: Uint8Array;
}

/** Limits the IC may enforce on canister modules (interface spec, "WebAssembly module requirements"). */
const MAX_FUNCTIONS = 50_000;
const MAX_GLOBALS = 1_000;
const MAX_METHODS = 1_000;
const MAX_METHOD_NAME_BYTES_TOTAL = 20_000;
const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

/**
 * Compiling an Azle module takes a noticeable fraction of a second, so compiled
 * modules are kept per content hash for the life of the process (and their
 * instrumentation on disk, across processes).
 */
const moduleCache = new Map<string, Promise<CanisterModule>>();

export function loadCanisterModule(installedBytes: Uint8Array): Promise<CanisterModule> {
  const hash = sha256Of(installedBytes);
  const hashHex = Buffer.from(hash).toString('hex');
  const metered = instructionMeteringEnabled();
  const cacheKey = metered ? hashHex : `${hashHex} unmetered`;
  const cached = moduleCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const loading = compileCanisterModule(installedBytes, hash, hashHex, metered);
  moduleCache.set(cacheKey, loading);
  loading.catch(() => moduleCache.delete(cacheKey));
  return loading;
}

let sharedDiskCache: InstrumentedModuleCache | null | undefined;

/** The on-disk cache of instrumented modules (instrumented_module_cache.ts), or undefined when switched off. */
function instrumentedModuleCache(): InstrumentedModuleCache | undefined {
  if (sharedDiskCache === undefined) {
    const directory = moduleCacheDirectory();
    sharedDiskCache = directory === undefined ? null : new InstrumentedModuleCache(directory, instrumenterIdentity());
  }
  return sharedDiskCache ?? undefined;
}

export function moduleHashHex(installedBytes: Uint8Array): string {
  return Buffer.from(sha256Of(installedBytes)).toString('hex');
}

async function compileCanisterModule(installedBytes: Uint8Array, hash: Uint8Array, hashHex: string, metered: boolean): Promise<CanisterModule> {
  const wasm = decompressIfGzipped(installedBytes);
  let parsed: ParsedWasm;
  try {
    parsed = parseWasm(wasm);
  } catch (error) {
    if (error instanceof WasmFormatError) throw new InvalidWasmModuleError(`Not a valid WebAssembly module: ${error.message}`);
    throw error;
  }
  checkImports(parsed);
  const { methods, systemEntryPoints } = checkExports(parsed);
  checkLimits(parsed, methods);
  const metadata = metadataSections(parsed);
  const diskCache = instrumentedModuleCache();
  const cached = diskCache?.read(hashHex, metered);
  let instrumented: InstrumentedModule;
  try {
    instrumented = cached ?? instrumentCanisterModule(wasm, parsed, metered);
  } catch (error) {
    if (error instanceof MeteringDecodeError) throw new InvalidWasmModuleError(`Wasm module cannot be instrumented: ${error.message}`);
    throw error;
  }
  let compiled: WebAssembly.Module;
  try {
    compiled = await WebAssembly.compile(instrumented.bytes);
  } catch (error) {
    throw new InvalidWasmModuleError(`WebAssembly compilation failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (cached === undefined && diskCache !== undefined) {
    // Written after the install that needed it has answered (~25 ms for a 3 MB module: the file, its hash).
    setImmediate(() => {
      try {
        diskCache.write(hashHex, metered, instrumented);
      } catch {
        // A cache that cannot be written (read-only or full disk) only costs the next process the instrumentation.
      }
    });
  }
  return {
    hash,
    hashHex,
    installedBytes,
    compiled,
    methods,
    systemEntryPoints,
    tableExport: instrumented.tableExport,
    memoryExport: instrumented.memoryExport,
    startExport: instrumented.startExport,
    mutableGlobalExports: instrumented.mutableGlobalExports,
    instructionCounterExport: instrumented.instructionCounterExport,
    wasmInstructionCount: instrumented.wasmInstructionCount,
    metadata
  };
}

/** Custom sections named `icp:public <name>` or `icp:private <name>` (interface spec, "Canister metadata"). */
function metadataSections(parsed: ParsedWasm): Map<string, CanisterMetadata> {
  const metadata = new Map<string, CanisterMetadata>();
  for (const section of parsed.customSections) {
    const match = /^icp:(public|private) (.*)$/s.exec(section.name);
    if (match === null) continue;
    const [, visibility, name] = match as unknown as [string, 'public' | 'private', string];
    if (metadata.has(name)) throw new InvalidWasmModuleError(`Wasm module has more than one icp: custom section named '${name}'`);
    metadata.set(name, { visibility, content: section.content.slice() });
  }
  return metadata;
}

function decompressIfGzipped(bytes: Uint8Array): Uint8Array {
  if (GZIP_MAGIC.every((byte, i) => bytes[i] === byte)) {
    try {
      return new Uint8Array(gunzipSync(bytes));
    } catch (error) {
      throw new InvalidWasmModuleError(`Failed to decompress the gzipped Wasm module: ${(error as Error).message}`);
    }
  }
  if (!hasWasmMagic(bytes)) {
    throw new InvalidWasmModuleError(
      'Not a WebAssembly module: it starts with neither the Wasm magic number (\\0asm) nor the gzip magic number'
    );
  }
  return bytes;
}

function checkImports(parsed: ParsedWasm): void {
  for (const entry of parsed.imports) {
    if (entry.module !== 'ic0') {
      throw new UnsupportedImportError(entry.module, entry.name, 'canisters may only import functions from the "ic0" module');
    }
    if (entry.kind !== 'function') {
      throw new UnsupportedImportError(entry.module, entry.name, `canisters may only import functions, not a ${entry.kind}`);
    }
    const expected = SYSTEM_API_SIGNATURES[entry.name];
    if (expected === undefined) {
      throw new UnsupportedImportError(entry.module, entry.name, 'the local IC does not provide this System API function');
    }
    const actual = entry.typeIndex === undefined ? undefined : parsed.types[entry.typeIndex];
    if (actual === undefined || !sameFunctionType(actual, expected)) {
      throw new UnsupportedImportError(
        entry.module,
        entry.name,
        `its type ${actual === undefined ? 'is missing' : formatFunctionType(actual)} differs from the System API's ${formatFunctionType(expected)}`
      );
    }
  }
  if (parsed.memoryCount > 1) throw new InvalidWasmModuleError('Wasm module declares more than one memory');
  if (parsed.memory64) throw new InvalidWasmModuleError('Wasm module declares a 64-bit memory, which the local IC does not support');
}

function checkExports(parsed: ParsedWasm): {
  methods: Map<string, MethodKind>;
  systemEntryPoints: Set<SystemEntryPoint>;
} {
  const methods = new Map<string, MethodKind>();
  const systemEntryPoints = new Set<SystemEntryPoint>();
  for (const entry of parsed.exports) {
    if (!entry.name.startsWith('canister_')) continue;
    const methodPrefix = METHOD_EXPORT_PREFIXES.find(([prefix]) => entry.name.startsWith(prefix));
    if (methodPrefix === undefined && !SYSTEM_ENTRY_POINTS.has(entry.name)) {
      throw new InvalidWasmModuleError(`Wasm module exports '${entry.name}', which is not a valid canister_ export`);
    }
    const type = entry.kind === 'function' ? functionTypeOf(parsed, entry.index) : undefined;
    if (type === undefined || type.params.length !== 0 || type.results.length !== 0) {
      throw new InvalidWasmModuleError(
        `Wasm module export '${entry.name}' must be a function of type () -> ()` +
          (type === undefined ? `, but it is a ${entry.kind}` : `, but its type is ${formatFunctionType(type)}`)
      );
    }
    if (methodPrefix === undefined) {
      systemEntryPoints.add(entry.name as SystemEntryPoint);
      continue;
    }
    const [prefix, kind] = methodPrefix;
    const name = entry.name.slice(prefix.length);
    if (methods.has(name)) {
      throw new InvalidWasmModuleError(`Wasm module exports the method '${name}' more than once`);
    }
    methods.set(name, kind);
  }
  return { methods, systemEntryPoints };
}

function checkLimits(parsed: ParsedWasm, methods: ReadonlyMap<string, MethodKind>): void {
  const functionCount = parsed.functionTypeIndices.length - parsed.importedFunctionCount;
  if (functionCount > MAX_FUNCTIONS) {
    throw new InvalidWasmModuleError(`Wasm module defined ${functionCount} functions which exceeds the maximum number allowed ${MAX_FUNCTIONS}.`);
  }
  if (parsed.globals.length > MAX_GLOBALS) {
    throw new InvalidWasmModuleError(`Wasm module defined ${parsed.globals.length} globals which exceeds the maximum number allowed ${MAX_GLOBALS}.`);
  }
  if (methods.size > MAX_METHODS) {
    throw new InvalidWasmModuleError(`Wasm module exports ${methods.size} methods, more than the ${MAX_METHODS} allowed`);
  }
  const nameBytes = [...methods.keys()].reduce((total, name) => total + Buffer.byteLength(name), 0);
  if (nameBytes > MAX_METHOD_NAME_BYTES_TOTAL) {
    throw new InvalidWasmModuleError(`Wasm module's method names take ${nameBytes} bytes, more than the ${MAX_METHOD_NAME_BYTES_TOTAL} allowed`);
  }
  if (parsed.globals.some((global) => global.mutable && global.type === 'v128')) {
    throw new InvalidWasmModuleError('Wasm module has a mutable v128 global, which the local IC cannot save and restore');
  }
  const usesCallbacks = parsed.imports.some((entry) => entry.name === 'call_new');
  if (usesCallbacks && parsed.tableCount === 0) {
    throw new InvalidWasmModuleError('Wasm module imports ic0.call_new but has no function table to hold its callbacks');
  }
}
