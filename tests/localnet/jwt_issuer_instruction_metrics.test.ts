// `metrics.instructions`: what the canister measures with ic0.performance_counter, against the
// local IC's own instruction log of the same executions (the local IC meters like the replica).
// In-process, because a PocketIC server exposes no instruction log.
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { configInputToCandid, HttpRequestType } from '../../src/backend/core/candid';
import { INSTRUCTION_LIMITS, LocalIc, observeInstructions, type InstructionRecord } from '../../packages/local-ic/src';
import { generateNetworkSecret } from '../../packages/local-ic/src/http_interface/network_keys';
import { icHttpInterfaceFor } from '../../packages/local-ic/src/network/replica_backend';
import { decodeReply, encodeArgs, initArgument, jwtIssuerWasm, randomPrincipal } from '../integration/harness/jwt_issuer';

const controller = randomPrincipal();
let ic: LocalIc;
let id: Principal;
const records: InstructionRecord[] = [];
let stopObserving: () => void;

async function recorded(run: () => Promise<unknown>): Promise<InstructionRecord[]> {
  records.length = 0;
  await run();
  return records.filter((record) => record.canister === id.toText() && record.kind !== 'install_code');
}

async function instructionStats() {
  const result = await ic.queryCall(id, 'metrics', new Uint8Array(IDL.encode([], [])), { sender: controller });
  if (result.kind !== 'replied') throw new Error(result.message);
  return new Map(decodeReply('metrics', result.reply).instructions.map((stat) => [stat.message, stat]));
}

async function update(method: 'issue_jwt' | 'update_config', argument: Uint8Array, sender: Principal): Promise<void> {
  const result = await ic.updateCall(id, method, argument, { sender });
  if (result.kind !== 'replied') throw new Error(result.message);
  expect(Object.keys(decodeReply(method, result.reply) as object)).toEqual(['Ok']);
}

const total = (list: InstructionRecord[]) => BigInt(list.reduce((sum, record) => sum + record.instructions, 0));

beforeAll(async () => {
  ic = await LocalIc.create();
  icHttpInterfaceFor(ic, { networkSecret: generateNetworkSecret() });
  stopObserving = observeInstructions((record) => records.push(record));
  id = await ic.createCanister({ controllers: [controller], sender: controller });
  await ic.installCode(id, jwtIssuerWasm(), initArgument({ rateLimit: { capacity: 100, refillIntervalSeconds: 1 } }), { sender: controller });
  await ic.tick();
  await ic.runUntilIdle();
});

afterAll(() => {
  stopObserving();
  ic.close();
});

describe('metrics.instructions', () => {
  it('reports canister_init within the install limit', async () => {
    const init = (await instructionStats()).get('canister_init');
    expect(init?.count).toBe(1n);
    expect(init!.last).toBeGreaterThan(1_000_000n);
    expect(init!.last).toBeLessThan(BigInt(INSTRUCTION_LIMITS.install));
  });

  it('reports each issue_jwt per algorithm as both halves together, as the IC counted them', async () => {
    for (const [algorithm, option] of [['ES256K', []], ['EdDSA', ['EdDSA']]] as const) {
      const argument = encodeArgs('issue_jwt', [[{ audience: [], ttl_seconds: [], extra_claims: [], algorithm: [...option] }]]);
      const executions = await recorded(() => update('issue_jwt', argument, randomPrincipal()));
      expect(executions.map((record) => record.kind)).toEqual(['U', 'Ry']); // the update, then its reply callback (the spec's API modes)
      const stat = (await instructionStats()).get(`issue_jwt ${algorithm}`)!;
      expect(stat.count).toBe(1n);
      expect(stat.max).toBe(stat.last);
      // Read just after msg_reply: all of both executions but Azle's return from the callback.
      expect(stat.last).toBeLessThanOrEqual(total(executions));
      expect(stat.last).toBeGreaterThan((total(executions) * 98n) / 100n);
    }
    await update('issue_jwt', new Uint8Array(IDL.encode([], [])), randomPrincipal());
    const es256k = (await instructionStats()).get('issue_jwt ES256K')!;
    expect(es256k.count).toBe(2n);
    expect(es256k.total).toBeGreaterThanOrEqual(es256k.max);
  });

  it('reports update_config, and the JWKS reply measured in the metrics query itself', async () => {
    const executions = await recorded(() =>
      update('update_config', encodeArgs('update_config', [configInputToCandid({ defaultTtlSeconds: 900 })]), controller)
    );
    const stats = await instructionStats();
    const updateConfig = stats.get('update_config')!;
    expect(updateConfig.count).toBe(1n);
    expect(updateConfig.last).toBeLessThanOrEqual(total(executions));
    expect(updateConfig.last).toBeGreaterThan(total(executions) / 2n);

    const jwksQuery = await recorded(async () => {
      const argument = IDL.encode([HttpRequestType], [{ method: 'GET', url: '/.well-known/jwks.json', headers: [], body: new Uint8Array(), certificate_version: [2] }]);
      const result = await ic.queryCall(id, 'http_request', argument, { sender: controller });
      if (result.kind !== 'replied') throw new Error(result.message);
    });
    const reply = stats.get('http_request jwks reply')!;
    expect(reply.count).toBe(1n);
    expect(reply.last).toBeGreaterThan(0n);
    expect(reply.last).toBeLessThan(total(jwksQuery));
  });

  it('starts again at an upgrade with canister_post_upgrade', async () => {
    await ic.installCode(id, jwtIssuerWasm(), initArgument(), { sender: controller, mode: 'upgrade' });
    const stats = await instructionStats();
    expect(stats.has('canister_init')).toBe(false);
    expect(stats.has('issue_jwt ES256K')).toBe(false);
    expect(stats.get('canister_post_upgrade')!.last).toBeGreaterThan(1_000_000n);
  });
});
