// A generated Wasm module that looks, instruction by instruction, like compiled canister code
// (locals, loads and stores, blocks, loops, branches, calls, bulk memory, i64 and float
// arithmetic). A new process instruments its first module with unoptimised JavaScript, twice as
// slowly as later ones; instrumenting this one first (~50 ms at server start) has V8 optimise the
// instrumenter for canister code before the first real module arrives (bench/pocket_ic.ts).
import { ByteWriter } from './byte_writer.js';
import { instrumentCanisterModule } from './instrument.js';
import { parseWasm, SectionId } from './wasm_binary.js';

const I32 = 0x7f;
const I64 = 0x7e;

/**
 * Statements of a function body of type (i32) -> (i32) with locals 1, 2 and 150 (i32) and 3 (i64);
 * each leaves the stack as it found it. Between them they hold every kind of immediate the
 * instrumenter decodes, one- and several-byte LEB128 numbers among them.
 */
const STATEMENTS: readonly (readonly number[])[] = [
  [0x20, 0, 0x41, 0x2a, 0x6a, 0x21, 1], // local.get 0; i32.const 42; i32.add; local.set 1
  [0x41, 0xc0, 0x84, 0x3d, 0x21, 0x96, 0x01], // i32.const 1000000; local.set 150
  [0x20, 1, 0x28, 0x02, 0x08, 0x22, 2, 0x1a], // local.get 1; i32.load align=2 offset=8; local.tee 2; drop
  [0x20, 0, 0x2d, 0x00, 0xac, 0x02, 0x21, 2], // local.get 0; i32.load8_u offset=300; local.set 2
  [0x20, 0, 0x20, 1, 0x36, 0x02, 0x04], // local.get 0; local.get 1; i32.store align=2 offset=4
  [0x20, 0, 0x29, 0x03, 0x00, 0x42, 0x7f, 0x85, 0x21, 3], // local.get 0; i64.load; i64.const -1; i64.xor; local.set 3
  [0x02, 0x40, 0x20, 1, 0x0d, 0, 0x20, 2, 0x41, 1, 0x6b, 0x21, 2, 0x0b], // block; local.get 1; br_if 0; local.get 2; i32.const 1; i32.sub; local.set 2; end
  [0x02, 0x40, 0x02, 0x40, 0x20, 0, 0x0d, 1, 0x0c, 0, 0x0b, 0x0b], // block; block; local.get 0; br_if 1; br 0; end; end
  [0x02, 0x7f, 0x41, 1, 0x0b, 0x1a], // block (result i32); i32.const 1; end; drop
  [0x03, 0x40, 0x20, 2, 0x41, 1, 0x6b, 0x22, 2, 0x41, 0x00, 0x4a, 0x0d, 0, 0x0b], // loop; local.get 2; i32.const 1; i32.sub; local.tee 2; i32.const 0; i32.gt_s; br_if 0; end
  [0x20, 0, 0x04, 0x40, 0x42, 5, 0x42, 7, 0x7e, 0x21, 3, 0x05, 0x01, 0x0b], // local.get 0; if; i64.const 5; i64.const 7; i64.mul; local.set 3; else; nop; end
  [0x20, 0, 0x41, 0xcd, 0x00, 0x46, 0x04, 0x40, 0x20, 1, 0x0f, 0x0b], // local.get 0; i32.const 77; i32.eq; if; local.get 1; return; end
  [0x20, 2, 0x41, 0xff, 0xff, 0x3f, 0x4b, 0x04, 0x40, 0x00, 0x0b], // local.get 2; i32.const 1048575; i32.gt_u; if; unreachable; end
  [0x20, 1, 0x10, 0, 0x1a], // local.get 1; call 0; drop
  [0x20, 1, 0x10, 0xc8, 0x01, 0x1a], // local.get 1; call 200; drop
  [0x20, 0, 0x20, 0, 0x11, 0, 0, 0x1a], // local.get 0; local.get 0; call_indirect (type 0) (table 0); drop
  [0x20, 0, 0x20, 1, 0x41, 0x10, 0xfc, 10, 0, 0], // local.get 0; local.get 1; i32.const 16; memory.copy
  [0x20, 0, 0x20, 1, 0x41, 0x08, 0xfc, 11, 0], // local.get 0; local.get 1; i32.const 8; memory.fill
  [0x41, 0, 0x40, 0, 0x1a, 0x3f, 0, 0x1a], // i32.const 0; memory.grow; drop; memory.size; drop
  [0x23, 0, 0x41, 1, 0x6a, 0x24, 0], // global.get 0; i32.const 1; i32.add; global.set 0
  [0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x44, 0, 0, 0, 0, 0, 0, 0, 0x40, 0xa0, 0x1a], // f64.const 1; f64.const 2; f64.add; drop
  [0x43, 0, 0, 0xc0, 0x3f, 0x43, 0, 0, 0, 0x40, 0x94, 0x1a], // f32.const 1.5; f32.const 2; f32.mul; drop
  [0x44, 0, 0, 0, 0, 0, 0, 0x0d, 0x40, 0xfc, 2, 0x1a], // f64.const 3.625; i32.trunc_sat_f64_s; drop
  [0x20, 3, 0x42, 0x80, 0x01, 0x88, 0x21, 3], // local.get 3; i64.const 128; i64.shr_u; local.set 3
  [0x20, 3, 0xa7, 0x21, 2, 0x20, 2, 0xad, 0x20, 3, 0x7c, 0x21, 3], // local.get 3; i32.wrap_i64; local.set 2; local.get 2; i64.extend_i32_u; local.get 3; i64.add; local.set 3
  [0x20, 0, 0x20, 1, 0x20, 2, 0x1b, 0x1a], // local.get 0; local.get 1; local.get 2; select; drop
  [0x20, 0, 0x20, 1, 0x20, 2, 0x1c, 1, 0x7f, 0x1a], // local.get 0; local.get 1; local.get 2; select (result i32); drop
  [0xd0, 0x70, 0xd1, 0x1a], // ref.null func; ref.is_null; drop
  [0x02, 0x40, 0x20, 0, 0x0e, 2, 0, 0, 0, 0x0b], // block; local.get 0; br_table 0 0 0; end
  [0x20, 2, 0x45, 0x04, 0x40, 0x01, 0x0b] // local.get 2; i32.eqz; if; nop; end
];

