// Signed queries and update calls over HTTP against `npm start` in its own process (as a developer
// runs it), through @dfinity/agent 3.4.3 and @icp-sdk/core 6 side by side, sequentially and 20 at a
// time; `issue_jwt` through v2 call-and-poll, v3 and v4 synchronous calls; the in-process query and
// the canister's install time as references.
// Run after `npm run build`: npx tsx --conditions=ic-jwt-source bench/http_agents.ts
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor as ActorV3, HttpAgent as HttpAgentV3, pollForResponse } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity as Ed25519V3 } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { Actor as ActorV6, HttpAgent as HttpAgentV6 } from 'icp-sdk-core-v6/agent';
import type { IDL as IDLV6 } from 'icp-sdk-core-v6/candid';
import { Ed25519KeyIdentity as Ed25519V6 } from 'icp-sdk-core-v6/identity';
import { Principal as PrincipalV6 } from 'icp-sdk-core-v6/principal';

import { configInputToCandid, IssueOptionsType, IssueResultType } from '../src/backend/core/candid';
import { idlFactory, type _SERVICE as JwtIssuerService } from '@ic-jwt/client/candid';
import { LocalIc } from '../packages/local-ic/src';
import { initArgument, jwtIssuerWasm } from '../tests/integration/harness/jwt_issuer';
import { killAllProducts, startProduct } from '../tests/support/npm_start';

const QUERIES = 300;
const CONCURRENCY = 20;
const ISSUES = 20;
/** Turns the agents take (each measure split evenly over them). */
const ROUNDS = 5;

type Issuer = Pick<JwtIssuerService, 'metrics' | 'issue_jwt'>;

async function perSecond(count: number, concurrency: number, run: () => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await run();
      }
    })
  );
  return (count * 1000) / (performance.now() - started);
}

/** CPU seconds (user + system) used so far by the processes of a group: Linux /proc, clock ticks of 10 ms. */
function groupCpuSeconds(group: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(fields[2]) === group) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100;
}

/** Less sensitive to other load than rates: milliseconds of CPU per query, of npm start and of this (client) process. */
async function cpuPerQuery(group: number, queries: number, run: () => Promise<void>): Promise<{ server: number; client: number }> {
  const server = groupCpuSeconds(group);
  const client = process.cpuUsage();
  await run();
  const used = process.cpuUsage(client);
  return { server: ((groupCpuSeconds(group) - server) * 1000) / queries, client: (used.user + used.system) / 1000 / queries };
}

/**
 * The concurrent rate the CPU allows on 2 otherwise idle cores: both processes busy at once (2 cores for their
 * sum), and the client, one thread, never more than one core.
 */
function idleCoresBound(cpu: { server: number; client: number }): number {
  return Math.min(2000 / (cpu.server + cpu.client), 1000 / cpu.client, 1000 / cpu.server);
}

const load = (): string => loadavg().map((value) => value.toFixed(1)).join(' ');
const loadBefore = load();

/**
 * The canister's install on a fresh local IC (module not yet compiled), and the in-process query rate and
 * CPU per query (the canister's Wasm and the rollback of its memory, without HTTP, envelopes or signatures).
 */
async function inProcessReference(): Promise<{ installSeconds: number; queriesPerSecond: number; cpuMsPerQuery: number }> {
  const ic = await LocalIc.create();
  try {
    const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(7));
    const started = performance.now();
    const id = await ic.createCanister({ controllers: [controller], sender: controller });
    await ic.installCode(id, jwtIssuerWasm(), initArgument(), { sender: controller });
    const installSeconds = (performance.now() - started) / 1000;
    await ic.runUntilIdle();
    const noArgument = new Uint8Array(IDL.encode([], []));
    const query = async (): Promise<void> => {
      const result = await ic.queryCall(id, 'metrics', noArgument, { sender: controller });
      if (result.kind !== 'replied') throw new Error(result.message);
    };
    await query();
    const cpu = process.cpuUsage();
    const queriesPerSecond = await perSecond(QUERIES, 1, query);
    await new Promise((resolve) => setImmediate(resolve)); // the last query's memory rollback
    const used = process.cpuUsage(cpu);
    return { installSeconds, queriesPerSecond, cpuMsPerQuery: (used.user + used.system) / 1000 / QUERIES };
  } finally {
    await ic.close();
  }
}

const reference = await inProcessReference();

