// The on-disk cache of instrumented modules (packages/local-ic/src/wasm/instrumented_module_cache.ts):
// what a process finds is exactly what instrumenting gives, keyed by module, metering switch and
// instrumenting code; damaged entries are dropped; the folder stays bounded.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Principal } from '@dfinity/principal';
import { afterAll, describe, expect, it } from 'vitest';

import { FREE_FEES, LocalIc } from '../../packages/local-ic/src/index.js';
import { moduleHashHex } from '../../packages/local-ic/src/wasm/canister_module.js';
import { instrumentCanisterModule } from '../../packages/local-ic/src/wasm/instrument.js';
import { InstrumentedModuleCache, instrumenterIdentity, moduleCacheDirectory } from '../../packages/local-ic/src/wasm/instrumented_module_cache.js';
import { parseWasm } from '../../packages/local-ic/src/wasm/wasm_binary.js';
import { clockCanisterWasm } from '../pocket_ic/support/clock_canister.js';
import { SYSTEM_API_PROBE_WAT, watToWasm } from './support/wat.js';

const folder = mkdtempSync(join(tmpdir(), 'instrumented-module-cache-'));
// Read when this process first compiles a module, which none has yet.
process.env.LOCAL_IC_MODULE_CACHE = join(folder, 'process');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const clock = clockCanisterWasm();
const probe = watToWasm(SYSTEM_API_PROBE_WAT);
const instrumented = (wasm: Uint8Array, metered = true) => instrumentCanisterModule(wasm, parseWasm(wasm), metered);
const entries = (directory: string) => readdirSync(directory).filter((name) => name.endsWith('.instrumented'));
let caches = 0;
const newCache = (identity = instrumenterIdentity(), maxEntries?: number) => {
  const directory = join(folder, `cache-${++caches}`);
  return { directory, cache: new InstrumentedModuleCache(directory, identity, maxEntries) };
};

describe('the instrumented-module cache', () => {
  it('gives back what instrumenting gives, for the same module, metering switch and instrumenter only', () => {
    const { cache } = newCache();
    const fresh = instrumented(clock);
    cache.write(moduleHashHex(clock), true, fresh);
    expect(cache.read(moduleHashHex(clock), true)).toEqual(fresh);
    expect(cache.read(moduleHashHex(clock), false)).toBeUndefined();
    expect(cache.read(moduleHashHex(probe), true)).toBeUndefined();
    const { cache: otherInstrumenter } = newCache('0'.repeat(64));
    otherInstrumenter.write(moduleHashHex(clock), true, fresh);
    expect(new InstrumentedModuleCache(join(folder, `cache-${caches}`), instrumenterIdentity()).read(moduleHashHex(clock), true)).toBeUndefined();
  });

  it('drops an entry whose bytes were damaged or cut short, and reads it as absent', () => {
    const { cache, directory } = newCache();
    cache.write(moduleHashHex(clock), true, instrumented(clock));
    const [name] = entries(directory);
    const file = readFileSync(join(directory, name!));
    file[file.length - 3]! ^= 0x01;
    writeFileSync(join(directory, name!), file);
    expect(cache.read(moduleHashHex(clock), true)).toBeUndefined();
    expect(entries(directory)).toEqual([]);
    cache.write(moduleHashHex(clock), true, instrumented(clock));
    writeFileSync(join(directory, name!), file.subarray(0, 40));
    expect(cache.read(moduleHashHex(clock), true)).toBeUndefined();
  });

  it('keeps at most its bound of entries, removing the least recently used', async () => {
    const { cache, directory } = newCache(undefined, 2);
    const modules = [clock, probe, watToWasm('(module (memory 1))')];
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
    cache.write(moduleHashHex(modules[0]!), true, instrumented(modules[0]!));
    await pause();
    cache.write(moduleHashHex(modules[1]!), true, instrumented(modules[1]!));
    await pause();
    expect(cache.read(moduleHashHex(modules[0]!), true)).toBeDefined(); // now the most recently used
    await pause();
    cache.write(moduleHashHex(modules[2]!), true, instrumented(modules[2]!));
    expect(entries(directory)).toHaveLength(2);
    expect(cache.read(moduleHashHex(modules[1]!), true)).toBeUndefined();
    expect(cache.read(moduleHashHex(modules[0]!), true)).toBeDefined();
  });

  it('is where LOCAL_IC_MODULE_CACHE says, in the user cache folder by default, and nowhere when off', () => {
    expect(moduleCacheDirectory({ LOCAL_IC_MODULE_CACHE: 'off' })).toBeUndefined();
    expect(moduleCacheDirectory({ LOCAL_IC_MODULE_CACHE: '/x/y' })).toBe('/x/y');
    expect(moduleCacheDirectory({ XDG_CACHE_HOME: '/c' })).toBe('/c/ic-jwt-local-ic/instrumented-modules');
    expect(instrumenterIdentity()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('receives what an install instruments, which a later process reads back unchanged', async () => {
    const ic = await LocalIc.create({ fees: FREE_FEES });
    try {
      const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(3));
      const id = await ic.createCanister({ controllers: [controller], sender: controller });
      await ic.installCode(id, clock, new Uint8Array(), { sender: controller });
      expect((await ic.queryCall(id, 'time', new Uint8Array(), { sender: controller })).kind).toBe('replied');
    } finally {
      ic.close();
    }
    await new Promise((resolve) => setImmediate(resolve)); // the entry is written once the install has answered
    const directory = process.env.LOCAL_IC_MODULE_CACHE!;
    expect(entries(directory)).toHaveLength(1);
    expect(new InstrumentedModuleCache(directory, instrumenterIdentity()).read(moduleHashHex(clock), true)).toEqual(instrumented(clock));
  });
});