/**
 * `functionCount` functions of type (i32) -> (i32) made of STATEMENTS, and an empty canister_init.
 * Only instrumented and compiled, never run: its functions call each other without end.
 */
export function warmUpModule(functionCount = 1_000): Uint8Array<ArrayBuffer> {
  const out = new ByteWriter(functionCount * 160);
  out.bytes(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  section(out, SectionId.Type, (s) => {
    s.u32(2);
    s.bytes(Uint8Array.from([0x60, 1, I32, 1, I32, 0x60, 0, 0]));
  });
  section(out, SectionId.Function, (s) => {
    s.u32(functionCount + 1);
    for (let i = 0; i < functionCount; i++) s.u32(0);
    s.u32(1);
  });
  section(out, SectionId.Table, (s) => s.bytes(Uint8Array.from([1, 0x70, 0x00, 1])));
  section(out, SectionId.Memory, (s) => s.bytes(Uint8Array.from([1, 0x00, 1])));
  section(out, SectionId.Global, (s) => s.bytes(Uint8Array.from([1, I32, 0x01, 0x41, 0, 0x0b])));
  section(out, SectionId.Export, (s) => {
    s.u32(1);
    const name = new TextEncoder().encode('canister_init');
    s.u32(name.length);
    s.bytes(name);
    s.byte(0x00);
    s.u32(functionCount);
  });
  section(out, SectionId.Code, (s) => {
    s.u32(functionCount + 1);
    const body = new ByteWriter(512);
    for (let i = 0; i < functionCount; i++) {
      body.reset();
      body.bytes(Uint8Array.from([3, 2, I32, 1, I64, 0x93, 0x01, I32])); // locals 1-2 i32, 3 i64, 4-150 i32
      for (let k = 0; k < 16; k++) body.bytes(Uint8Array.from(STATEMENTS[(i + k * 7) % STATEMENTS.length] as number[]));
      body.bytes(Uint8Array.from([0x20, 1, 0x0b]));
      s.u32(body.length);
      s.append(body);
    }
    s.bytes(Uint8Array.from([2, 0, 0x0b]));
  });
  return out.toBytes();
}

function section(out: ByteWriter, id: number, write: (content: ByteWriter) => void): void {
  const content = new ByteWriter(256);
  write(content);
  out.bytes(content.toSection(id));
}

/** Instruments (and compiles) the warm-up module: a pocket-ic server does this before it takes requests. */
export async function warmUpInstrumenter(): Promise<void> {
  const bytes = warmUpModule();
  const instrumented = instrumentCanisterModule(bytes, parseWasm(bytes));
  await WebAssembly.compile(instrumented.bytes);
}
