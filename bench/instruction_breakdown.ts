// Where a message's instructions go (the documents' queries, issue_jwt, install and upgrade): jwt_issuer built a second time as a diagnostic Wasm
// (JWT_ISSUER_PHASE_MARKS=true: the canister notes ic0.performance_counter(0) at the end of each
// phase, see src/backend/phase_marks.ts) runs on the metered local IC with a real data
// certificate; each phase is the difference of two readings, the last one runs to the
// execution's total in the local IC's instruction log. The normal build's totals are printed
// beside them: the difference is what the readings themselves cost.
// Run: npx tsx --conditions=ic-jwt-source bench/instruction_breakdown.ts   (rebuilds .azle/jwt_issuer twice: diagnostic, then normal)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import { HttpRequestType, IssueResultType } from '../src/backend/core/candid';
import { LocalIc, observeInstructions, type InstructionRecord } from '../packages/local-ic/src';
import { IcHttpInterface } from '../packages/local-ic/src/http_interface/ic_http_interface';
import { generateNetworkSecret } from '../packages/local-ic/src/http_interface/network_keys';
import { localIcReplicaBackend } from '../packages/local-ic/src/network/replica_backend';
import { encodeArgs, initArgument, JWT_ISSUER_WASM } from '../tests/integration/harness/jwt_issuer';

const root = join(import.meta.dirname, '..');
const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(7));
const user = (i: number) => Principal.selfAuthenticating(Uint8Array.of(i & 0xff, i >> 8, ...new Uint8Array(30)));

function build(diagnostic: boolean): Uint8Array {
  const env = { ...process.env };
  if (diagnostic) env.JWT_ISSUER_PHASE_MARKS = 'true';
  else delete env.JWT_ISSUER_PHASE_MARKS;
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-canister.mjs')], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`build failed (exit ${result.status ?? result.signal})`);
  return new Uint8Array(readFileSync(JWT_ISSUER_WASM));
}

/** One message's executions: the local IC's totals and, in the diagnostic build, the phase readings (in order). */
interface Measured {
  readonly executions: InstructionRecord[];
  readonly phases: { label: string; marks: [string, number][] }[];
}

async function measure(wasm: Uint8Array): Promise<Record<string, Measured>> {
  const current: Measured = { executions: [], phases: [] };
  const sink = (_: Principal, line: string) => {
    // Azle's console.log writes a string argument as JSON.
    const match = /^"?phases (.+?) ((?:\S+=\d+ ?)*)"?$/.exec(line);
    if (match === null) return;
    const marks = [...match[2]!.matchAll(/(\S+)=(\d+)/g)].map(([, name, at]) => [name!, Number(at)] as [string, number]);
    current.phases.push({ label: match[1]!, marks });
  };
  const ic = await LocalIc.create({ debugPrint: sink });
  // A certificate as the IC HTTP interface makes it: the canister's subnet's, with the root subnet's delegation.
  const api = new IcHttpInterface({ backend: localIcReplicaBackend(ic), networkSecret: generateNetworkSecret() });
  ic.setCertificateProvider({ dataCertificate: (canister, data, time) => api.dataCertificateAt(canister, data, time) });
  const stop = observeInstructions((record) => current.executions.push(record));
  const take = async (run: () => Promise<unknown>): Promise<Measured> => {
    current.executions.length = 0;
    current.phases.length = 0;
    await run();
    return { executions: [...current.executions], phases: [...current.phases] };
  };

  const id = await ic.createCanister({ controllers: [controller], sender: controller });
  const config = initArgument({ rateLimit: { capacity: 1000, refillIntervalSeconds: 1 }, globalLimitPerMinute: 10_000 });
  const install = await take(() => ic.installCode(id, wasm, config, { sender: controller }));
  await ic.tick();
  await ic.runUntilIdle();
  const query = (url: string) => async () => {
    const argument = IDL.encode([HttpRequestType], [{ method: 'GET', url, headers: [], body: new Uint8Array(), certificate_version: [2] }]);
    const result = await ic.queryCall(id, 'http_request', argument, { sender: controller });
    if (result.kind !== 'replied') throw new Error(result.message);
  };
  const issue = (sender: Principal, algorithm?: string) => async () => {
    const argument = encodeArgs('issue_jwt', [[{ audience: [], ttl_seconds: [], extra_claims: [], algorithm: algorithm === undefined ? [] : [algorithm] }]]);
    const result = await ic.updateCall(id, 'issue_jwt', argument, { sender });
    if (result.kind !== 'replied') throw new Error(result.message);
    const [decoded] = IDL.decode([IssueResultType], result.reply) as [Record<string, unknown>];
    if (!('Ok' in decoded)) throw new Error(`issue_jwt: ${Object.keys(decoded.Err as object).join()}`);
  };
  await issue(user(9_999))(); // the first token after install warms nothing in the IC, but fills the canister's caches
  const measured = {
    jwks: await take(query('/.well-known/jwks.json')),
    discovery: await take(query('/.well-known/openid-configuration')),
    es256k: await take(issue(user(1))),
    eddsa: await take(issue(user(2), 'EdDSA')),
    install,
    upgrade: await take(() => ic.installCode(id, wasm, config, { sender: controller, mode: 'upgrade' }))
  };
  stop();
  ic.close();
  const own = (list: InstructionRecord[]) => list.filter((record) => record.canister === id.toText());
  return Object.fromEntries(Object.entries(measured).map(([name, value]) => [name, { ...value, executions: own(value.executions) }]));
}

