// The local IC running the real jwt_issuer Wasm: install time, queries/s, issue_jwt/s, memory per canister.
// Run: npm run build && npx tsx --conditions=ic-jwt-source bench/local_ic.ts
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import { HttpRequestType, IssueResultType } from '../src/backend/core/candid';
import { LocalIc } from '../packages/local-ic/src';
import { initArgument, jwtIssuerWasm } from '../tests/integration/harness/jwt_issuer';

const QUERIES = 500;
const ISSUES = 100;
const EXTRA_CANISTERS = 4;

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(7));
const generousLimits = initArgument({ rateLimit: { capacity: 1000, refillIntervalSeconds: 1 }, globalLimitPerMinute: 10_000 });
const wasm = jwtIssuerWasm();

async function install(ic: LocalIc): Promise<{ id: Principal; seconds: number }> {
  const started = performance.now();
  const id = await ic.createCanister({ controllers: [controller], sender: controller });
  await ic.installCode(id, wasm, generousLimits, { sender: controller });
  const seconds = (performance.now() - started) / 1000;
  await ic.tick();
  await ic.runUntilIdle();
  return { id, seconds };
}

async function rate(count: number, run: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await run(i);
  return (count * 1000) / (performance.now() - started);
}

global.gc?.();
const rssBefore = process.memoryUsage().rss;
const ic = await LocalIc.create();
const first = await install(ic);
const cold = first.seconds;
const warm = (await install(ic)).seconds;

const httpGet = IDL.encode([HttpRequestType], [{ method: 'GET', url: '/.well-known/jwks.json', headers: [], body: new Uint8Array(), certificate_version: [] }]);
const queriesPerSecond = await rate(QUERIES, async () => {
  const result = await ic.queryCall(first.id, 'http_request', httpGet, { sender: controller });
  if (result.kind !== 'replied') throw new Error(result.message);
});

const noArgument = IDL.encode([], []);
const issuesPerSecond = await rate(ISSUES, async (i) => {
  const sender = Principal.selfAuthenticating(Uint8Array.of(i & 0xff, i >> 8, ...new Uint8Array(30)));
  const result = await ic.updateCall(first.id, 'issue_jwt', noArgument, { sender });
  if (result.kind !== 'replied') throw new Error(result.message);
  const [decoded] = IDL.decode([IssueResultType], result.reply) as [Record<string, unknown>];
  if (!('Ok' in decoded)) throw new Error(`issue_jwt: ${JSON.stringify(decoded, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
});

for (let i = 0; i < EXTRA_CANISTERS; i++) await install(ic);
global.gc?.();
const canisters = 2 + EXTRA_CANISTERS;
const rssPerCanister = (process.memoryUsage().rss - rssBefore) / canisters;

console.table([
  { measure: 'install (create, load + instrument, init), first canister', value: `${cold.toFixed(2)} s`, target: '< 1.5 s' },
  { measure: 'install, same Wasm again (compiled module cached)', value: `${warm.toFixed(2)} s`, target: '< 1.5 s' },
  { measure: `query calls/s (http_request GET jwks, ${QUERIES} calls)`, value: queriesPerSecond.toFixed(0), target: '>= 200' },
  { measure: `issue_jwt calls/s end to end (${ISSUES} calls, each signs once)`, value: issuesPerSecond.toFixed(1), target: '>= 20' },
  { measure: `resident memory per installed canister (${canisters} canisters)`, value: `${mib(rssPerCanister)} MiB`, target: '< 150 MiB' },
  { measure: 'ratio: queries per issue_jwt', value: (queriesPerSecond / issuesPerSecond).toFixed(1), target: '' }
]);
console.log('Instructions per message and the speed with metering on vs off: npx tsx --conditions=ic-jwt-source bench/metering.ts');
ic.close();
