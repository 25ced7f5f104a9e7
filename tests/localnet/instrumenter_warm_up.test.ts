// The module a pocket-ic server instruments before it takes requests (packages/local-ic/src/wasm/
// warm_up_module.ts): valid for V8 and for wabt, and holding every kind of instruction immediate
// the instrumenter decodes, so that what it optimises for is what canister code looks like.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { instrumentCanisterModule } from '../../packages/local-ic/src/wasm/instrument.js';
import { parseWasm } from '../../packages/local-ic/src/wasm/wasm_binary.js';
import { warmUpInstrumenter, warmUpModule } from '../../packages/local-ic/src/wasm/warm_up_module.js';
import { clockCanisterWasm } from '../pocket_ic/support/clock_canister.js';

const WABT_BIN = join(import.meta.dirname, '..', '..', 'node_modules', '.bin');
const folder = mkdtempSync(join(tmpdir(), 'instrumenter-warm-up-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function written(bytes: Uint8Array): string {
  const path = join(folder, 'module.wasm');
  writeFileSync(path, bytes);
  return path;
}

/** Throws unless wabt (an independent decoder and validator) accepts the module. */
const wabtValidate = (bytes: Uint8Array): void => void execFileSync(join(WABT_BIN, 'wasm-validate'), [written(bytes)]);

/** The module as text, written by wabt's wasm2wat. */
const wabtText = (bytes: Uint8Array): string =>
  execFileSync(join(WABT_BIN, 'wasm2wat'), [written(bytes)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

describe('the instrumenter warm-up module', () => {
  const module = warmUpModule();

  it('is a valid module for V8 and for wabt, and so is its instrumentation', () => {
    expect(WebAssembly.validate(module)).toBe(true);
    const instrumented = instrumentCanisterModule(module, parseWasm(module));
    expect(WebAssembly.validate(instrumented.bytes)).toBe(true);
    expect(() => wabtValidate(module)).not.toThrow();
    expect(() => wabtValidate(instrumented.bytes)).not.toThrow();
  });

  it('holds every kind of immediate the instrumenter decodes, several-byte LEB128 numbers among them', () => {
    const text = wabtText(warmUpModule(240)); // the smallest module with a function 200 to call
    for (const instruction of [
      'call_indirect (type 0)',
      'call 200',
      'local.set 150',
      'i32.const 1000000',
      'i32.load8_u offset=300',
      'i64.const -1',
      'i64.const 128',
      'f32.const 0x1.8p+0',
      'f64.const 0x1.dp+1',
      'memory.copy',
      'memory.fill',
      'memory.grow',
      'memory.size',
      'br_table 0 (;@1;) 0 (;@1;) 0 (;@1;)',
      'br_if 1',
      'select (result i32)',
      'i32.trunc_sat_f64_s',
      'ref.is_null',
      'global.set 0',
      'return',
      'unreachable',
      'loop',
      'else'
    ]) {
      expect(text, instruction).toContain(instruction);
    }
  });

  it('compiles after instrumenting', async () => {
    await expect(warmUpInstrumenter()).resolves.toBeUndefined();
  });
});

describe('instrumenting a module held in a Buffer', () => {
  it('reads only the view: a Buffer inside a larger allocation gives the bytes of a plain copy', () => {
    const clock = clockCanisterWasm();
    const backing = Buffer.alloc(clock.length + 100, 0xff);
    backing.set(clock, 37);
    const view = backing.subarray(37, 37 + clock.length);
    const plain = Uint8Array.from(clock);
    expect(instrumentCanisterModule(view, parseWasm(view))).toEqual(instrumentCanisterModule(plain, parseWasm(plain)));
  });
});
