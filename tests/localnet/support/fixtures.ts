import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixturesRoot = join(projectRoot, 'tests/fixtures/localnet');

/**
 * The Wasm of an Azle fixture canister in tests/fixtures/localnet, built with
 * `azle build` when missing or older than its source. Test files run in
 * parallel processes, so a lock directory makes sure only one of them builds.
 */
export async function azleFixtureWasm(name: string): Promise<Uint8Array> {
  const source = join(fixturesRoot, `${name}.ts`);
  const wasm = join(fixturesRoot, '.azle', name, `${name}.wasm`);
  const lock = join(fixturesRoot, '.azle', `.build-${name}.lock`);
  await mkdir(join(fixturesRoot, '.azle'), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    if (await isFresh(wasm, source)) return new Uint8Array(await readFile(wasm));
    try {
      await mkdir(lock);
    } catch {
      if (attempt > 600) throw new Error(`Timed out waiting for another process to build the ${name} fixture`);
      await new Promise((done) => setTimeout(done, 250));
      continue;
    }
    try {
      if (!(await isFresh(wasm, source))) await build(name);
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

async function isFresh(wasm: string, source: string): Promise<boolean> {
  try {
    const [built, written] = await Promise.all([stat(wasm), stat(source)]);
    return built.mtimeMs >= written.mtimeMs;
  } catch {
    return false;
  }
}

async function build(name: string): Promise<void> {
  await run('npx', ['azle', 'build', name], {
    cwd: projectRoot,
    env: {
      ...process.env,
      CANISTER_CANDID_PATH: join(fixturesRoot, '.azle', name, `${name}.did`),
      AZLE_DFX_ROOT: fixturesRoot
    },
    maxBuffer: 64 * 1024 * 1024
  });
}