const millions = (n: number) => `${(n / 1e6).toFixed(3)} M`;

/** The phases of one execution: what each reading adds to the previous one, and the rest up to the total. */
function phaseRows(message: string, marks: [string, number][], total: number, names: Record<string, string>) {
  const rows: { message: string; phase: string; instructions: string; share: string }[] = [];
  let previous = 0;
  for (const [mark, at] of [...marks, ['end', total] as [string, number]]) {
    const spent = at - previous;
    rows.push({ message, phase: names[mark] ?? mark, instructions: millions(spent), share: `${((100 * spent) / total).toFixed(1)} %` });
    previous = at;
  }
  rows.push({ message, phase: 'total (diagnostic build)', instructions: millions(total), share: '100 %' });
  return rows;
}

const QUERY_PHASES = {
  entered: 'Azle: Wasm entry, dispatch, Candid decode of HttpRequest (IDL.decode)',
  decoded: 'Candid decode of HttpRequest (ours)',
  routed: 'routing (path canonicalisation, lookup of the prebuilt response)',
  certified: 'IC-Certificate header: base64 of the data certificate + prebuilt witness tail',
  encoded: 'Candid encode of HttpResponse',
  replied: 'msg_reply',
  end: 'after the method: Azle encodes/replies (if not ours) and returns'
};
const REQUEST_PHASES = {
  entered: 'Azle: Wasm entry and dispatch',
  decoded: 'Candid decode of the options',
  read: 'reads: jti seed, counters, key ring, config, window from their heap copies; the caller\'s bucket from stable memory',
  planned: 'plan: rate limits, claims JSON, base64url, SHA-256 (core/issuance.ts)',
  stored: 'stable-memory writes (bucket, window, counters; EdDSA: key ring), written through to the heap copies',
  sent: 'Candid encode of the sign call (prebuilt type table), call_new / call_perform (Azle)',
  end: 'after the await: Azle suspends the async method and returns'
};
const REPLY_PHASES = {
  resumed: 'Azle: callback entry, Candid decode of the signature reply, resuming the method',
  completed: 'JWS assembly: base64url of the signature, the token\'s bytes',
  stored: 'stable-memory write (counters)',
  encoded: 'Candid encode of IssueResult (prebuilt header, the token as bytes)',
  replied: 'msg_reply',
  end: 'after the method: Azle settles the promise and returns'
};

const START_PHASES = {
  azle: "Azle's start-up: its runtime, parsing the whole bundle (ours included), evaluating Azle's modules (@dfinity/candid, its TextEncoder polyfill)",
  entered: "evaluating our modules (Candid types, the authorization page's bytes), Azle's dispatch",
  migrated: 'stable schema check and migration, rotation lease released',
  configured: 'the argument: Candid decode, config validation',
  stored: 'stable-memory write of the config',
  certified: 'building and certifying the served documents (response hashes, hash tree, witnesses, prebuilt replies)',
  printing: 'timers started, instruction stats noted',
  end: 'printing the readings (diagnostic build only), Azle returns'
};

const diagnostic = await measure(build(true));
const normal = await measure(build(false));

const rows = [];
for (const [name, url] of [['jwks', 'GET /.well-known/jwks.json'], ['discovery', 'GET /.well-known/openid-configuration']] as const) {
  const { executions, phases } = diagnostic[name]!;
  rows.push(...phaseRows(`http_request ${url}`, phases[0]?.marks ?? [], executions[0]!.instructions, QUERY_PHASES));
  rows.push({ message: `http_request ${url}`, phase: 'total (normal build)', instructions: millions(normal[name]!.executions[0]!.instructions), share: '' });
}
for (const [name, alg] of [['es256k', 'ES256K'], ['eddsa', 'EdDSA']] as const) {
  const { executions, phases } = diagnostic[name]!;
  const [request, reply] = executions;
  const marksOf = (half: string) => phases.find((phase) => phase.label === `issue_jwt ${alg} ${half}`)?.marks ?? [];
  rows.push(...phaseRows(`issue_jwt ${alg}, request half`, marksOf('request'), request!.instructions, REQUEST_PHASES));
  rows.push(...phaseRows(`issue_jwt ${alg}, reply half`, marksOf('reply'), reply!.instructions, REPLY_PHASES));
  const normalTotal = normal[name]!.executions.reduce((sum, record) => sum + record.instructions, 0);
  rows.push({ message: `issue_jwt ${alg}`, phase: 'total, both halves (normal build)', instructions: millions(normalTotal), share: '' });
}
for (const [name, entry] of [['install', 'canister_init'], ['upgrade', 'canister_post_upgrade']] as const) {
  const { executions, phases } = diagnostic[name]!;
  const hook = executions.find((record) => record.entry === entry);
  const total = executions.find((record) => record.kind === 'install_code');
  if (hook === undefined || total === undefined) throw new Error(`no ${entry} in the instruction log of the ${name}`);
  rows.push(...phaseRows(`${name}: ${entry}`, phases.find((phase) => phase.label === entry)?.marks ?? [], hook.instructions, START_PHASES));
  const normalHook = normal[name]!.executions.find((record) => record.entry === entry)!;
  const normalTotal = normal[name]!.executions.find((record) => record.kind === 'install_code')!;
  rows.push({ message: `${name}: ${entry}`, phase: 'total (normal build)', instructions: millions(normalHook.instructions), share: '' });
  rows.push({ message: name, phase: 'the whole install_code, compilation charge included (normal build)', instructions: millions(normalTotal.instructions), share: '' });
}
console.table(rows);
