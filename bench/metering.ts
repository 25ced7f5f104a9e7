// Instruction metering in the local IC: its speed cost (queries/s and issue_jwt/s with metering on and
// off, side by side), the time to instrument jwt_issuer's Wasm, and what jwt_issuer's messages cost in
// IC instructions against the IC's limits.
// Run: npm run build && npx tsx bench/metering.ts
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import { HttpRequestType, IssueResultType } from '../src/backend/core/candid';
import { INSTRUCTION_LIMITS, LocalIc, observeInstructions, setInstructionMetering, type InstructionRecord } from '../packages/local-ic/src';
import { parseWasm } from '../packages/local-ic/src/wasm/wasm_binary';
import { instrumentCanisterModule } from '../packages/local-ic/src/wasm/instrument';
import { encodeArgs, initArgument, jwtIssuerWasm } from '../tests/integration/harness/jwt_issuer';

const QUERIES = 400;
const ISSUES = 80;
const ROUNDS = 2;

const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(7));
const generousLimits = initArgument({ rateLimit: { capacity: 1000, refillIntervalSeconds: 1 }, globalLimitPerMinute: 10_000 });
const wasm = jwtIssuerWasm();
const httpGet = (url: string) =>
  IDL.encode([HttpRequestType], [{ method: 'GET', url, headers: [], body: new Uint8Array(), certificate_version: [] }]);
const noArgument = IDL.encode([], []);
const issueArgument = (algorithm: string) =>
  encodeArgs('issue_jwt', [[{ audience: [], ttl_seconds: [], extra_claims: [], algorithm: [algorithm] }]]);
const userNumber = (i: number) => Principal.selfAuthenticating(Uint8Array.of(i & 0xff, i >> 8, ...new Uint8Array(30)));

async function installedIssuer(): Promise<{ ic: LocalIc; id: Principal }> {
  const ic = await LocalIc.create();
  const id = await ic.createCanister({ controllers: [controller], sender: controller });
  await ic.installCode(id, wasm, generousLimits, { sender: controller });
  await ic.tick();
  await ic.runUntilIdle();
  return { ic, id };
}

interface Rate {
  /** Calls per second of wall-clock time. */
  readonly wall: number;
  /** Calls per second of this process's CPU time: steadier when other jobs share the machine. */
  readonly cpu: number;
}

async function rate(count: number, run: (i: number) => Promise<void>): Promise<Rate> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (let i = 0; i < count; i++) await run(i);
  const cpu = process.cpuUsage(cpuStarted);
  return { wall: (count * 1000) / (performance.now() - started), cpu: (count * 1e6) / (cpu.user + cpu.system) };
}

