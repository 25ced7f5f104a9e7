import { INSTRUCTION_COUNTER_EXPORT, meterModule } from './module_metering.js';
import {
  encodeName,
  encodeU32,
  ExternalKind,
  SectionId,
  type ExternalKindName,
  type ParsedWasm,
  type WasmExport
} from './wasm_binary.js';

/**
 * Names under which the instrumented module exposes what the host needs but
 * canister modules keep private. They must not start with `canister_`.
 */
export const INSTRUMENTED_EXPORT = {
  table: '__localnet_table',
  memory: '__localnet_memory',
  start: '__localnet_start',
  globalPrefix: '__localnet_global_'
} as const;

export interface InstrumentedModule {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly tableExport: string | undefined;
  readonly memoryExport: string | undefined;
  /** The (former) start function, to be run once on a fresh instance. */
  readonly startExport: string | undefined;
  /** Export names of every mutable global, in global index order. */
  readonly mutableGlobalExports: readonly string[];
  /** The exported i64 instruction counter; undefined for a module instrumented without metering. */
  readonly instructionCounterExport: string | undefined;
  /** Wasm instructions of the module (the replica charges their compilation at install). */
  readonly wasmInstructionCount: number;
}

const KIND_CODES: Readonly<Record<ExternalKindName, number>> = {
  function: ExternalKind.Function,
  table: ExternalKind.Table,
  memory: ExternalKind.Memory,
  global: ExternalKind.Global,
  tag: ExternalKind.Tag
};

/** The binary order of the non-custom sections. */
const SECTION_ORDER: readonly number[] = [
  SectionId.Type,
  SectionId.Import,
  SectionId.Function,
  SectionId.Table,
  SectionId.Memory,
  SectionId.Tag,
  SectionId.Global,
  SectionId.Export,
  SectionId.Start,
  SectionId.Element,
  SectionId.DataCount,
  SectionId.Code,
  SectionId.Data
];

/**
 * Exports the function table (callbacks are table indices), the memory and
 * every mutable global (so they can be snapshotted and restored), and turns
 * the start function into an export so that a restored instance does not run
 * it again. This is a direct edit of the export and start sections, which
 * takes milliseconds where a binaryen round trip of an Azle module takes
 * over a second. With `metered`, every function body also gets the
 * replica's instruction metering (module_metering.ts).
 */
export function instrumentCanisterModule(module: Uint8Array, parsed: ParsedWasm, metered = true): InstrumentedModule {
  // A Buffer and a Uint8Array have different hidden classes: V8's optimised instrumenter, warmed up
  // on one, would deoptimise on the other. Every caller's bytes are read through a plain view.
  const bytes = new Uint8Array(module.buffer, module.byteOffset, module.byteLength);
  const metering = metered ? meterModule(bytes, parsed) : undefined;
  const exports: WasmExport[] = [...parsed.exports];
  const exportedName = (kind: ExternalKindName, index: number): string | undefined =>
    parsed.exports.find((entry) => entry.kind === kind && entry.index === index)?.name;
  const addExport = (kind: ExternalKindName, index: number, name: string): string => {
    exports.push({ name, kind, index });
    return name;
  };

  const tableExport = parsed.tableCount > 0 ? (exportedName('table', 0) ?? addExport('table', 0, INSTRUMENTED_EXPORT.table)) : undefined;
  const memoryExport =
    parsed.memoryCount > 0 ? (exportedName('memory', 0) ?? addExport('memory', 0, INSTRUMENTED_EXPORT.memory)) : undefined;
  const mutableGlobalExports: string[] = [];
  parsed.globals.forEach((global, index) => {
    if (!global.mutable) return;
    mutableGlobalExports.push(exportedName('global', index) ?? addExport('global', index, `${INSTRUMENTED_EXPORT.globalPrefix}${index}`));
  });
  const startExport =
    parsed.startFunction === undefined ? undefined : addExport('function', parsed.startFunction, INSTRUMENTED_EXPORT.start);
  const instructionCounterExport =
    metering === undefined ? undefined : addExport('global', metering.counterGlobal, INSTRUCTION_COUNTER_EXPORT);

  const exportSection = encodeSection(SectionId.Export, [
    ...encodeU32(exports.length),
    ...exports.flatMap((entry) => [...encodeName(entry.name), KIND_CODES[entry.kind], ...encodeU32(entry.index)])
  ]);

  // Sections written anew (replacing the module's own, or added where it has none), in binary order.
  const replacements = new Map<number, Uint8Array>(metering?.sections ?? []);
  replacements.set(SectionId.Export, exportSection);
  replacements.set(SectionId.Start, new Uint8Array(0));
  const pending = SECTION_ORDER.filter((id) => replacements.has(id));
  const pieces: Uint8Array[] = [bytes.subarray(0, 8)];
  const writeReplacementsBefore = (rank: number): void => {
    while (pending.length > 0 && SECTION_ORDER.indexOf(pending[0] as number) <= rank) {
      pieces.push(replacements.get(pending.shift() as number) as Uint8Array);
    }
  };
  for (const section of parsed.sections) {
    if (section.id === SectionId.Custom) {
      pieces.push(bytes.subarray(section.start, section.end));
      continue;
    }
    writeReplacementsBefore(SECTION_ORDER.indexOf(section.id));
    if (!replacements.has(section.id)) pieces.push(bytes.subarray(section.start, section.end));
  }
  writeReplacementsBefore(SECTION_ORDER.length);

  return {
    bytes: concat(pieces),
    tableExport,
    memoryExport,
    startExport,
    mutableGlobalExports,
    instructionCounterExport,
    wasmInstructionCount: metering?.wasmInstructionCount ?? 0
  };
}

function encodeSection(id: number, content: number[]): Uint8Array {
  return Uint8Array.from([id, ...encodeU32(content.length), ...content]);
}

function concat(pieces: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(pieces.reduce((total, piece) => total + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}
