// What every token reads from stable memory is also kept on the heap (src/backend/storage.ts):
// a message that traps after writing through must leave neither copy changed. The IC rolls
// back a trapped execution's Wasm memory and stable memory together; here the built Wasm traps
// on the instruction limit right after issue_jwt's writes (before or at the signing call), on
// the in-process local IC, whose limit a test can lower (a PocketIC server's cannot be).
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { INSTRUCTION_LIMITS, LocalIc, observeInstructions, type InstructionRecord } from '../../packages/local-ic/src';
import { decodeReply, initArgument, issueArgument, jwtIssuerWasm, randomPrincipal } from '../integration/harness/jwt_issuer';
import { LocalIcIssuer } from '../support/local_ic_issuer';

let controller: Principal;
const limits = INSTRUCTION_LIMITS as { update: number };
const updateLimit = limits.update;
let ic: LocalIc;
let id: Principal;
const records: InstructionRecord[] = [];
let stopObserving: () => void;

async function issue(caller: Principal) {
  const result = await ic.updateCall(id, 'issue_jwt', issueArgument(), { sender: caller });
  if (result.kind !== 'replied') return result;
  return { kind: 'replied' as const, value: decodeReply('issue_jwt', result.reply) };
}

async function counters() {
  const result = await ic.queryCall(id, 'metrics', new Uint8Array(IDL.encode([], [])), { sender: controller });
  if (result.kind !== 'replied') throw new Error(result.message);
  const { tokens_issued, signatures_requested } = decodeReply('metrics', result.reply);
  return { tokens_issued, signatures_requested };
}

beforeAll(async () => {
  ic = await LocalIc.create();
  stopObserving = observeInstructions((record) => records.push(record));
  ({ canisterId: id, controller } = await LocalIcIssuer.install(ic, { rateLimit: { capacity: 2, refillIntervalSeconds: 86_400 } }));
});

afterAll(() => {
  limits.update = updateLimit;
  stopObserving();
  ic.close();
});

describe('the heap copies of stable memory', () => {
  it('roll back with stable memory when issue_jwt traps after writing through, and agree with it after an upgrade', async () => {
    await issue(randomPrincipal());
    // A first token from a new caller, as the one below: the request half's instructions, exactly (execution is deterministic).
    records.length = 0;
    expect((await issue(randomPrincipal())).kind).toBe('replied');
    const requestHalf = records.find((record) => record.canister === id.toText() && record.kind === 'U')!.instructions;
    const before = await counters();
    expect(before).toEqual({ tokens_issued: 2n, signatures_requested: 2n });

    // issue_jwt writes the bucket, the global window and the counters, then encodes and sends the
    // signing call (more than a million instructions): a limit just under its total traps after the writes.
    const caller = randomPrincipal();
    limits.update = requestHalf - 300_000;
    records.length = 0;
    try {
      const trapped = await issue(caller);
      expect(trapped).toMatchObject({ kind: 'rejected' });
      expect((trapped as { message: string }).message).toMatch(/instruction/i);
    } finally {
      limits.update = updateLimit;
    }
    // It ran to the limit (the meter stops at the end of a basic block): past the writes, within the signing call's encoding.
    const ran = records.filter((record) => record.canister === id.toText()).map((record) => record.instructions);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toBeGreaterThanOrEqual(requestHalf - 300_000);

    // The heap copy (metrics reads it) shows no signature requested; the caller's bucket still holds both tokens.
    expect(await counters()).toEqual(before);
    expect((await issue(caller)).kind).toBe('replied');
    expect((await issue(caller)).kind).toBe('replied');
    const third = await issue(caller);
    expect(third).toMatchObject({ kind: 'replied', value: { Err: { RateLimited: { scope: { Caller: null } } } } });
    const after = await counters();
    expect(after).toEqual({ tokens_issued: 4n, signatures_requested: 4n });

    // An upgrade empties the heap: the counters read back from stable memory are the ones the heap held.
    await ic.installCode(id, jwtIssuerWasm(), initArgument(), { sender: controller, mode: 'upgrade' });
    expect(await counters()).toEqual(after);
  });
});