async function issue(ic: LocalIc, id: Principal, sender: Principal, argument: Uint8Array): Promise<void> {
  const result = await ic.updateCall(id, 'issue_jwt', argument, { sender });
  if (result.kind !== 'replied') throw new Error(result.message);
  const [decoded] = IDL.decode([IssueResultType], result.reply) as [Record<string, unknown>];
  if (!('Ok' in decoded)) throw new Error(`issue_jwt: ${JSON.stringify(decoded, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
}

async function speed(metered: boolean): Promise<{ queries: Rate; issues: Rate }> {
  setInstructionMetering(metered);
  const { ic, id } = await installedIssuer();
  const jwks = httpGet('/.well-known/jwks.json');
  for (let i = 0; i < 50; i++) await ic.queryCall(id, 'http_request', jwks, { sender: controller }); // warm-up (V8 tiers up)
  const queries = await rate(QUERIES, async () => {
    const result = await ic.queryCall(id, 'http_request', jwks, { sender: controller });
    if (result.kind !== 'replied') throw new Error(result.message);
  });
  const issues = await rate(ISSUES, (i) => issue(ic, id, userNumber(i), noArgument));
  ic.close();
  return { queries, issues };
}

// 1. Instrumentation time of the 3.4 MB module (the result is cached per SHA-256 afterwards).
const parsed = parseWasm(wasm);
const instrumentTimes: number[] = [];
let wasmInstructions = 0;
for (let i = 0; i < 3; i++) {
  const started = performance.now();
  wasmInstructions = instrumentCanisterModule(wasm, parsed, true).wasmInstructionCount;
  instrumentTimes.push(performance.now() - started);
}
console.log(
  `jwt_issuer.wasm: ${(wasm.length / 1e6).toFixed(2)} MB, ${wasmInstructions.toLocaleString('en-US')} Wasm instructions; ` +
    `metering pass ${instrumentTimes.map((ms) => ms.toFixed(0)).join(' / ')} ms (first / warm runs)`
);

// 2. Speed, metering off and on, alternating (the machine is shared: best of the rounds).
const zero = (): { queries: Rate; issues: Rate } => ({ queries: { wall: 0, cpu: 0 }, issues: { wall: 0, cpu: 0 } });
const best = { off: zero(), on: zero() };
const better = (a: Rate, b: Rate): Rate => ({ wall: Math.max(a.wall, b.wall), cpu: Math.max(a.cpu, b.cpu) });
for (let round = 0; round < ROUNDS; round++) {
  for (const metered of [false, true]) {
    const measured = await speed(metered);
    const slot = metered ? best.on : best.off;
    slot.queries = better(slot.queries, measured.queries);
    slot.issues = better(slot.issues, measured.issues);
  }
}
setInstructionMetering(true);
const percent = (on: number, off: number) => `${((100 * on) / off).toFixed(0)} %`;
const speedRow = (measure: string, off: Rate, on: Rate, digits: number) => ({
  measure,
  'off (wall)': off.wall.toFixed(digits),
  'on (wall)': on.wall.toFixed(digits),
  'on/off wall': percent(on.wall, off.wall),
  'off (CPU)': off.cpu.toFixed(digits),
  'on (CPU)': on.cpu.toFixed(digits),
  'on/off CPU': percent(on.cpu, off.cpu),
  target: '>= 80 %'
});
console.log(`load average while measuring: ${(await import('node:os')).loadavg().map((load) => load.toFixed(1)).join(' ')}`);
console.table([
  speedRow(`query calls/s (http_request GET jwks, ${QUERIES} calls)`, best.off.queries, best.on.queries, 0),
  speedRow(`issue_jwt calls/s end to end (${ISSUES} calls)`, best.off.issues, best.on.issues, 1)
]);

// 3. Instructions per message, with metering on.
const records: InstructionRecord[] = [];
const stop = observeInstructions((record) => records.push(record));
const measureMessage = async (run: () => Promise<unknown>): Promise<InstructionRecord[]> => {
  records.length = 0;
  await run();
  return [...records];
};
const total = (list: readonly InstructionRecord[]) => list.reduce((sum, record) => sum + record.instructions, 0);

const ic = await LocalIc.create();
const id = await ic.createCanister({ controllers: [controller], sender: controller });
const installRecords = await measureMessage(() => ic.installCode(id, wasm, generousLimits, { sender: controller }));
await ic.tick();
await ic.runUntilIdle();
const upgradeRecords = await measureMessage(() => ic.installCode(id, wasm, generousLimits, { sender: controller, mode: 'upgrade' }));
await ic.tick();
await ic.runUntilIdle();
await issue(ic, id, userNumber(9_999), noArgument); // warm-up: the first token after an upgrade
const query = async (url: string) => {
  const result = await ic.queryCall(id, 'http_request', httpGet(url), { sender: controller });
  if (result.kind !== 'replied') throw new Error(result.message);
};
const jwksRecords = await measureMessage(() => query('/.well-known/jwks.json'));
const discoveryRecords = await measureMessage(() => query('/.well-known/openid-configuration'));
const es256kRecords = await measureMessage(() => issue(ic, id, userNumber(1), noArgument));
const eddsaRecords = await measureMessage(() => issue(ic, id, userNumber(2), issueArgument('EdDSA')));
stop();
ic.close();

const installCode = (list: readonly InstructionRecord[]) => list.find((record) => record.kind === 'install_code')?.instructions ?? 0;
const ownExecutions = (list: readonly InstructionRecord[]) => list.filter((record) => record.canister === id.toText() && record.kind !== 'install_code');
const billions = (n: number) => `${(n / 1e9).toFixed(3)} B`;
const millions = (n: number) => `${(n / 1e6).toFixed(2)} M`;
const share = (n: number, limit: number) => `${((100 * n) / limit).toFixed(2)} % of ${billions(limit)}`;
const issueRow = (name: string, list: readonly InstructionRecord[]) => {
  const executions = ownExecutions(list);
  return {
    message: name,
    instructions: millions(total(executions)),
    detail: executions.map((record) => `${record.kind} ${millions(record.instructions)}`).join(' + '),
    'against the limit': share(Math.max(...executions.map((record) => record.instructions)), INSTRUCTION_LIMITS.update)
  };
};
console.table([
  {
    message: 'install (compilation charge + start + canister_init)',
    instructions: billions(installCode(installRecords)),
    detail: `compilation ${billions(wasmInstructions * 6_000)}; hooks ${ownExecutions(installRecords).map((record) => `${record.kind} ${millions(record.instructions)}`).join(' + ')}`,
    'against the limit': share(installCode(installRecords), INSTRUCTION_LIMITS.install)
  },
  {
    message: 'upgrade (pre_upgrade + compilation + start + post_upgrade)',
    instructions: billions(installCode(upgradeRecords)),
    detail: ownExecutions(upgradeRecords).map((record) => `${record.kind} ${millions(record.instructions)}`).join(' + '),
    'against the limit': share(installCode(upgradeRecords), INSTRUCTION_LIMITS.install)
  },
  {
    message: 'http_request GET /.well-known/jwks.json (query)',
    instructions: millions(total(ownExecutions(jwksRecords))),
    detail: 'target < 20 M',
    'against the limit': share(total(ownExecutions(jwksRecords)), INSTRUCTION_LIMITS.query)
  },
  {
    message: 'http_request GET /.well-known/openid-configuration',
    instructions: millions(total(ownExecutions(discoveryRecords))),
    detail: '',
    'against the limit': share(total(ownExecutions(discoveryRecords)), INSTRUCTION_LIMITS.query)
  },
  issueRow('issue_jwt ES256K (update + reply callback)', es256kRecords),
  issueRow('issue_jwt EdDSA (update + reply callback)', eddsaRecords)
]);
