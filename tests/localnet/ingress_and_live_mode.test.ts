import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { FREE_FEES, LocalIc, MANAGEMENT_CANISTER_ID, type CallResult } from '../../packages/local-ic/src/index.js';
import { decodeReply, encode } from './support/candid.js';
import { SYSTEM_API_PROBE_WAT, watToWasm } from './support/wat.js';

const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(9));
const stranger = Principal.selfAuthenticating(new Uint8Array(32).fill(10));
const wasm = watToWasm(SYSTEM_API_PROBE_WAT);

function replyU32(result: CallResult): number {
  if (result.kind !== 'replied') throw new Error(`rejected ${result.code}: ${result.message}`);
  return new DataView(result.reply.buffer, result.reply.byteOffset).getUint32(0, true);
}

async function setUp(options: { live?: boolean } = {}): Promise<{ ic: LocalIc; id: Principal }> {
  const ic = await LocalIc.create({ fees: FREE_FEES, ...options });
  const id = await ic.createCanister({ controllers: [controller], sender: controller });
  await ic.installCode(id, wasm, new Uint8Array(), { sender: controller });
  return { ic, id };
}

describe('ingress messages', () => {
  it('can be submitted now and executed later, with their status kept by message id', async () => {
    const { ic, id } = await setUp();
    const submission = await ic.submitIngress(id, 'inc', new Uint8Array(), { messageId: 'request-1' });
    expect(submission).toEqual({ accepted: true, messageId: 'request-1' });
    expect(ic.ingressStatus('request-1')).toEqual({ status: 'processing' });
    await ic.tick();
    const status = ic.ingressStatus('request-1');
    expect(status?.status).toBe('completed');
    expect(status?.status === 'completed' && replyU32(status.result)).toBe(1);
  });

  it('are refused before execution when the canister cannot take them', async () => {
    const { ic } = await setUp();
    const empty = await ic.createCanister({ controllers: [controller], sender: controller });
    expect(await ic.submitIngress(empty, 'inc', new Uint8Array())).toMatchObject({ accepted: false, result: { code: 5, errorCode: 'IC0537' } });
  });

  it('reach the management canister, with its permission checks', async () => {
    const { ic, id } = await setUp();
    const statusArgs = encode([IDL.Record({ canister_id: IDL.Principal })], [{ canister_id: id }]);
    const status = await ic.updateCall(MANAGEMENT_CANISTER_ID, 'canister_status', statusArgs, { sender: controller });
    expect(decodeReply<{ cycles: bigint }>(status, IDL.Record({ cycles: IDL.Nat })).cycles).toBe(ic.cycleBalance(id));
    expect(await ic.updateCall(MANAGEMENT_CANISTER_ID, 'canister_status', statusArgs, { sender: stranger })).toMatchObject({
      kind: 'rejected',
      code: 5,
      errorCode: 'IC0512'
    });
    const created = await ic.updateCall(
      MANAGEMENT_CANISTER_ID,
      'provisional_create_canister_with_cycles',
      encode(
        [IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Record({})), specified_id: IDL.Opt(IDL.Principal), sender_canister_version: IDL.Opt(IDL.Nat64) })],
        [{ amount: [123n], settings: [], specified_id: [], sender_canister_version: [] }]
      ),
      { sender: stranger }
    );
    const newId = decodeReply<{ canister_id: Principal }>(created, IDL.Record({ canister_id: IDL.Principal })).canister_id;
    expect(ic.cycleBalance(newId)).toBe(123n);
    expect(ic.controllers(newId)).toEqual([stranger]);
    expect(await ic.updateCall(MANAGEMENT_CANISTER_ID, 'no_such_method', encode([], []))).toMatchObject({ kind: 'rejected', code: 4, errorCode: 'IC0407' });
  });

  it('keeps canister logs, readable by controllers through fetch_canister_logs', async () => {
    const { ic, id } = await setUp();
    await ic.updateCall(id, 'inc_then_trap');
    expect(ic.canisterLogs(id).map((record) => new TextDecoder().decode(record.content))).toEqual(['[TRAP]: boom']);
    const args = encode([IDL.Record({ canister_id: IDL.Principal })], [{ canister_id: id }]);
    const logs = decodeReply<{ canister_log_records: Array<{ content: Uint8Array }> }>(
      await ic.queryCall(MANAGEMENT_CANISTER_ID, 'fetch_canister_logs', args, { sender: controller }),
      IDL.Record({ canister_log_records: IDL.Vec(IDL.Record({ idx: IDL.Nat64, timestamp_nanos: IDL.Nat64, content: IDL.Vec(IDL.Nat8) })) })
    );
    expect(logs.canister_log_records).toHaveLength(1);
    expect(await ic.queryCall(MANAGEMENT_CANISTER_ID, 'fetch_canister_logs', args, { sender: stranger })).toMatchObject({ kind: 'rejected' });
  });
});

describe('live mode', () => {
  it('follows the wall clock and fires timers by itself', async () => {
    const { ic, id } = await setUp({ live: true });
    try {
      const before = ic.time;
      expect(Number(before / 1_000_000n)).toBeGreaterThan(Date.now() - 5_000);
      await ic.updateCall(id, 'arm_timer');
      expect(replyU32(await ic.queryCall(id, 'read'))).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 1_400));
      expect(replyU32(await ic.queryCall(id, 'read'))).toBe(1);
      expect(ic.time - before).toBeGreaterThanOrEqual(1_000_000_000n);
    } finally {
      ic.close();
    }
  });
});
