import { SectionId, type FunctionType, type ParsedWasm, type ValueType, type WasmSection } from './wasm_binary.js';
import { ByteWriter, readU32At } from './byte_writer.js';
import { meterFunctionBody, MeteringDecodeError, type FunctionShape, type MeteringIndices } from './function_body_metering.js';

export { MeteringDecodeError };

/** The export under which the instrumented module exposes its instruction counter. */
export const INSTRUCTION_COUNTER_EXPORT = '__localnet_instructions';

export interface MeteredSections {
  /** Complete sections (id, size, content) replacing or adding the module's Type, Function, Global and Code sections. */
  readonly sections: ReadonlyMap<number, Uint8Array>;
  readonly counterGlobal: number;
  /**
   * Wasm instructions in the module's function bodies and global initialisers: what the replica
   * charges `cost_to_compile_wasm_instruction` for when the module is installed.
   */
  readonly wasmInstructionCount: number;
}

const FUNC_TYPE_VOID = [0x60, 0x00, 0x00];
const FUNC_TYPE_I32_TO_I32 = [0x60, 0x01, 0x7f, 0x01, 0x7f];
const OP = { unreachable: 0x00, if: 0x04, end: 0x0b, call: 0x10, localGet: 0x20, globalGet: 0x23, globalSet: 0x24, i64Const: 0x42, i64LtS: 0x53, i64Sub: 0x7d, i64ExtendI32U: 0xad } as const;

/**
 * Instruction metering for a whole module, the replica's way: an i64 counter
 * global, two helper functions appended after the module's own (so no existing
 * index moves), and every function body rewritten by meterFunctionBody.
 */
export function meterModule(bytes: Uint8Array, parsed: ParsedWasm): MeteredSections {
  const functionCount = parsed.functionTypeIndices.length;
  const typeCount = parsed.types.length;
  const indices: MeteringIndices = {
    counterGlobal: parsed.globals.length,
    outOfInstructionsFunction: functionCount,
    chargeSizeFunction: functionCount + 1
  };
  const section = (id: number): WasmSection | undefined => parsed.sections.find((entry) => entry.id === id);
  const sections = new Map<number, Uint8Array>();

  const append = (id: number, entries: readonly (readonly number[])[]): void => {
    sections.set(id, appendEntries(bytes, id, section(id), entries));
  };
  // Each function's body gets wrapped in a block of the function's result type; several results need a type of their own.
  const addedTypes: number[][] = [FUNC_TYPE_VOID, FUNC_TYPE_I32_TO_I32];
  const resultBlockTypes = new Map<number, number[]>();
  const shapeOf = (typeIndex: number): FunctionShape => {
    const type = parsed.types[typeIndex] as FunctionType;
    let blockType = resultBlockTypes.get(typeIndex);
    if (blockType === undefined) {
      if (type.results.length === 0) blockType = [0x40];
      else if (type.results.length === 1) blockType = [VALUE_TYPE_CODES[type.results[0] as ValueType]];
      else {
        addedTypes.push([0x60, 0x00, ...encodeU32(type.results.length), ...type.results.map((result) => VALUE_TYPE_CODES[result])]);
        blockType = encodeS33(typeCount + addedTypes.length - 1);
      }
      resultBlockTypes.set(typeIndex, blockType);
    }
    return { paramCount: type.params.length, resultBlockType: blockType };
  };
  append(SectionId.Function, [encodeU32(typeCount), encodeU32(typeCount + 1)]);
  append(SectionId.Global, [[0x7e, 0x01, OP.i64Const, 0x00, OP.end]]); // (global (mut i64) (i64.const 0))

  const code = section(SectionId.Code);
  const out = new ByteWriter(code === undefined ? 64 : Math.ceil((code.end - code.contentStart) * 1.4) + 64);
  const scratch = new ByteWriter(64 * 1024);
  let wasmInstructionCount = 2 * (parsed.globals.length - parsed.importedGlobalCount);
  let bodyCount = 0;
  const bodies = new ByteWriter(16);
  if (code !== undefined) {
    const header = readU32At(bytes, code.contentStart);
    bodyCount = header.value;
    let offset = header.next;
    for (let i = 0; i < bodyCount; i++) {
      const size = readU32At(bytes, offset);
      const bodyStart = size.next;
      const bodyEnd = bodyStart + size.value;
      if (bodyEnd > code.end) throw new MeteringDecodeError(`function ${parsed.importedFunctionCount + i}: its body runs past the code section`);
      scratch.reset();
      const functionIndex = parsed.importedFunctionCount + i;
      const shape = shapeOf(parsed.functionTypeIndices[functionIndex] as number);
      wasmInstructionCount += meterFunctionBody(bytes, bodyStart, bodyEnd, indices, shape, scratch, functionIndex);
      out.u32(scratch.length);
      out.append(scratch);
      offset = bodyEnd;
    }
  }
  for (const body of helperBodies(indices)) {
    out.u32(body.length);
    out.bytes(Uint8Array.from(body));
  }
  bodies.u32(bodyCount + 2);
  bodies.append(out);
  sections.set(SectionId.Code, bodies.toSection(SectionId.Code));
  append(SectionId.Type, addedTypes);
  return { sections, counterGlobal: indices.counterGlobal, wasmInstructionCount };
}

const VALUE_TYPE_CODES: Readonly<Record<ValueType, number>> = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f
};

/** A non-negative type index as a block type (signed LEB128, 33 bits). */
function encodeS33(value: number): number[] {
  const writer = new ByteWriter(5);
  writer.s64(value);
  return [...writer.toBytes()];
}

function encodeU32(value: number): number[] {
  const writer = new ByteWriter(5);
  writer.u32(value);
  return [...writer.toBytes()];
}

/** A vector section (count + entries) with entries appended; created if the module has none. */
function appendEntries(bytes: Uint8Array, id: number, section: WasmSection | undefined, entries: readonly (readonly number[])[]): Uint8Array {
  const writer = new ByteWriter(section === undefined ? 32 : section.end - section.contentStart + 32);
  if (section === undefined) {
    writer.u32(entries.length);
  } else {
    const header = readU32At(bytes, section.contentStart);
    writer.u32(header.value + entries.length);
    writer.bytes(bytes, header.next, section.end);
  }
  for (const entry of entries) writer.bytes(Uint8Array.from(entry));
  return writer.toSection(id);
}

/** Bodies of the out-of-instructions function (it traps) and the size charge for bulk operations. */
function helperBodies(indices: MeteringIndices): number[][] {
  const u32 = encodeU32;
  const counter = u32(indices.counterGlobal);
  const outOfInstructions = [0x00, OP.unreachable, OP.end];
  const chargeSize = [
    0x00,
    OP.globalGet, ...counter,
    OP.localGet, 0x00,
    OP.i64ExtendI32U,
    OP.i64Sub,
    OP.globalSet, ...counter,
    OP.globalGet, ...counter,
    OP.i64Const, 0x00,
    OP.i64LtS,
    OP.if, 0x40,
    OP.call, ...u32(indices.outOfInstructionsFunction),
    OP.end,
    OP.localGet, 0x00,
    OP.end
  ];
  return [outOfInstructions, chargeSize];
}
