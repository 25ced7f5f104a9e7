// The `pocket-ic` server driven by @dfinity/pic 0.23.0: server start to port file, PocketIc.create(),
// installing the 3.1 MB jwt_issuer Wasm through pic (chunked; the first install also instruments and
// compiles the module, a second server process finds the instrumentation on disk, later installs
// find the compiled module in the server's memory), what of that is the canister's
// own init (measured in-process), and the server's resident memory over create/install/call/delete
// loops of multi-subnet instances. Run after `npm run build`:
//   npx tsx --conditions=ic-jwt-source bench/pocket_ic.ts [loops] [jwt_issuer loops]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDL } from '@dfinity/candid';
import { PocketIc, SubnetStateType, type CreateInstanceOptions } from '@dfinity/pic';
import { Principal } from '@dfinity/principal';
import { idlInitArgs } from '@ic-jwt/client/candid';

import { LocalIc, observeInstructions } from '../packages/local-ic/src';
import { clockCanisterWasm } from '../tests/pocket_ic/support/clock_canister';
import { POCKET_IC_BIN, toPic } from '../tests/pocket_ic/support/pic';

const LOOPS = Number(process.argv[2] ?? 1_000);
const JWT_ISSUER_LOOPS = Number(process.argv[3] ?? 30);
const LATER_INSTALLS = 3;
const JWT_ISSUER_WASM = join(import.meta.dirname, '..', '.azle', 'jwt_issuer', 'jwt_issuer.wasm');
/** The loops' instances: the subnets the integration suite asks for (NNS, II with its key_1, an application subnet). */
const MULTI_SUBNET: CreateInstanceOptions = {
  nns: { state: { type: SubnetStateType.New } },
  ii: { state: { type: SubnetStateType.New } },
  application: [{ state: { type: SubnetStateType.New } }]
};
const initArgument = (): Uint8Array => new Uint8Array(IDL.encode(idlInitArgs, [[]]));
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

/** The canister's own canister_init, in this process on a LocalIc with the compiled module cached: instructions and time. */
async function initAlone(wasm: Uint8Array): Promise<{ instructions: number; wallMs: number; cpuMs: number }> {
  const ic = await LocalIc.create({ subnets: ['application'] });
  const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(2));
  try {
    const warm = await ic.createCanister({ controllers: [controller], sender: controller });
    await ic.installCode(warm, wasm, initArgument(), { sender: controller });
    const id = await ic.createCanister({ controllers: [controller], sender: controller });
    let instructions = 0;
    let wallMs = 0;
    let cpuMs = 0;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const stop = observeInstructions((record) => {
      if (record.entry !== 'canister_init') return;
      instructions = record.instructions;
      wallMs = performance.now() - started;
      const used = process.cpuUsage(cpuBefore);
      cpuMs = (used.user + used.system) / 1000;
    });
    await ic.installCode(id, wasm, initArgument(), { sender: controller });
    stop();
    return { instructions, wallMs, cpuMs };
  } finally {
    ic.close();
  }
}

async function settleThenMeasure(pid: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return residentBytes(pid);
}

console.log(`launcher: ${existsSync(bundle) ? `dist bundle (${(statSync(bundle).size / 1024).toFixed(0)} KiB)` : 'tsx on the sources (run npm run build for the bundle)'}`);
/** The servers' on-disk cache of instrumented modules: empty at first, so the first install instruments. */
const moduleCache = join(folder, 'instrumented-modules');

interface Server {
  readonly process: ChildProcess;
  readonly url: string;
  readonly startMs: string;
  readonly startCpu: number;
  stop(): Promise<void>;
}

async function startServer(portFile: string): Promise<Server> {
  const started = performance.now();
  const server = spawn(POCKET_IC_BIN, ['--port-file', portFile, '--ttl', '600'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOCAL_IC_MODULE_CACHE: moduleCache }
  });
  /** The end of the server's stderr (canister debug output, a crash), printed if the bench fails. */
  let serverStderr = '';
  server.stderr!.on('data', (chunk: Buffer) => (serverStderr = (serverStderr + chunk.toString()).slice(-4_000)));
  server.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`pocket-ic server exited (code ${code}, signal ${signal}); its last stderr:\n${serverStderr}`);
  });
  while (!existsSync(portFile) || !readFileSync(portFile, 'utf8').endsWith('\n')) await new Promise((resolve) => setTimeout(resolve, 2));
  const startMs = ms(started);
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  };
  return { process: server, url: `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`, startMs, startCpu: cpuMs(server.pid!), stop };
}

const main = await startServer(portFile);
const server = main.process;
const { url, startMs, startCpu } = main;

