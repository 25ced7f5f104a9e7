/**
 * A small reader for the parts of the WebAssembly binary format the local IC
 * needs to check and instrument a canister module (types, imports, functions,
 * tables, memories, globals, exports, start, custom sections). Function bodies are not parsed.
 */

export const SectionId = {
  Custom: 0,
  Type: 1,
  Import: 2,
  Function: 3,
  Table: 4,
  Memory: 5,
  Global: 6,
  Export: 7,
  Start: 8,
  Element: 9,
  Code: 10,
  Data: 11,
  DataCount: 12,
  Tag: 13
} as const;

export const ExternalKind = { Function: 0, Table: 1, Memory: 2, Global: 3, Tag: 4 } as const;
export type ExternalKindName = 'function' | 'table' | 'memory' | 'global' | 'tag';

export type ValueType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref';

export interface FunctionType {
  readonly params: readonly ValueType[];
  readonly results: readonly ValueType[];
}

export interface WasmImport {
  readonly module: string;
  readonly name: string;
  readonly kind: ExternalKindName;
  /** For function imports: the index into the type section. */
  readonly typeIndex?: number;
}

export interface WasmExport {
  readonly name: string;
  readonly kind: ExternalKindName;
  readonly index: number;
}

export interface WasmGlobal {
  readonly type: ValueType;
  readonly mutable: boolean;
}

export interface WasmSection {
  readonly id: number;
  /** Offset of the section id byte. */
  readonly start: number;
  /** Offset just past the section. */
  readonly end: number;
  readonly contentStart: number;
}

export interface WasmCustomSection {
  readonly name: string;
  readonly content: Uint8Array;
}

export interface ParsedWasm {
  readonly sections: readonly WasmSection[];
  readonly customSections: readonly WasmCustomSection[];
  readonly types: readonly FunctionType[];
  readonly imports: readonly WasmImport[];
  /** Type index of every function in the function index space (imports first). */
  readonly functionTypeIndices: readonly number[];
  readonly importedFunctionCount: number;
  readonly tableCount: number;
  readonly memoryCount: number;
  readonly memory64: boolean;
  /** Every global in the global index space (imports first). */
  readonly globals: readonly WasmGlobal[];
  readonly importedGlobalCount: number;
  readonly exports: readonly WasmExport[];
  readonly startFunction: number | undefined;
}

export class WasmFormatError extends Error {}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const WASM_VERSION = [0x01, 0x00, 0x00, 0x00];

export function hasWasmMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && WASM_MAGIC.every((byte, i) => bytes[i] === byte);
}

class ByteReader {
  offset: number;

  constructor(
    private readonly bytes: Uint8Array,
    offset: number,
    private readonly limit: number
  ) {
    this.offset = offset;
  }

  get atEnd(): boolean {
    return this.offset >= this.limit;
  }

  byte(): number {
    if (this.offset >= this.limit) throw new WasmFormatError(`unexpected end of data at byte ${this.offset}`);
    return this.bytes[this.offset++] as number;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw new WasmFormatError(`LEB128 u32 too long at byte ${this.offset}`);
    }
    if (result > 0xffff_ffff) throw new WasmFormatError(`LEB128 u32 out of range at byte ${this.offset}`);
    return result;
  }

  /** Skips a signed LEB128 number of any width. */
  skipLeb(): void {
    while ((this.byte() & 0x80) !== 0) {
      /* continue */
    }
  }

  skip(count: number): void {
    if (this.offset + count > this.limit) throw new WasmFormatError(`unexpected end of data at byte ${this.offset}`);
    this.offset += count;
  }

  name(): string {
    const length = this.u32();
    const start = this.offset;
    this.skip(length);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes.subarray(start, start + length));
    } catch {
      throw new WasmFormatError(`a name at byte ${start} is not valid UTF-8`);
    }
  }
}

function valueType(code: number): ValueType {
  switch (code) {
    case 0x7f:
      return 'i32';
    case 0x7e:
      return 'i64';
    case 0x7d:
      return 'f32';
    case 0x7c:
      return 'f64';
    case 0x7b:
      return 'v128';
    case 0x70:
      return 'funcref';
    case 0x6f:
      return 'externref';
    default:
      throw new WasmFormatError(`unknown value type 0x${code.toString(16)}`);
  }
}

function kindName(code: number): ExternalKindName {
  switch (code) {
    case ExternalKind.Function:
      return 'function';
    case ExternalKind.Table:
      return 'table';
    case ExternalKind.Memory:
      return 'memory';
    case ExternalKind.Global:
      return 'global';
    case ExternalKind.Tag:
      return 'tag';
    default:
      throw new WasmFormatError(`unknown external kind 0x${code.toString(16)}`);
  }
}

/** Returns whether the limits describe a 64-bit memory. */
function readLimits(reader: ByteReader): boolean {
  const flags = reader.byte();
  reader.skipLeb();
  if ((flags & 0x01) !== 0) reader.skipLeb();
  return (flags & 0x04) !== 0;
}

function skipTableType(reader: ByteReader): void {
  valueType(reader.byte());
  readLimits(reader);
}

