// The integration suite (`npx vitest run tests/integration`) on pic and this repository's `pocket-ic`
// server, side by side with the previous in-process harness (another checkout, e.g. commit caffb21),
// runs alternating so that both meet the same load. Wall time is what a developer waits; CPU time
// (every process of the run, exited ones included, from a cpuacct cgroup where this machine lets
// root make one) is the like-for-like figure on a shared machine.
// Run after `npm run build` in both checkouts:
//   npx tsx bench/integration_suite.ts --previous <checkout> [runs]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const previousFlag = args.indexOf('--previous');
if (previousFlag === -1 || args[previousFlag + 1] === undefined) {
  console.error('usage: npx tsx bench/integration_suite.ts --previous <checkout of the in-process harness> [runs]');
  process.exit(2);
}
const checkouts = { 'pic + our pocket-ic server': join(import.meta.dirname, '..'), 'previous in-process harness': args[previousFlag + 1]! };
const runs = Number(args.find((arg, index) => /^\d+$/.test(arg) && index !== previousFlag + 1) ?? 1);

const CPUACCT = '/sys/fs/cgroup/cpuacct';

/** A cpuacct cgroup for one run, or undefined where cgroup v1 cpuacct is not writable here. */
function cpuCgroup(name: string): string | undefined {
  const path = join(CPUACCT, name);
  try {
    mkdirSync(path);
    return path;
  } catch {
    return undefined;
  }
}

interface Run {
  seconds: number;
  cpuSeconds: number | undefined;
  passed: boolean;
}

function runSuite(checkout: string, run: number): Promise<Run> {
  const cgroup = existsSync(CPUACCT) ? cpuCgroup(`ic-jwt-suite-${process.pid}-${run}-${Date.now()}`) : undefined;
  // The shell joins the cgroup, then becomes vitest: every process of the run is counted in it.
  const enterCgroup = cgroup === undefined ? '' : `echo $$ > ${cgroup}/cgroup.procs && `;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `${enterCgroup}exec npx vitest run tests/integration`], { cwd: checkout, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', async (code) => {
      const seconds = (performance.now() - started) / 1000;
      let cpuSeconds: number | undefined;
      if (cgroup !== undefined) {
        // Processes the run left behind (a server stopping) are still charged until they go.
        for (let waited = 0; waited < 10_000 && readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').trim() !== ''; waited += 100) {
          await new Promise((done) => setTimeout(done, 100));
        }
        cpuSeconds = Number(readFileSync(join(cgroup, 'cpuacct.usage'), 'utf8')) / 1e9;
        try {
          rmdirSync(cgroup);
        } catch {
          // still in use: left for the system to clean up
        }
      }
      resolve({ seconds, cpuSeconds, passed: code === 0 });
    });
  });
}

const load = (): string => loadavg().map((value) => value.toFixed(1)).join(' ');
const results = new Map<string, Run[]>(Object.keys(checkouts).map((name) => [name, []]));
for (let run = 1; run <= runs; run++) {
  for (const [name, checkout] of Object.entries(checkouts)) {
    const before = load();
    const result = await runSuite(checkout, run);
    results.get(name)!.push(result);
    const cpu = result.cpuSeconds === undefined ? '' : `, ${result.cpuSeconds.toFixed(0)} CPU s`;
    console.log(`run ${run}, ${name}: ${result.seconds.toFixed(0)} s${cpu}${result.passed ? '' : ', FAILED'} (load average ${before} before, ${load()} after)`);
  }
}

const median = (values: number[]): string => {
  if (values.length === 0) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!.toFixed(0);
};
console.table(
  Object.fromEntries(
    [...results].map(([name, list]) => {
      const passed = list.filter((run) => run.passed);
      return [
        name,
        {
          'runs passed': `${passed.length} of ${list.length}`,
          'wall s (median)': median(passed.map((run) => run.seconds)),
          'CPU s (median)': median(passed.flatMap((run) => (run.cpuSeconds === undefined ? [] : [run.cpuSeconds]))),
          checkout: checkouts[name as keyof typeof checkouts]
        }
      ];
    })
  )
);
