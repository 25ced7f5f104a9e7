// `azle build <canister>` (Azle 0.33, stable mode) with the bundle trimmed: run by
// scripts/build-canister.mjs. Azle bundles the canister's JavaScript into the Wasm as source text,
// and every install and upgrade parses and evaluates all of it in the canister (QuickJS) before
// canister_init runs, so what the bundle holds costs instructions at every install. The steps are
// Azle's own (its build modules, unchanged); only the esbuild plugins differ: see
// without_legacy_encodings.ts.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { BuildOptions } from 'esbuild';

import { withoutLegacyEncodingTables } from './without_legacy_encodings';

/** The parts of Azle's build this script calls, loaded from Azle's sources (which our strict compiler settings would reject, so they are loaded untyped and described here). */
interface AzleBuild {
  getCanisterConfig(name: string): Promise<{ main?: string; custom?: { candid_gen?: string } }>;
  getContext(name: string, config: unknown): Promise<{ candidPath: string; canisterPath: string; main: string; wasmBinaryPath: string; wasmData: unknown }>;
  getDfxRoot(): string;
  handleClassApiCanister(main: string): string;
  getBuildOptions(prelude: string, main: string): BuildOptions;
  bundle(options: BuildOptions): Promise<string>;
  getCandidAndMethodMeta(candidGen: string | undefined, candidPath: string, js: string, ioType: string, wasmData: unknown): Promise<{ candid: string; methodMeta: unknown }>;
  getWasmBinary(ioType: string, js: string, wasmData: unknown, methodMeta: unknown): Promise<Uint8Array>;
}

const AZLE_BUILD_SOURCES = join(import.meta.dirname, '..', 'node_modules', 'azle', 'src', 'stable', 'build');
const azleModules = await Promise.all(
  ['utils/get_canister_config.ts', 'utils/dfx_root.ts', 'commands/build/get_context.ts', 'commands/build/javascript.ts', 'commands/build/candid_and_method_meta/index.ts', 'commands/build/wasm_binary/index.ts'].map(
    (file) => import(pathToFileURL(join(AZLE_BUILD_SOURCES, file)).href) as Promise<Partial<AzleBuild>>
  )
);
const azle = Object.assign({}, ...azleModules) as AzleBuild;

/** Azle's entry module around the canister's main file (as `azle build` writes it, without its benchmark recording). */
function prelude(main: string): string {
  return [
    "import 'azle/_internal/globals';",
    "import { getDefaultVisitorData, IDL, idlToString } from 'azle';",
    `import * as CanisterModule from ${JSON.stringify(join(azle.getDfxRoot(), main))};`,
    'createGetCandidAndMethodMetaFunction(CanisterModule);',
    azle.handleClassApiCanister(main)
  ].join('\n');
}

const canisterName = process.argv[2];
if (canisterName === undefined) throw new Error('usage: tsx scripts/azle_build.ts <canister name in dfx.json>');
const canisterConfig = await azle.getCanisterConfig(canisterName);
const { candidPath, canisterPath, main, wasmBinaryPath, wasmData } = await azle.getContext(canisterName, canisterConfig);
const ioType = process.env.AZLE_VERBOSE === 'true' ? 'inherit' : 'pipe';

await rm(canisterPath, { recursive: true, force: true });
const options = azle.getBuildOptions(prelude(main), main);
const javaScript = await azle.bundle({ ...options, plugins: [...(options.plugins ?? []), withoutLegacyEncodingTables] });
await mkdir(canisterPath, { recursive: true });
await writeFile(join(canisterPath, 'main.js'), javaScript);

const { candid, methodMeta } = await azle.getCandidAndMethodMeta(canisterConfig.custom?.candid_gen, candidPath, javaScript, ioType, wasmData);
await mkdir(dirname(candidPath), { recursive: true });
await writeFile(candidPath, candid);
await writeFile(wasmBinaryPath, await azle.getWasmBinary(ioType, javaScript, wasmData, methodMeta));
