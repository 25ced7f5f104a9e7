// Wall time of the integration suite (`npx vitest run tests/integration`, a child process), best and
// median of a few runs, with the load average around them: the machine is shared, so the load says
// how far the figure can be trusted. `--cwd <checkout>` times another checkout (e.g. the previous,
// in-process harness). Run after `npm run build`: npx tsx bench/integration_suite.ts [runs] [--cwd dir]
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const cwdFlag = args.indexOf('--cwd');
const checkout = cwdFlag === -1 ? join(import.meta.dirname, '..') : args[cwdFlag + 1]!;
const runs = Number(args.find((arg, index) => /^\d+$/.test(arg) && args[index - 1] !== '--cwd') ?? 3);

function runSuite(): Promise<{ seconds: number; passed: boolean }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['vitest', 'run', 'tests/integration'], { cwd: checkout, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ seconds: (performance.now() - started) / 1000, passed: code === 0 }));
  });
}

const load = (): string => loadavg().map((value) => value.toFixed(2)).join(' ');
const times: number[] = [];
console.log(`integration suite in ${checkout}, ${runs} runs`);
for (let run = 1; run <= runs; run++) {
  const before = load();
  const { seconds, passed } = await runSuite();
  console.log(`run ${run}: ${seconds.toFixed(1)} s${passed ? '' : ' FAILED (not counted)'} (load average ${before} before, ${load()} after)`);
  if (passed) times.push(seconds);
}
const sorted = [...times].sort((a, b) => a - b);
if (sorted.length === 0) console.log('no run passed: no figure');
else console.log(`${sorted.length} passing runs: best ${sorted[0]!.toFixed(1)} s, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} s`);
