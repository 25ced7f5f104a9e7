// From `npm start` to the demo token verified: as after `npm install` (no built Wasm, no state),
// and on a restart (state kept, Wasm up to date). Run: npx tsx bench/startup.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const state = mkdtempSync(join(tmpdir(), 'ic-jwt-bench-start-'));

/** Seconds until `npm start -- --json` prints its ready line (printed after the demo token verified). */
function timeToReady(): Promise<number> {
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent', '--', '--json', '--port', '0', '--api-port', '0', '--state', state], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true
  });
  return new Promise((resolve, reject) => {
    let output = '';
    let readyAfter: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (readyAfter !== undefined || (!output.includes('\n{') && !output.startsWith('{'))) return;
      readyAfter = (performance.now() - started) / 1000;
      process.kill(-child.pid!, 'SIGINT');
    });
    child.once('exit', (code) => {
      if (readyAfter === undefined) reject(new Error(`npm start exited (${code}) before it was ready`));
      else resolve(readyAfter);
    });
  });
}

rmSync(join(root, '.azle', 'jwt_issuer'), { recursive: true, force: true });
const fresh = await timeToReady();
const restart = await timeToReady();
rmSync(state, { recursive: true, force: true });

console.table([
  { run: 'fresh: builds the canister, installs it, demo token verified', seconds: fresh.toFixed(1), target: '< 20' },
  { run: 'restart: state kept, Wasm up to date', seconds: restart.toFixed(1), target: '< 20' },
  { run: 'ratio fresh / restart', seconds: (fresh / restart).toFixed(1), target: '' }
]);
