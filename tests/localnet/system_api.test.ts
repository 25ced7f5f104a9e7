import { Principal } from '@dfinity/principal';
import { beforeEach, describe, expect, it } from 'vitest';
import { FREE_FEES, LocalIc, type CallResult } from '../../packages/local-ic/src/index.js';
import { SYSTEM_API_PROBE_WAT, watToWasm } from './support/wat.js';

const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(1));
const user = Principal.selfAuthenticating(new Uint8Array(32).fill(2));
const wasm = watToWasm(SYSTEM_API_PROBE_WAT);
const START = 1_700_000_000_000_000_000n;

function replyU32(result: CallResult): number {
  if (result.kind !== 'replied') throw new Error(`rejected ${result.code}: ${result.message}`);
  return new DataView(result.reply.buffer, result.reply.byteOffset).getUint32(0, true);
}

describe('System API (hand-written canister)', () => {
  let ic: LocalIc;
  let id: Principal;

  beforeEach(async () => {
    ic = await LocalIc.create({ startTime: START, fees: FREE_FEES });
    id = await ic.createCanister({ controllers: [controller], sender: controller, cycles: 1_000_000n });
    await ic.installCode(id, wasm, new Uint8Array(), { sender: controller });
  });

  it('runs the start function once, before canister_init', async () => {
    expect(replyU32(await ic.queryCall(id, 'start_runs'))).toBe(1);
  });

  it('commits updates and passes the caller', async () => {
    expect(replyU32(await ic.updateCall(id, 'inc'))).toBe(1);
    expect(replyU32(await ic.updateCall(id, 'inc'))).toBe(2);
    expect(replyU32(await ic.queryCall(id, 'read'))).toBe(2);
    const caller = await ic.updateCall(id, 'caller', new Uint8Array(), { sender: user });
    expect(caller).toEqual({ kind: 'replied', reply: user.toUint8Array() });
  });

  it('rolls back memory, globals and stable memory when a message traps', async () => {
    await ic.updateCall(id, 'inc');
    const result = await ic.updateCall(id, 'inc_then_trap');
    expect(result).toMatchObject({ kind: 'rejected', code: 5, errorCode: 'IC0503', message: `Canister ${id.toText()} trapped explicitly: boom` });
    expect(replyU32(await ic.queryCall(id, 'read'))).toBe(1);
    expect(replyU32(await ic.queryCall(id, 'read_global'))).toBe(1);
    expect(replyU32(await ic.queryCall(id, 'stable_byte'))).toBe(0);
  });

  it('undoes memory growth of a trapping message without re-running the start function', async () => {
    await ic.updateCall(id, 'inc');
    expect(await ic.updateCall(id, 'grow_then_trap')).toMatchObject({ kind: 'rejected', code: 5 });
    expect(replyU32(await ic.queryCall(id, 'memory_pages'))).toBe(1);
    expect(replyU32(await ic.queryCall(id, 'read'))).toBe(1);
    expect(replyU32(await ic.queryCall(id, 'read_global'))).toBe(1);
    expect(replyU32(await ic.queryCall(id, 'start_runs'))).toBe(1);
    expect(replyU32(await ic.updateCall(id, 'inc'))).toBe(2);
  });

  it('reports Wasm traps with the replica wording', async () => {
    expect(await ic.updateCall(id, 'divide_by_zero')).toMatchObject({
      kind: 'rejected',
      code: 5,
      errorCode: 'IC0502',
      message: `Canister ${id.toText()} trapped: integer division by 0`
    });
  });

  it('discards everything a query does', async () => {
    expect(replyU32(await ic.queryCall(id, 'inc_in_query'))).toBe(1);
    expect(replyU32(await ic.queryCall(id, 'inc_in_query'))).toBe(1);
    expect(replyU32(await ic.queryCall(id, 'read'))).toBe(0);
    expect(replyU32(await ic.queryCall(id, 'read_global'))).toBe(0);
  });

  it('starts every message from the committed state when queries and an update are issued in one go', async () => {
    // A query's rollback is deferred until its task is done; whatever runs next must not see its changes.
    const [first, second, update, third] = await Promise.all([
      ic.queryCall(id, 'inc_in_query'),
      ic.queryCall(id, 'inc_in_query'),
      ic.updateCall(id, 'inc'),
      ic.queryCall(id, 'inc_in_query')
    ]);
    expect(replyU32(first)).toBe(1);
    expect(replyU32(second)).toBe(1);
    expect(replyU32(update)).toBe(1);
    expect([1, 2]).toContain(replyU32(third));
    expect(replyU32(await ic.queryCall(id, 'read'))).toBe(1);
    expect(replyU32(await ic.queryCall(id, 'read_global'))).toBe(1);
  });

  it('does not keep the memory a query grew, even when asked at once', async () => {
    const grown = ic.queryCall(id, 'grow_in_query');
    expect(replyU32(await grown)).toBe(17);
    expect(ic.wasmMemorySize(id)).toBe(65_536);
    expect(replyU32(await ic.queryCall(id, 'memory_pages'))).toBe(1);
    expect(replyU32(await ic.queryCall(id, 'start_runs'))).toBe(1);
    expect(replyU32(await ic.updateCall(id, 'inc'))).toBe(1);
  });

  it('runs queries called as updates in replicated mode and still discards their changes', async () => {
    expect(replyU32(await ic.queryCall(id, 'replicated'))).toBe(0);
    expect(replyU32(await ic.updateCall(id, 'replicated'))).toBe(1);
    expect(replyU32(await ic.updateCall(id, 'inc_in_query'))).toBe(1);
    expect(replyU32(await ic.queryCall(id, 'read'))).toBe(0);
  });

  it('traps on an out-of-bounds pointer and stays usable', async () => {
    const result = await ic.updateCall(id, 'oob_reply');
    expect(result).toMatchObject({ kind: 'rejected', code: 5, errorCode: 'IC0504' });
    expect(result.kind === 'rejected' && result.message).toContain('ic0.msg_reply_data_append: the memory range [4294967280, 4294967380) is outside the Wasm memory');
    expect(replyU32(await ic.updateCall(id, 'inc'))).toBe(1);
  });

  it('enforces the System API contract', async () => {
    expect(await ic.updateCall(id, 'reply_twice')).toMatchObject({ kind: 'rejected', code: 5, errorCode: 'IC0504' });
    expect(await ic.updateCall(id, 'certify_too_much')).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('must be no larger than 32 bytes. Found 33 bytes') as unknown
    });
    expect(await ic.updateCall(id, 'stable_oob')).toMatchObject({
      kind: 'rejected',
      code: 5,
      message: expect.stringContaining('stable memory out of bounds') as unknown
    });
    expect(await ic.queryCall(id, 'call_in_query')).toMatchObject({
      kind: 'rejected',
      message: expect.stringContaining('"ic0_accept_message" cannot be executed in non replicated query mode') as unknown
    });
  });

  it('rejects a call the canister does not answer, and passes explicit rejects on', async () => {
    expect(await ic.updateCall(id, 'no_reply')).toEqual({
      kind: 'rejected',
      code: 5,
      errorCode: 'IC0506',
      message: `Canister ${id.toText()} did not reply to the call`
    });
    expect(await ic.updateCall(id, 'reject')).toEqual({ kind: 'rejected', code: 4, message: 'boom' });
  });

  it('writes 128-bit cycle amounts little-endian', async () => {
    ic.addCycles(id, (5n << 64n) + 7n - 1_000_000n);
    const result = await ic.queryCall(id, 'balance');
    if (result.kind !== 'replied') throw new Error('no reply');
    const view = new DataView(result.reply.buffer, result.reply.byteOffset);
    expect(view.getBigUint64(0, true)).toBe(7n);
    expect(view.getBigUint64(8, true)).toBe(5n);
  });

  it('stores certified data', async () => {
    await ic.updateCall(id, 'certify');
    expect(new TextDecoder().decode(ic.certifiedData(id))).toBe('boom');
  });

  it('fires the global timer only once its time has come', async () => {
    await ic.updateCall(id, 'arm_timer');
    await ic.tick();
    expect(replyU32(await ic.queryCall(id, 'read'))).toBe(0);
    ic.advanceTime(999);
    await ic.tick();
    expect(replyU32(await ic.queryCall(id, 'read'))).toBe(0);
    ic.advanceTime(1);
    await ic.tick();
    expect(replyU32(await ic.queryCall(id, 'read'))).toBe(1);
    ic.advanceTime(10_000);
    await ic.tick();
    expect(replyU32(await ic.queryCall(id, 'read'))).toBe(1);
  });

  it('lets canister_inspect_message refuse ingress messages', async () => {
    expect(await ic.updateCall(id, 'xrefused')).toEqual({
      kind: 'rejected',
      code: 4,
      errorCode: 'IC0406',
      message: `Canister ${id.toText()} rejected the message`
    });
  });

  it('fails an install whose canister_init traps and leaves the canister empty', async () => {
    const fresh = await ic.createCanister({ controllers: [controller], sender: controller });
    await expect(ic.installCode(fresh, wasm, new TextEncoder().encode('trap'), { sender: controller })).rejects.toMatchObject({
      code: 'management_rejected',
      rejectCode: 5,
      message: `Canister ${fresh.toText()} trapped explicitly: boom`
    });
    expect(ic.moduleHash(fresh)).toBeUndefined();
    expect(await ic.queryCall(fresh, 'read')).toMatchObject({ kind: 'rejected', code: 5, errorCode: 'IC0537' });
    await ic.installCode(fresh, wasm, new Uint8Array(), { sender: controller });
    expect(replyU32(await ic.updateCall(fresh, 'inc'))).toBe(1);
  });
});
