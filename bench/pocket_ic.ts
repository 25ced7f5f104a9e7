// The `pocket-ic` server driven by @dfinity/pic 0.23.0: server start to port file, PocketIc.create(),
// installing the 3.4 MB jwt_issuer Wasm through pic (chunked), and the server's resident memory over
// create/install/call/delete loops. Run after `npm run build`: npx tsx bench/pocket_ic.ts [loops]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PocketIc } from '@dfinity/pic';
import { Principal } from '@dfinity/principal';

import { initArgument, jwtIssuerWasm } from '../tests/integration/harness/jwt_issuer';
import { clockCanisterWasm } from '../tests/pocket_ic/support/clock_canister';
import { POCKET_IC_BIN, toPic } from '../tests/pocket_ic/support/pic';

const LOOPS = Number(process.argv[2] ?? 1_000);
const JWT_ISSUER_LOOPS = 30;
const folder = mkdtempSync(join(tmpdir(), 'pocket-ic-bench-'));
const portFile = join(folder, 'server.port');
const bundle = join(import.meta.dirname, '..', 'packages', 'local-ic', 'dist', 'pocket_ic', 'main.js');

const CLOCK_TICKS_PER_SECOND = 100;
const ms = (since: number): string => (performance.now() - since).toFixed(0);
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/** CPU time the process has used (user + system), in ms: on a shared machine, a figure the load does not inflate as much as wall time. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')![1]) * 1024;
}

async function settleThenMeasure(pid: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return residentBytes(pid);
}

console.log(`launcher: ${existsSync(bundle) ? `dist bundle (${(statSync(bundle).size / 1024).toFixed(0)} KiB)` : 'tsx on the sources (run npm run build for the bundle)'}`);
const started = performance.now();
const server = spawn(POCKET_IC_BIN, ['--port-file', portFile, '--ttl', '600'], { stdio: 'ignore' });
while (!existsSync(portFile) || !readFileSync(portFile, 'utf8').endsWith('\n')) await new Promise((resolve) => setTimeout(resolve, 2));
const startMs = ms(started);
const startCpu = cpuMs(server.pid!);
const url = `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;

try {
  const createStarted = performance.now();
  const cpuBeforeCreate = cpuMs(server.pid!);
  const pic = await PocketIc.create(url);
  const createMs = ms(createStarted);
  const createCpu = cpuMs(server.pid!) - cpuBeforeCreate;

  const wasm = jwtIssuerWasm();
  const controller = toPic(Principal.selfAuthenticating(new Uint8Array(32).fill(1)));
  const canisterId = await pic.createCanister({ sender: controller });
  const installStarted = performance.now();
  const cpuBeforeInstall = cpuMs(server.pid!);
  await pic.installCode({ canisterId, wasm, arg: initArgument(), sender: controller });
  const installMs = ms(installStarted);
  const installCpu = cpuMs(server.pid!) - cpuBeforeInstall;
  await pic.tearDown();

  console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  console.table([
    { step: 'server start to port file', 'wall ms': startMs, 'server CPU ms': startCpu, bound: '< 1000' },
    { step: 'PocketIc.create() (the first; the server warms up with a throwaway instance before it writes the port file)', 'wall ms': createMs, 'server CPU ms': createCpu, bound: '< 100' },
    { step: `install jwt_issuer (${mib(wasm.length)} MiB, chunked) through pic`, 'wall ms': installMs, 'server CPU ms': installCpu, bound: '< 1000' }
  ]);

  async function loops(count: number, wasmBytes: Uint8Array, method: string, label: string, checkpoints: number[]): Promise<void> {
    const rows: Record<string, string>[] = [];
    const loopStarted = performance.now();
    for (let i = 1; i <= count; i++) {
      const instance = await PocketIc.create(url);
      const id = await instance.createCanister({ sender: controller });
      await instance.installCode({ canisterId: id, wasm: wasmBytes, arg: method === 'metrics' ? initArgument() : new Uint8Array(), sender: controller });
      if (method === 'metrics') await instance.queryCall({ canisterId: id, method, arg: new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0, 0]) });
      else await instance.updateCall({ canisterId: id, method });
      await instance.tearDown();
      if (checkpoints.includes(i)) rows.push({ loops: String(i), 'server RSS MiB': mib(await settleThenMeasure(server.pid!)), 'ms per loop': ((performance.now() - loopStarted) / i).toFixed(1) });
    }
    console.log(label);
    console.table(rows);
    const first = Number(rows[0]!['server RSS MiB']);
    const last = Number(rows.at(-1)!['server RSS MiB']);
    console.log(`RSS after ${count} vs after ${checkpoints[0]}: ${(((last - first) / first) * 100).toFixed(1)}%`);
  }

  await loops(LOOPS, clockCanisterWasm(), 'time_in_round', `create / install / call / delete with a small WAT canister (the jwt_issuer install takes ~${installMs} ms, so ${LOOPS} loops of it would take too long here):`, [10, 100, LOOPS].filter((n, i, all) => n <= LOOPS && all.indexOf(n) === i));
  await loops(JWT_ISSUER_LOOPS, wasm, 'metrics', `the same with the 3.4 MB jwt_issuer Wasm (install + metrics query), ${JWT_ISSUER_LOOPS} loops:`, [10, JWT_ISSUER_LOOPS]);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(folder, { recursive: true, force: true });
}