/** Skips a constant expression (global initialisers), ending at its `end` opcode. */
function skipConstantExpression(reader: ByteReader): void {
  for (;;) {
    const opcode = reader.byte();
    switch (opcode) {
      case 0x0b:
        return;
      case 0x41: // i32.const
      case 0x42: // i64.const
        reader.skipLeb();
        break;
      case 0x43: // f32.const
        reader.skip(4);
        break;
      case 0x44: // f64.const
        reader.skip(8);
        break;
      case 0x23: // global.get
      case 0xd2: // ref.func
        reader.u32();
        break;
      case 0xd0: // ref.null
        reader.byte();
        break;
      case 0x6a: // i32.add / sub / mul and i64.add / sub / mul (extended constant expressions)
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        break;
      case 0xfd: // v128.const
        reader.u32();
        reader.skip(16);
        break;
      default:
        throw new WasmFormatError(`unsupported instruction 0x${opcode.toString(16)} in a constant expression`);
    }
  }
}

export function parseWasm(bytes: Uint8Array): ParsedWasm {
  if (!hasWasmMagic(bytes)) throw new WasmFormatError('missing the WebAssembly magic number \\0asm');
  if (!WASM_VERSION.every((byte, i) => bytes[4 + i] === byte)) {
    throw new WasmFormatError('unsupported WebAssembly binary version (expected 1)');
  }
  const sections: WasmSection[] = [];
  const customSections: WasmCustomSection[] = [];
  const types: FunctionType[] = [];
  const imports: WasmImport[] = [];
  const functionTypeIndices: number[] = [];
  const globals: WasmGlobal[] = [];
  const exports: WasmExport[] = [];
  let importedFunctionCount = 0;
  let importedGlobalCount = 0;
  let tableCount = 0;
  let memoryCount = 0;
  let memory64 = false;
  let startFunction: number | undefined;

  const top = new ByteReader(bytes, 8, bytes.length);
  while (!top.atEnd) {
    const start = top.offset;
    const id = top.byte();
    const size = top.u32();
    const contentStart = top.offset;
    top.skip(size);
    const end = top.offset;
    sections.push({ id, start, end, contentStart });
    const reader = new ByteReader(bytes, contentStart, end);
    switch (id) {
      case SectionId.Custom: {
        const name = reader.name();
        customSections.push({ name, content: bytes.subarray(reader.offset, end) });
        break;
      }
      case SectionId.Type: {
        const count = reader.u32();
        for (let i = 0; i < count; i++) {
          const form = reader.byte();
          if (form !== 0x60) throw new WasmFormatError(`unsupported type form 0x${form.toString(16)}`);
          const params = Array.from({ length: reader.u32() }, () => valueType(reader.byte()));
          const results = Array.from({ length: reader.u32() }, () => valueType(reader.byte()));
          types.push({ params, results });
        }
        break;
      }
      case SectionId.Import: {
        const count = reader.u32();
        for (let i = 0; i < count; i++) {
          const module = reader.name();
          const name = reader.name();
          const kind = kindName(reader.byte());
          if (kind === 'function') {
            const typeIndex = reader.u32();
            imports.push({ module, name, kind, typeIndex });
            functionTypeIndices.push(typeIndex);
            importedFunctionCount++;
          } else {
            imports.push({ module, name, kind });
            if (kind === 'table') {
              skipTableType(reader);
              tableCount++;
            } else if (kind === 'memory') {
              memory64 = readLimits(reader) || memory64;
              memoryCount++;
            } else if (kind === 'global') {
              const type = valueType(reader.byte());
              globals.push({ type, mutable: reader.byte() === 1 });
              importedGlobalCount++;
            } else {
              reader.byte();
              reader.u32();
            }
          }
        }
        break;
      }
      case SectionId.Function: {
        const count = reader.u32();
        for (let i = 0; i < count; i++) functionTypeIndices.push(reader.u32());
        break;
      }
      case SectionId.Table: {
        const count = reader.u32();
        for (let i = 0; i < count; i++) skipTableType(reader);
        tableCount += count;
        break;
      }
      case SectionId.Memory: {
        const count = reader.u32();
        for (let i = 0; i < count; i++) memory64 = readLimits(reader) || memory64;
        memoryCount += count;
        break;
      }
      case SectionId.Global: {
        const count = reader.u32();
        for (let i = 0; i < count; i++) {
          const type = valueType(reader.byte());
          const mutable = reader.byte() === 1;
          skipConstantExpression(reader);
          globals.push({ type, mutable });
        }
        break;
      }
      case SectionId.Export: {
        const count = reader.u32();
        for (let i = 0; i < count; i++) {
          const name = reader.name();
          const kind = kindName(reader.byte());
          exports.push({ name, kind, index: reader.u32() });
        }
        break;
      }
      case SectionId.Start:
        startFunction = reader.u32();
        break;
      default:
        break;
    }
  }

  return {
    sections,
    customSections,
    types,
    imports,
    functionTypeIndices,
    importedFunctionCount,
    tableCount,
    memoryCount,
    memory64,
    globals,
    importedGlobalCount,
    exports,
    startFunction
  };
}

export function functionTypeOf(parsed: ParsedWasm, functionIndex: number): FunctionType | undefined {
  const typeIndex = parsed.functionTypeIndices[functionIndex];
  return typeIndex === undefined ? undefined : parsed.types[typeIndex];
}

export function formatFunctionType(type: FunctionType): string {
  return `(${type.params.join(', ')}) -> (${type.results.join(', ')})`;
}

export function encodeU32(value: number): number[] {
  const out: number[] = [];
  let remaining = value >>> 0;
  do {
    let byte = remaining & 0x7f;
    remaining >>>= 7;
    if (remaining !== 0) byte |= 0x80;
    out.push(byte);
  } while (remaining !== 0);
  return out;
}

export function encodeName(name: string): number[] {
  const utf8 = new TextEncoder().encode(name);
  return [...encodeU32(utf8.length), ...utf8];
}
