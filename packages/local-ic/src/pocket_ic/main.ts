// `pocket-ic`: the command @dfinity/pic (and the Rust pocket-ic crate) start as the PocketIC server.
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startPocketIcServer } from './server.js';

// V8 runs a canister's functions first as quickly compiled baseline code and recompiles the hot ones
// with its optimising compiler once they have run a while (the budget: roughly bytes executed). With
// the default budget, the first install of a large canister (Azle's 3 MB module, whose init runs
// billions of instructions) recompiles hundreds of functions while it runs, which took more CPU than
// the init itself. A budget 100 times larger leaves that to the functions that stay hot: the first
// jwt_issuer install went from ~1.4 to ~0.8 s of CPU, later ones are unchanged (bench/pocket_ic.ts).
// Process-wide, so set here, in the server's own process, and not by the library.
setFlagsFromString('--wasm-tiering-budget=180000000');
// V8 doubles its young generation (up to 2 x 16 MB) whenever a scavenge finds many survivors, and
// never gives the pages back: a server that runs instance after instance kept ~30 MB more after a few
// hundred of them than after the first ten, though nothing stayed alive (bench/pocket_ic.ts). With
// the factor at 1 the young generation keeps its initial size.
setFlagsFromString('--semi-space-growth-factor=1');

const USAGE = 'usage: pocket-ic [--port-file <path>] [--port <n>] [--ttl <seconds>] [--ip-addr 127.0.0.1]';
/** The real server's version line; the Rust client compares it, @dfinity/pic does not. */
const VERSION = 'pocket-ic-server 10.0.0 (@ic-jwt/local-ic)';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'port-file': { type: 'string' },
      port: { type: 'string', short: 'p' },
      ttl: { type: 'string' },
      'ip-addr': { type: 'string', short: 'i' },
      'log-levels': { type: 'string', short: 'l' },
      version: { type: 'boolean', short: 'V' },
      help: { type: 'boolean', short: 'h' }
    },
    strict: true
  });
  if (values.help === true) return print(USAGE, 0);
  if (values.version === true) return print(VERSION, 0);
  const port = naturalArgument(values.port, '--port') ?? 0;
  const ttlSeconds = naturalArgument(values.ttl, '--ttl');
  if (values['ip-addr'] !== undefined && values['ip-addr'] !== '127.0.0.1') {
    return print(`pocket-ic: this server binds 127.0.0.1 only (asked for ${values['ip-addr']})`, 2);
  }
  const server = await startPocketIcServer({ port, portFile: values['port-file'], ttlSeconds, debugPrintToStderr: true, collectGarbage: exposedGc() });
  if (server === undefined) return 0;
  console.log(`The PocketIC server is listening on port ${server.port}`);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void server.stop());
  await server.stopped;
  return 0;
}

/** V8's full collection, exposed in this process only (the server runs it when idle after deleting instances). */
function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function naturalArgument(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`${name} needs a non-negative integer, got "${value}"`);
  return Number(value);
}

function print(line: string, code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(`${line}\n`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`pocket-ic: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
);
