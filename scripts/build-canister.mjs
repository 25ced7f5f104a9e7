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
const result = spawnSync(join(root, 'node_modules', '.bin', 'azle'), ['build', name], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CANISTER_CANDID_PATH: didPath, AZLE_DFX_ROOT: root }
});
if (result.status !== 0) {
  console.error(`azle build ${name} failed (exit ${result.status ?? result.signal})`);
  process.exit(1);
}

const size = statSync(wasmPath).size;
console.log(`built ${wasmPath} (${(size / 1024 / 1024).toFixed(2)} MiB) and ${didPath} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (size > WASM_SIZE_LIMIT) {
  console.error(`the Wasm is over the ${WASM_SIZE_LIMIT / 1024 / 1024} MiB budget: bundle less into the canister`);
  process.exit(1);
}

// `npm run build -- --write-did` refreshes the committed interface (src/backend/jwt_issuer.did),
// laid out one field per line; a test fails when the two drift apart.
if (process.argv.includes('--write-did')) {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const committed = join(root, 'src', 'backend', `${name}.did`);
  writeFileSync(committed, formatCandid(readFileSync(didPath, 'utf8')));
  console.log(`wrote ${committed}`);
}

function formatCandid(text) {
  let out = '';
  let depth = 0;
  const newline = () => '\n' + '    '.repeat(depth);
  for (const char of text.replace(/\s+/g, ' ')) {
    if (char === '{') {
      depth++;
      out += '{' + newline();
    } else if (char === '}') {
      depth--;
      out = out.trimEnd() + newline() + '}';
    } else if (char === ';') {
      out += ';' + newline();
    } else if (char === ' ' && /[\s{;]$/.test(out)) {
      continue;
    } else {
      out += char;
    }
  }
  return out.replace(/[ \t]+\n/g, '\n').trim() + '\n';
}

function isStale() {
  if (!existsSync(wasmPath) || !existsSync(didPath)) return true;
  const built = statSync(wasmPath).mtimeMs;
  const sources = [join(root, 'dfx.json'), join(root, 'package-lock.json'), ...filesUnder(join(root, 'src', 'backend'))];
  return sources.some((file) => statSync(file).mtimeMs > built);
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]
  );
}
