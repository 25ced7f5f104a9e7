import initWabt from 'wabt';

const wabt = await initWabt();

/**
 * Assembles WebAssembly text instruction for instruction (wabt's wat2wasm), so
 * that a test can count the instructions of the binary by hand; binaryen
 * (support/wat.ts) rebuilds the code from its own IR and may change it.
 */
export function watToWasmExact(text: string): Uint8Array {
  const module = wabt.parseWat('test.wat', text, { simd: true, bulk_memory: true, sign_extension: true, sat_float_to_int: true });
  try {
    module.validate();
    return module.toBinary({ write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}
