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
}

const KIND_CODES: Readonly<Record<ExternalKindName, number>> = {
  function: ExternalKind.Function,
  table: ExternalKind.Table,
  memory: ExternalKind.Memory,
  global: ExternalKind.Global,
  tag: ExternalKind.Tag
};

/** Sections that must come after the export section, in binary order. */
const SECTIONS_AFTER_EXPORT: ReadonlySet<number> = new Set([
  SectionId.Start,
  SectionId.Element,
  SectionId.DataCount,
  SectionId.Code,
  SectionId.Data
]);

/**
 * Exports the function table (callbacks are table indices), the memory and
 * every mutable global (so they can be snapshotted and restored), and turns
 * the start function into an export so that a restored instance does not run
 * it again. This is a direct edit of the export and start sections, which
 * takes milliseconds where a binaryen round trip of an Azle module takes
 * over a second.
 */
export function instrumentCanisterModule(bytes: Uint8Array, parsed: ParsedWasm): InstrumentedModule {
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

  const exportSection = encodeSection(SectionId.Export, [
    ...encodeU32(exports.length),
    ...exports.flatMap((entry) => [...encodeName(entry.name), KIND_CODES[entry.kind], ...encodeU32(entry.index)])
  ]);

  const pieces: Uint8Array[] = [bytes.subarray(0, 8)];
  let exportWritten = false;
  for (const section of parsed.sections) {
    if (!exportWritten && (section.id === SectionId.Export || SECTIONS_AFTER_EXPORT.has(section.id))) {
      pieces.push(exportSection);
      exportWritten = true;
    }
    if (section.id === SectionId.Export || section.id === SectionId.Start) continue;
    pieces.push(bytes.subarray(section.start, section.end));
  }
  if (!exportWritten) pieces.push(exportSection);

  return { bytes: concat(pieces), tableExport, memoryExport, startExport, mutableGlobalExports };
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