try {
  const createStarted = performance.now();
  const cpuBeforeCreate = cpuMs(server.pid!);
  const pic = await PocketIc.create(url);
  const createMs = ms(createStarted);
  const createCpu = cpuMs(server.pid!) - cpuBeforeCreate;

  const wasm = readFileSync(JWT_ISSUER_WASM);
  const controller = toPic(Principal.selfAuthenticating(new Uint8Array(32).fill(1)));
  async function installJwtIssuer(instance: PocketIc, pid = server.pid!): Promise<{ wallMs: number; cpuMs: number }> {
    const canisterId = await instance.createCanister({ sender: controller });
    const installStarted = performance.now();
    const cpuBeforeInstall = cpuMs(pid);
    await instance.installCode({ canisterId, wasm, arg: initArgument(), sender: controller });
    return { wallMs: performance.now() - installStarted, cpuMs: cpuMs(pid) - cpuBeforeInstall };
  }
  const first = await installJwtIssuer(pic);
  await pic.tearDown();
  const later: { wallMs: number; cpuMs: number }[] = [];
  for (let i = 0; i < LATER_INSTALLS; i++) {
    const instance = await PocketIc.create(url);
    later.push(await installJwtIssuer(instance));
    await instance.tearDown();
  }
  const median = (values: number[]): string => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!.toFixed(0);
  const init = await initAlone(wasm);
  // A new server process finds the module's instrumentation on disk (what the first server wrote).
  const second = await startServer(join(folder, 'second.port'));
  let firstOfSecond: { wallMs: number; cpuMs: number };
  try {
    const instance = await PocketIc.create(second.url);
    firstOfSecond = await installJwtIssuer(instance, second.process.pid!);
    await instance.tearDown();
  } finally {
    await second.stop();
  }
  const installMs = median(later.map((l) => l.wallMs));

  console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  console.table([
    { step: 'server start to port file', 'wall ms': startMs, 'server CPU ms': startCpu, bound: '< 1000' },
    { step: 'PocketIc.create() (the first; before it writes the port file, the server instruments a generated module and creates a throwaway instance)', 'wall ms': createMs, 'server CPU ms': createCpu, bound: '< 100' },
    { step: `first install of jwt_issuer (${mib(wasm.length)} MiB, chunked) through pic, nothing cached: instrument + compile + init`, 'wall ms': first.wallMs.toFixed(0), 'server CPU ms': first.cpuMs, bound: '< 1000' },
    { step: 'first install of jwt_issuer in a second server process: its instrumentation found on disk, compile + init', 'wall ms': firstOfSecond.wallMs.toFixed(0), 'server CPU ms': firstOfSecond.cpuMs, bound: '< 1000' },
    { step: `later install of jwt_issuer through pic, new instance, module cached (median of ${LATER_INSTALLS})`, 'wall ms': installMs, 'server CPU ms': median(later.map((l) => l.cpuMs)), bound: '< 1000' },
    { step: `of which install_code up to the end of canister_init, in-process on a LocalIc (module cached), init: ${(init.instructions / 1e9).toFixed(2)} B instructions`, 'wall ms': init.wallMs.toFixed(0), 'server CPU ms': init.cpuMs.toFixed(0), bound: '' }
  ]);

  async function loops(count: number, wasmBytes: Uint8Array, method: string, label: string, checkpoints: number[], serverUrl: string, serverPid: number): Promise<void> {
    const rows: Record<string, string>[] = [];
    const loopStarted = performance.now();
    for (let i = 1; i <= count; i++) {
      const instance = await PocketIc.create(serverUrl, MULTI_SUBNET);
      const id = await instance.createCanister({ sender: controller });
      await instance.installCode({ canisterId: id, wasm: wasmBytes, arg: method === 'metrics' ? initArgument() : new Uint8Array(), sender: controller });
      if (method === 'metrics') await instance.queryCall({ canisterId: id, method, arg: new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0, 0]) });
      else await instance.updateCall({ canisterId: id, method });
      await instance.tearDown();
      if (checkpoints.includes(i)) rows.push({ loops: String(i), 'server RSS MiB': mib(await settleThenMeasure(serverPid)), 'ms per loop': ((performance.now() - loopStarted) / i).toFixed(1) });
    }
    console.log(label);
    console.table(rows);
    const first = Number(rows[0]!['server RSS MiB']);
    const last = Number(rows.at(-1)!['server RSS MiB']);
    console.log(`RSS after ${count} vs after ${checkpoints[0]}: ${(((last - first) / first) * 100).toFixed(1)}%`);
  }

  const loopCheckpoints = [10, 100, LOOPS].filter((n, i, all) => n <= LOOPS && all.indexOf(n) === i);
  await loops(LOOPS, clockCanisterWasm(), 'time_in_round', `create (NNS, II and application subnet) / install / call / delete with a small WAT canister, on the server that ran the installs above (the jwt_issuer install takes ~${installMs} ms, so ${LOOPS} loops of it would take too long here):`, loopCheckpoints, url, server.pid!);
  await loops(JWT_ISSUER_LOOPS, wasm, 'metrics', `the same with the ${mib(wasm.length)} MiB jwt_issuer Wasm (install + metrics query), ${JWT_ISSUER_LOOPS} loops:`, [10, JWT_ISSUER_LOOPS], url, server.pid!);
  // The same small-canister loops on a server that has done nothing else: a smaller baseline, so the
  // memory that deleted instances hold until V8's next full collection weighs more.
  const fresh = await startServer(join(folder, 'fresh.port'));
  try {
    await loops(LOOPS, clockCanisterWasm(), 'time_in_round', `the small WAT canister's loops on a fresh server process:`, loopCheckpoints, fresh.url, fresh.process.pid!);
  } finally {
    await fresh.stop();
  }
} finally {
  await main.stop();
  rmSync(folder, { recursive: true, force: true });
}
