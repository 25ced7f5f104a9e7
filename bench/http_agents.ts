// Signed queries and update calls over HTTP against the in-process local network, through
// @dfinity/agent 3.4.3 and @icp-sdk/core 6 side by side, with the in-process query as reference.
// Run after `npm run build`: npx tsx bench/http_agents.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor as ActorV3, HttpAgent as HttpAgentV3 } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity as Ed25519V3 } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { Actor as ActorV6, HttpAgent as HttpAgentV6 } from 'icp-sdk-core-v6/agent';
import type { IDL as IDLV6 } from 'icp-sdk-core-v6/candid';
import { Ed25519KeyIdentity as Ed25519V6 } from 'icp-sdk-core-v6/identity';
import { Principal as PrincipalV6 } from 'icp-sdk-core-v6/principal';

import { idlFactory, type _SERVICE as JwtIssuerService } from '../src/declarations/jwt_issuer/jwt_issuer.did';
import { deployJwtIssuer } from '../src/dev_network/deploy_jwt_issuer';
import { startLocalNetwork } from '../packages/local-ic/src/network/local_network';
import { initArgument, jwtIssuerWasm } from '../tests/integration/harness/jwt_issuer';

const QUERIES = 300;
const CONCURRENCY = 20;
const ISSUES = 20;

type Issuer = Pick<JwtIssuerService, 'metrics' | 'issue_jwt'>;

async function perSecond(count: number, concurrency: number, run: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await run(next++);
    })
  );
  return (count * 1000) / (performance.now() - started);
}

const state = mkdtempSync(join(tmpdir(), 'ic-jwt-bench-agents-'));
const network = await startLocalNetwork({ port: 0 });
try {
  const wasm = jwtIssuerWasm();
  const { canisterId, controller, issuer } = await deployJwtIssuer(network, wasm, state);
  // Generous limits, so that the rate limiter is not what is measured.
  const limits = initArgument({ issuer, rateLimit: { capacity: 1000, refillIntervalSeconds: 1 }, globalLimitPerMinute: 10_000 });
  await network.ic.installCode(canisterId, wasm, limits, { mode: 'upgrade', sender: controller });
  const host = network.url;

  const dfinityIssuer = async (): Promise<Issuer> => {
    const agent = HttpAgentV3.createSync({ host, identity: Ed25519V3.generate(), retryTimes: 0 });
    await agent.fetchRootKey();
    return ActorV3.createActor<JwtIssuerService>(idlFactory, { agent, canisterId });
  };
  const icpSdkIssuer = async (): Promise<Issuer> => {
    const agent = await HttpAgentV6.create({ host, identity: Ed25519V6.generate(), shouldFetchRootKey: true, retryTimes: 0 });
    // The generated bindings' IDL factory builds types from whichever IDL it is handed.
    return ActorV6.createActor<JwtIssuerService>(idlFactory as unknown as IDLV6.InterfaceFactory, {
      agent,
      canisterId: PrincipalV6.fromText(canisterId.toText())
    });
  };
  const clients: [string, () => Promise<Issuer>][] = [
    ['@dfinity/agent 3.4.3 (v2 call + poll, v2 query)', dfinityIssuer],
    ['@icp-sdk/core 6 (v4 sync call, v3 query)', icpSdkIssuer]
  ];

  const noArgument = new Uint8Array(IDL.encode([], []));
  const queryInProcess = async (): Promise<void> => {
    const result = await network.ic.queryCall(canisterId, 'metrics', noArgument, { sender: Principal.anonymous() });
    if (result.kind !== 'replied') throw new Error(result.message);
  };
  await queryInProcess();
  const inProcess = await perSecond(QUERIES, 1, queryInProcess);

  const table: Record<string, Record<string, string>> = {};
  table['in-process queryCall (reference)'] = { 'metrics/s sequential': inProcess.toFixed(0), 'metrics/s, 20 at a time': '', 'issue_jwt/s sequential': '' };
  for (const [name, make] of clients) {
    const issuer = await make();
    await issuer.metrics(); // warm-up: root key and node keys fetched once
    const sequential = await perSecond(QUERIES, 1, async () => void (await issuer.metrics()));
    const concurrent = await perSecond(QUERIES, CONCURRENCY, async () => void (await issuer.metrics()));
    const issues = await perSecond(ISSUES, 1, async () => {
      const result = await issuer.issue_jwt([]);
      if (!('Ok' in result)) throw new Error(`issue_jwt: ${Object.keys(result.Err).join()}`);
    });
    table[name] = {
      'metrics/s sequential': sequential.toFixed(0),
      'metrics/s, 20 at a time': concurrent.toFixed(0),
      'issue_jwt/s sequential': issues.toFixed(1)
    };
  }
  console.log(`signed queries and calls over HTTP, ${QUERIES} queries and ${ISSUES} issue_jwt per row`);
  console.table(table);
} finally {
  await network.close();
  rmSync(state, { recursive: true, force: true });
}
