import { gzipSync } from 'node:zlib';
import { Principal } from '@dfinity/principal';
import { beforeAll, describe, expect, it } from 'vitest';
import { FREE_FEES, InvalidWasmModuleError, LocalIc, UnsupportedImportError } from '../../packages/local-ic/src/index.js';
import { encodeName, encodeU32 } from '../../packages/local-ic/src/wasm/wasm_binary.js';
import { SYSTEM_API_PROBE_WAT, watToWasm } from './support/wat.js';

const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(1));

function moduleWith(body: string): Uint8Array {
  return watToWasm(`(module ${body})`);
}

/** `wasm` with custom sections appended (name, content). */
function withCustomSections(wasm: Uint8Array, sections: [string, string][]): Uint8Array {
  const bytes = [...wasm];
  for (const [name, content] of sections) {
    const payload = [...encodeName(name), ...new TextEncoder().encode(content)];
    bytes.push(0, ...encodeU32(payload.length), ...payload);
  }
  return Uint8Array.from(bytes);
}

describe('loading canister modules', () => {
  let ic: LocalIc;
  let id: Principal;

  beforeAll(async () => {
    ic = await LocalIc.create({ fees: FREE_FEES });
    id = await ic.createCanister({ controllers: [controller], sender: controller });
  });

  it('rejects bytes that are not WebAssembly', async () => {
    const error = await ic.installCode(id, new TextEncoder().encode('hello world, not wasm'), new Uint8Array(), { sender: controller }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidWasmModuleError);
    expect((error as InvalidWasmModuleError).code).toBe('invalid_wasm_module');
    expect((error as Error).message).toMatch(/Not a WebAssembly module/);
  });

  it('keeps icp:public and icp:private custom sections as the canister metadata, and refuses two of one name', async () => {
    const wasm = withCustomSections(moduleWith(''), [
      ['icp:public candid:service', 'service : {}'],
      ['icp:private notes', 'for controllers'],
      ['name', 'not metadata']
    ]);
    const canister = await ic.createCanister({ controllers: [controller], sender: controller });
    await ic.installCode(canister, wasm, new Uint8Array(), { sender: controller });
    const metadata = ic.metadata(canister);
    expect([...metadata.keys()].sort()).toEqual(['candid:service', 'notes']);
    expect(metadata.get('candid:service')).toEqual({ visibility: 'public', content: new TextEncoder().encode('service : {}') });
    expect(metadata.get('notes')?.visibility).toBe('private');

    const twice = withCustomSections(moduleWith(''), [['icp:public a', '1'], ['icp:private a', '2']]);
    const error = await ic.installCode(canister, twice, new Uint8Array(), { sender: controller, mode: 'reinstall' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidWasmModuleError);
    expect((error as Error).message).toMatch(/more than one icp: custom section named 'a'/);
  });

  it('rejects a truncated module', async () => {
    const truncated = watToWasm(SYSTEM_API_PROBE_WAT).slice(0, 200);
    await expect(ic.installCode(id, truncated, new Uint8Array(), { sender: controller })).rejects.toBeInstanceOf(InvalidWasmModuleError);
  });

  it('names an import the local IC does not provide', async () => {
    const error = await ic
      .installCode(id, moduleWith('(import "ic0" "mint_cycles" (func (param i64) (result i64)))'), new Uint8Array(), { sender: controller })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedImportError);
    expect(error).toMatchObject({ code: 'unsupported_import', importModule: 'ic0', importName: 'mint_cycles' });
    expect((error as Error).message).toContain('"ic0"."mint_cycles"');
  });

  it('rejects imports from other modules and with the wrong type', async () => {
    await expect(ic.installCode(id, moduleWith('(import "env" "abort" (func))'), new Uint8Array(), { sender: controller })).rejects.toThrow(
      /"env"."abort": canisters may only import functions from the "ic0" module/
    );
    await expect(
      ic.installCode(id, moduleWith('(import "ic0" "msg_reply" (func (param i32)))'), new Uint8Array(), { sender: controller })
    ).rejects.toThrow(/"ic0"."msg_reply": its type \(i32\) -> \(\) differs from the System API's \(\) -> \(\)/);
  });

  it('rejects canister exports of the wrong type or name', async () => {
    await expect(
      ic.installCode(id, moduleWith('(func (export "canister_update take") (param i32))'), new Uint8Array(), { sender: controller })
    ).rejects.toThrow(/export 'canister_update take' must be a function of type \(\) -> \(\)/);
    await expect(ic.installCode(id, moduleWith('(func (export "canister_tick"))'), new Uint8Array(), { sender: controller })).rejects.toThrow(
      /exports 'canister_tick', which is not a valid canister_ export/
    );
    await expect(
      ic.installCode(id, moduleWith('(global (export "canister_init") i32 (i32.const 0))'), new Uint8Array(), { sender: controller })
    ).rejects.toThrow(/'canister_init' must be a function of type \(\) -> \(\), but it is a global/);
  });

  it('requires a function table when the module makes calls', async () => {
    const noTable = moduleWith(
      '(import "ic0" "call_new" (func (param i32 i32 i32 i32 i32 i32 i32 i32))) (memory 1) (func (export "canister_update go"))'
    );
    await expect(ic.installCode(id, noTable, new Uint8Array(), { sender: controller })).rejects.toThrow(/no function table/);
  });

  it('leaves the canister empty after a rejected module, and installs a good (gzipped) one afterwards', async () => {
    expect(ic.moduleHash(id)).toBeUndefined();
    await ic.installCode(id, gzipSync(watToWasm(SYSTEM_API_PROBE_WAT)), new Uint8Array(), { sender: controller });
    const result = await ic.updateCall(id, 'inc');
    expect(result.kind).toBe('replied');
  });

  it('reports a missing method with the IC wording', async () => {
    expect(await ic.updateCall(id, 'missing')).toEqual({
      kind: 'rejected',
      code: 5,
      errorCode: 'IC0536',
      message: `Canister ${id.toText()} has no update method 'missing'`
    });
    expect(await ic.queryCall(id, 'inc')).toMatchObject({ kind: 'rejected', code: 5, message: `Canister ${id.toText()} has no query method 'inc'` });
  });
});
