// Builds the jwt_issuer canister offline (no dfx needed) into .azle/jwt_issuer/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const name = 'jwt_issuer';
const outDir = join(root, '.azle', name);
const wasmPath = join(outDir, `${name}.wasm`);
const didPath = join(outDir, `${name}.did`);
const WASM_SIZE_LIMIT = 5 * 1024 * 1024;

// `--if-stale`: skip the build when the Wasm is newer than every source it comes from.
if (process.argv.includes('--if-stale') && !isStale()) {
  console.log(`${wasmPath} is up to date`);
  process.exit(0);
}

const started = Date.now();
// The /authorize page is bundled into a module the canister imports (src/backend/core/generated).
const page = spawnSync(process.execPath, [join(root, 'scripts', 'build-authorize-page.mjs')], { cwd: root, stdio: 'inherit' });
if (page.status !== 0) {
  console.error(`building the authorization page failed (exit ${page.status ?? page.signal})`);
  process.exit(1);
}

// `azle build`, with a smaller bundle: see scripts/azle_build.ts.
const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'azle_build.ts'), name], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CANISTER_CANDID_PATH: didPath, AZLE_DFX_ROOT: root }
});
if (result.status !== 0) {
  console.error(`azle build ${name} failed (exit ${result.status ?? result.signal})`);
  process.exit(1);
}

// The hand-written interface (not azle's generated one) goes into the Wasm as the public
// `candid:service` metadata that dfx and icp-cli read; a unit test checks the two agree.
const committedDid = join(root, 'src', 'backend', `${name}.did`);
const icWasm = spawnSync(
  join(root, 'node_modules', '@icp-sdk', 'ic-wasm-linux-x64', 'bin', 'ic-wasm'),
  [wasmPath, '-o', wasmPath, 'metadata', 'candid:service', '-f', committedDid, '-v', 'public', '--keep-name-section'],
  { stdio: 'inherit' }
);
if (icWasm.status !== 0) {
  console.error(`ic-wasm could not add the candid:service metadata (exit ${icWasm.status ?? icWasm.error?.message})`);
  process.exit(1);
}

const size = statSync(wasmPath).size;
console.log(`built ${wasmPath} (${(size / 1024 / 1024).toFixed(2)} MiB) and ${didPath} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (size > WASM_SIZE_LIMIT) {
  console.error(`the Wasm is over the ${WASM_SIZE_LIMIT / 1024 / 1024} MiB budget: bundle less into the canister`);
  process.exit(1);
}

function isStale() {
  if (!existsSync(wasmPath) || !existsSync(didPath)) return true;
  const built = statSync(wasmPath).mtimeMs;
  const sources = [join(root, 'dfx.json'), join(root, 'package-lock.json'), ...filesUnder(join(root, 'scripts')), ...filesUnder(join(root, 'src', 'backend')), ...filesUnder(join(root, 'src', 'authorize_page')), ...filesUnder(join(root, 'src', 'declarations'))];
  return sources.some((file) => statSync(file).mtimeMs > built);
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]
  );
}