const state = mkdtempSync(join(tmpdir(), 'ic-jwt-bench-agents-'));
const controller = Ed25519V3.generate();
const product = await startProduct(state, ['--controller', controller.getPrincipal().toText()]);
try {
  const host = product.ready.replicaUrl;
  const canisterId = Principal.fromText(product.ready.canisterId);

  const dfinityAgent = async (identity = Ed25519V3.generate()): Promise<HttpAgentV3> => {
    const agent = HttpAgentV3.createSync({ host, identity, retryTimes: 0 });
    await agent.fetchRootKey();
    return agent;
  };
  const dfinityIssuer = async (): Promise<Issuer> => ActorV3.createActor<JwtIssuerService>(idlFactory, { agent: await dfinityAgent(), canisterId });
  const icpSdkIssuer = async (): Promise<Issuer> => {
    const agent = await HttpAgentV6.create({ host, identity: Ed25519V6.generate(), shouldFetchRootKey: true, retryTimes: 0 });
    // The generated bindings' IDL factory builds types from whichever IDL it is handed.
    return ActorV6.createActor<JwtIssuerService>(idlFactory as unknown as IDLV6.InterfaceFactory, {
      agent,
      canisterId: PrincipalV6.fromText(canisterId.toText())
    });
  };

  // Generous limits, so that the rate limiter is not what is measured: set by the --controller identity.
  const admin = ActorV3.createActor<JwtIssuerService>(idlFactory, { agent: await dfinityAgent(controller), canisterId });
  const updated = await admin.update_config(configInputToCandid({ rateLimit: { capacity: 1000, refillIntervalSeconds: 1 }, globalLimitPerMinute: 10_000 }));
  if (!('Ok' in updated)) throw new Error(`update_config: ${Object.keys(updated.Err).join()}`);

  type IssueResult = Awaited<ReturnType<Issuer['issue_jwt']>>;
  /** @dfinity/agent's asynchronous path: POST /api/v2/.../call (202), then read_state polling. */
  const v2Agent = await dfinityAgent();
  const noOptions = new Uint8Array(IDL.encode([IDL.Opt(IssueOptionsType)], [[]]));
  const issueByCallAndPoll = async (): Promise<IssueResult> => {
    const { requestId } = await v2Agent.call(canisterId, { methodName: 'issue_jwt', arg: noOptions, callSync: false });
    const { reply } = await pollForResponse(v2Agent, canisterId, requestId);
    return IDL.decode([IssueResultType], reply)[0] as unknown as IssueResult;
  };

  const issues = async (issueJwt: () => Promise<IssueResult>, count = ISSUES): Promise<number> =>
    perSecond(count, 1, async () => {
      const result = await issueJwt();
      if (!('Ok' in result)) throw new Error(`issue_jwt: ${Object.keys(result.Err).join()}`);
    });

  const table: Record<string, Record<string, string>> = {};
  const row = (sequential: string, concurrent: string, cpu: string, issued: string, bound = '') => ({
    'metrics/s sequential': sequential,
    [`metrics/s, ${CONCURRENCY} at a time`]: concurrent,
    'CPU ms/query npm start : client': cpu,
    'CPU bound, 2 idle cores': bound,
    'issue_jwt/s sequential': issued
  });
  table['in-process queryCall (reference: Wasm and memory rollback only)'] = row(
    reference.queriesPerSecond.toFixed(0),
    '',
    `${reference.cpuMsPerQuery.toFixed(1)} : -`,
    ''
  );
  // The agents take turns, a slice of each measure at a time, so that both meet the same load and
  // the same server state: measured one after the other, @icp-sdk/core (second) came out at 93 q/s to
  // @dfinity/agent's 148, while taking turns both cost the server the same CPU per query.
  const agents = [
    { name: '@dfinity/agent 3.4.3 (v2 query, v3 sync call)', issuer: await dfinityIssuer() },
    { name: '@icp-sdk/core 6.1.0 (v3 query, v4 sync call)', issuer: await icpSdkIssuer() }
  ].map((agent) => ({ ...agent, sequentialMs: 0, concurrentMs: 0, cpu: { server: 0, client: 0 }, issuesMs: 0 }));
  for (const agent of agents) await agent.issuer.metrics(); // warm-up: root key and node keys fetched once
  const timed = async (run: () => Promise<unknown>): Promise<number> => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const agent of agents) {
      const metrics = async (): Promise<void> => void (await agent.issuer.metrics());
      const cpu = await cpuPerQuery(product.processGroup, (2 * QUERIES) / ROUNDS, async () => {
        agent.sequentialMs += await timed(() => perSecond(QUERIES / ROUNDS, 1, metrics));
        agent.concurrentMs += await timed(() => perSecond(QUERIES / ROUNDS, CONCURRENCY, metrics));
      });
      agent.cpu.server += cpu.server / ROUNDS;
      agent.cpu.client += cpu.client / ROUNDS;
      agent.issuesMs += await timed(() => issues(() => agent.issuer.issue_jwt([]), ISSUES / ROUNDS));
    }
  }
  for (const agent of agents) {
    table[agent.name] = row(
      ((QUERIES * 1000) / agent.sequentialMs).toFixed(0),
      ((QUERIES * 1000) / agent.concurrentMs).toFixed(0),
      `${agent.cpu.server.toFixed(1)} : ${agent.cpu.client.toFixed(1)}`,
      ((ISSUES * 1000) / agent.issuesMs).toFixed(1),
      idleCoresBound(agent.cpu).toFixed(0)
    );
  }
  table['@dfinity/agent 3.4.3, v2 call and read_state polling'] = row('', '', '', (await issues(issueByCallAndPoll)).toFixed(1));

  console.log(`npm start at ${host} in its own process; ${QUERIES} signed queries and ${ISSUES} issue_jwt per figure`);
  console.table(table);
  console.log(`install of jwt_issuer on a fresh local IC (create, compile, instrument, init): ${reference.installSeconds.toFixed(2)} s (target < 1.5 s)`);
  console.log(`load average (1, 5, 15 min) before: ${loadBefore}; after: ${load()}; ${availableParallelism()} cores`);
} finally {
  await product.stop();
  killAllProducts();
  rmSync(state, { recursive: true, force: true });
}
