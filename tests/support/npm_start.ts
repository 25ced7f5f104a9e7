// Drives `npm start -- --json` as a script would: start, read the ready line, Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export interface Ready {
  replicaUrl: string;
  canisterId: string;
  jwksUrl: string;
  discoveryUrl: string;
  frontendUrl: string;
  identityProviderUrl: string;
  apiUrl: string;
  issuer: string;
  deployment: string;
  controllers: string[];
}

export interface RunningProduct {
  ready: Ready;
  /** The id of its process group (npm and the node processes it started). */
  processGroup: number;
  /** Ctrl-C: SIGINT to the whole process group; true once every process of it has exited. */
  stop(): Promise<boolean>;
  /** Sends `signal` to the whole process group (false if none of it is left). */
  signal(signal: NodeJS.Signals): boolean;
  /** True once every process of the group has exited, false if some still runs after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<boolean>;
}

const running = new Set<ChildProcess>();

/** `options` are passed on to npm start (e.g. `['--controller', principal]`). */
export function startProduct(stateDirectory: string, options: readonly string[] = []): Promise<RunningProduct> {
  const child = spawn('npm', ['start', '--silent', '--', '--json', '--port', '0', '--api-port', '0', '--state', stateDirectory, ...options], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stop() can signal all of it, as Ctrl-C in a terminal does.
    detached: true
  });
  running.add(child);
  const group = -child.pid!;

  function signal(name: NodeJS.Signals | 0): boolean {
    try {
      process.kill(group, name);
      return true;
    } catch {
      return false;
    }
  }

  async function exited(timeoutMs = 10_000): Promise<boolean> {
    for (let waited = 0; waited < timeoutMs; waited += 20) {
      if (!signal(0)) {
        running.delete(child);
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  async function stop(): Promise<boolean> {
    signal('SIGINT');
    return exited();
  }

  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{') && candidate.endsWith('}'));
      if (line !== undefined) resolve({ ready: JSON.parse(line) as Ready, processGroup: child.pid!, stop, signal, exited });
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)));
  });
}

/** For afterAll: whatever is still running goes. */
export function killAllProducts(): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}
