import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import {
  APPLICATION_SUBNET_FEES,
  INSTRUCTION_LIMITS,
  LocalIc,
  ManagementRejectedError,
  observeCycles,
  observeInstructions,
  type CallResult,
  type CyclesRecord
} from '../../packages/local-ic/src/index.js';
import { DEFAULT_FREEZING_THRESHOLD_SECONDS } from '../../packages/local-ic/src/costs/cycles.js';
import { IC_REFERENCE_PRICES } from '../../packages/local-ic/src/costs/schedule.js';
import { DEFAULT_MAX_STABLE_MEMORY_PAGES } from '../../packages/local-ic/src/runtime/stable_memory.js';
import { icHttpInterfaceFor } from '../../packages/local-ic/src/network/replica_backend.js';
import { generateNetworkSecret } from '../../packages/local-ic/src/http_interface/network_keys.js';
import { envelope, expiry } from './support/signed_envelope.js';
import { watToWasm } from './support/wat.js';

const controller = Principal.fromUint8Array(new Uint8Array([7, 7, 7]));
const controllerIdentity = Ed25519KeyIdentity.generate();
const CanisterIdArgument = IDL.Record({ canister_id: IDL.Principal });
const UpdateFreezingThreshold = IDL.Record({ canister_id: IDL.Principal, settings: IDL.Record({ freezing_threshold: IDL.Opt(IDL.Nat) }) });

/** A call to the management canister, signed by a controller. */
function managementEnvelope(method: string, arg: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return envelope(controllerIdentity, {
    request_type: 'call',
    canister_id: Principal.managementCanister(),
    method_name: method,
    arg,
    sender: controllerIdentity.getPrincipal(),
    ingress_expiry: expiry()
  });
}

const T = 1_000_000_000_000n;
const GIB = 1n << 30n;
const PAGE = 65_536;
const EMPTY = new Uint8Array();

/**
 * Raw (non-Candid) arguments and replies, to keep the arithmetic in the tests:
 * `balance` replies canister_cycle_balance128 (16 bytes, little endian);
 * `grow` grows the heap by the i32 argument's pages and replies memory.grow's i32;
 * `stable_grow` does the same for stable memory with an i64.
 */
const CYCLES_PROBE_WAT = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "canister_cycle_balance128" (func $balance (param i32)))
  (import "ic0" "stable64_grow" (func $stable_grow (param i64) (result i64)))
  (memory 1)
  (func $reply_bytes (param $size i32) (call $append (i32.const 0) (local.get $size)) (call $reply))
  (func $balance_reply (call $balance (i32.const 0)) (call $reply_bytes (i32.const 16)))
  (func $grow
    (call $arg_copy (i32.const 0) (i32.const 0) (i32.const 4))
    (i32.store (i32.const 0) (memory.grow (i32.load (i32.const 0))))
    (call $reply_bytes (i32.const 4)))
  (func (export "canister_update nop") (call $reply))
  (func (export "canister_update balance") (call $balance_reply))
  (func (export "canister_query balance_q") (call $balance_reply))
  (func (export "canister_update grow") (call $grow))
  (func (export "canister_query grow_q") (call $grow))
  (func (export "canister_update stable_grow")
    (call $arg_copy (i32.const 0) (i32.const 0) (i32.const 8))
    (i64.store (i32.const 0) (call $stable_grow (i64.load (i32.const 0))))
    (call $reply_bytes (i32.const 8))))`;

const le = (bytes: Uint8Array): bigint => bytes.reduceRight((value, byte) => (value << 8n) | BigInt(byte), 0n);
const i32 = (value: number): Uint8Array => new Uint8Array(new Int32Array([value]).buffer);
const i64 = (value: bigint): Uint8Array => new Uint8Array(new BigInt64Array([value]).buffer);

function reply(result: CallResult): Uint8Array {
  if (result.kind !== 'replied') throw new Error(`expected a reply, got ${result.code} ${result.message}`);
  return result.reply;
}

async function probe(cycles: bigint): Promise<{ ic: LocalIc; id: Principal }> {
  const ic = await LocalIc.create({ fees: APPLICATION_SUBNET_FEES });
  const id = await ic.createCanister({ controllers: [controller, controllerIdentity.getPrincipal()], sender: controller, cycles });
  await ic.installCode(id, watToWasm(CYCLES_PROBE_WAT), new Uint8Array(), { sender: controller });
  return { ic, id };
}

/** Runs `action` and returns the instructions of its update executions and the charges reported meanwhile. */
async function measured<R>(action: () => Promise<R>): Promise<{ result: R; instructions: bigint; charges: CyclesRecord[] }> {
  let instructions = 0n;
  const charges: CyclesRecord[] = [];
  const stopInstructions = observeInstructions((record) => {
    if (record.kind === 'U') instructions += BigInt(record.instructions);
  });
  const stopCycles = observeCycles((record) => charges.push(record));
  try {
    return { result: await action(), instructions, charges };
  } finally {
    stopInstructions();
    stopCycles();
  }
}

// Published 13-node figures (developer docs, "Cycles costs" → "Cost table"; interface spec,
// "Resource limits"; ic.did's default freezing threshold of 30 days).
const PUBLISHED = [
  ['ingress message reception', IC_REFERENCE_PRICES.ingressMessageReception, 1_200_000n],
  ['ingress byte reception', IC_REFERENCE_PRICES.ingressByteReception, 2_000n],
  ['update message execution', IC_REFERENCE_PRICES.updateMessageExecution, 5_000_000n],
  ['1B executed instructions', IC_REFERENCE_PRICES.instruction * 1_000_000_000n, 1_000_000_000n],
  ['xnet call', IC_REFERENCE_PRICES.xnetCall, 260_000n],
  ['xnet byte transmission', IC_REFERENCE_PRICES.xnetByteTransmission, 1_000n],
  ['GiB storage per second', IC_REFERENCE_PRICES.gibStoragePerSecond, 127_000n],
  ['canister creation', IC_REFERENCE_PRICES.canisterCreation, 500_000_000_000n],
  ['default freezing threshold (s)', DEFAULT_FREEZING_THRESHOLD_SECONDS, 2_592_000n],
  ['instructions per update message', BigInt(INSTRUCTION_LIMITS.update), 40_000_000_000n],
  ['instructions per install_code', BigInt(INSTRUCTION_LIMITS.install), 300_000_000_000n]
] as const;

describe('cycles account', () => {
  it.each(PUBLISHED)('uses the published figure for %s', (_name, ours, published) => {
    expect(ours).toBe(published);
  });

  it('charges an update ingress induction plus 5M and one cycle per instruction; the execution sees the 40B-instruction prepayment taken', async () => {
    const { ic, id } = await probe(10n * T);
    const before = ic.cycleBalance(id);
    const { result, instructions, charges } = await measured(() => ic.updateCall(id, 'balance', EMPTY));
    const seenInside = le(reply(result));
    const ingress = 1_200_000n + 2_000n * BigInt('balance'.length);
    expect(instructions).toBeGreaterThan(0n);
    // During the execution the whole update limit is prepaid: 5M + 40B × 1.
    expect(seenInside).toBe(before - ingress - (5_000_000n + 40_000_000_000n));
    // Afterwards the unused instructions come back.
    expect(before - ic.cycleBalance(id)).toBe(ingress + 5_000_000n + instructions);
    expect(charges).toEqual([
      { canister: id.toText(), category: 'ingress_induction', cycles: ingress, detail: 'balance' },
      { canister: id.toText(), category: 'execution', cycles: 5_000_000n + instructions, detail: 'balance' }
    ]);
  });

  it('charges a message that came over HTTP by its whole signed envelope, as the replica charges ingress_induction_cost', async () => {
    const { ic, id } = await probe(10n * T);
    const api = icHttpInterfaceFor(ic, { networkSecret: generateNetworkSecret() });
    const identity = Ed25519KeyIdentity.generate();
    const body = await envelope(identity, {
      request_type: 'call',
      canister_id: id,
      method_name: 'nop',
      arg: new Uint8Array(),
      sender: identity.getPrincipal(),
      ingress_expiry: expiry()
    });
    const { result, charges } = await measured(() => api.call('v4', id, body));
    expect(result.status).toBe(200);
    // The envelope (content, public key, signature) is far more than the method name: 'nop' alone would be 1.206 M.
    expect(body.length).toBeGreaterThan(150);
    expect(charges.filter((charge) => charge.category === 'ingress_induction')).toEqual([
      { canister: id.toText(), category: 'ingress_induction', cycles: 1_200_000n + 2_000n * BigInt(body.length), detail: 'nop' }
    ]);
  });

  it('charges management-canister ingress to its effective canister, by the whole signed message', async () => {
    const { ic, id } = await probe(10n * T);
    const api = icHttpInterfaceFor(ic, { networkSecret: generateNetworkSecret() });
    const body = await managementEnvelope('canister_status', IDL.encode([CanisterIdArgument], [{ canister_id: id }]));
    const { result, charges } = await measured(() => api.call('v4', id, body));
    expect(result.status).toBe(200);
    expect(charges).toEqual([{ canister: id.toText(), category: 'ingress_induction', cycles: 1_200_000n + 2_000n * BigInt(body.length), detail: 'canister_status' }]);
  });

  it('lets a small update_settings thaw a canister frozen by its own threshold, charging its induction after it has run', async () => {
    const { ic, id } = await probe(10n * T);
    const api = icHttpInterfaceFor(ic, { networkSecret: generateNetworkSecret() });
    const memory = ic.canisterStatus(id).memory_size;
    await ic.updateSettings(id, { freezingThreshold: (20n * T * GIB) / (memory * 127_000n) }, { sender: controller });
    const frozenBalance = ic.cycleBalance(id);
    // Any other management message is refused: its effective canister cannot pay above its freezing limit.
    const statusBody = await managementEnvelope('canister_status', IDL.encode([CanisterIdArgument], [{ canister_id: id }]));
    const refused = await measured(() => api.call('v4', id, statusBody));
    expect(Buffer.from(refused.result.body as Uint8Array).toString('latin1')).toContain(`Canister ${id.toText()} is out of cycles`);
    expect(refused.charges).toEqual([]);
    expect(ic.cycleBalance(id)).toBe(frozenBalance);

    const argument = IDL.encode([UpdateFreezingThreshold], [{ canister_id: id, settings: { freezing_threshold: [30n * 86_400n] } }]);
    expect(argument.byteLength).toBeLessThanOrEqual(338);
    const body = await managementEnvelope('update_settings', argument);
    const { result, charges } = await measured(() => api.call('v4', id, body));
    expect(result.status).toBe(200);
    expect(ic.canisterStatus(id).settings.freezing_threshold).toBe(30n * 86_400n);
    // Charged once it ran, by the method name and the argument (the replica's delayed fee), not the envelope.
    const fee = 1_200_000n + 2_000n * BigInt('update_settings'.length + argument.byteLength);
    expect(charges).toEqual([{ canister: id.toText(), category: 'ingress_induction', cycles: fee, detail: 'update_settings' }]);
    expect(ic.cycleBalance(id)).toBe(frozenBalance - fee);
  });

  it('charges nothing for a query', async () => {
    const { ic, id } = await probe(10n * T);
    const before = ic.cycleBalance(id);
    const { result, charges } = await measured(() => ic.queryCall(id, 'balance_q'));
    expect(le(reply(result))).toBe(before);
    expect(ic.cycleBalance(id)).toBe(before);
    expect(charges).toEqual([]);
  });

  it('charges storage as the replica does: every 10 s or more, memory × 127k / GiB per whole second, as canister_status says per day', async () => {
    const { ic, id } = await probe(10n * T);
    const status = ic.canisterStatus(id);
    const memory = status.memory_size;
    // One 64 KiB heap page, the module's bytes and its mutable globals (the meter's counter among them).
    expect(memory).toBeGreaterThan(BigInt(PAGE));
    expect(status.idle_cycles_burned_per_day).toBe((memory * 127_000n * 86_400n) / GIB);
    const perSecond = (seconds: bigint): bigint => (memory * 127_000n * seconds) / GIB;
    const before = ic.cycleBalance(id);
    const { charges } = await measured(async () => {
      ic.advanceTime(1_000_500); // 1000.5 s: the replica charges whole seconds and drops the half
      await ic.tick();
    });
    expect(before - ic.cycleBalance(id)).toBe(perSecond(1_000n));
    expect(charges).toEqual([{ canister: id.toText(), category: 'storage', cycles: perSecond(1_000n), detail: '1000 s' }]);
    ic.advanceTime(9_999); // under the 10 s between charges: nothing yet
    await ic.tick();
    expect(before - ic.cycleBalance(id)).toBe(perSecond(1_000n));
    ic.advanceTime(1);
    await ic.tick();
    expect(before - ic.cycleBalance(id)).toBe(perSecond(1_000n) + perSecond(10n));
  });

  it('uninstalls a canister that cannot pay for its storage, and burns what is left', async () => {
    const { ic, id } = await probe(10n * T);
    const memory = ic.canisterStatus(id).memory_size;
    const secondsPayable = (ic.cycleBalance(id) * GIB) / (memory * 127_000n);
    ic.advanceTime(Number(secondsPayable + 100n) * 1_000);
    await ic.tick();
    expect(ic.cycleBalance(id)).toBe(0n);
    expect(ic.canisterStatus(id).module_hash).toEqual([]);
    expect(await ic.queryCall(id, 'balance_q')).toMatchObject({ kind: 'rejected', errorCode: 'IC0537' });
  });

  it('freezes a canister under its freezing limit: updates and queries are refused with IC0207, a top-up unfreezes it', async () => {
    const { ic, id } = await probe(10n * T);
    const memory = ic.canisterStatus(id).memory_size;
    // A threshold whose idle burn exceeds the balance.
    const threshold = (20n * T * GIB) / (memory * 127_000n);
    await ic.updateSettings(id, { freezingThreshold: threshold }, { sender: controller });
    const freezingLimit = (memory * 127_000n * threshold) / GIB;
    expect(ic.canisterStatus(id).settings.freezing_threshold).toBe(threshold);
    const balance = ic.cycleBalance(id);
    expect(freezingLimit).toBeGreaterThan(balance);

    const ingress = 1_200_000n + 2_000n * 3n;
    // Only a controller is told how many cycles are missing (the replica's reveal_top_up).
    expect(await ic.updateCall(id, 'nop', EMPTY, { sender: controller })).toEqual({
      kind: 'rejected',
      code: 2,
      errorCode: 'IC0207',
      message: `Canister ${id.toText()} is out of cycles: please top up the canister with at least ${freezingLimit + ingress - balance} additional cycles`
    });
    expect(await ic.updateCall(id, 'nop', EMPTY)).toEqual({ kind: 'rejected', code: 2, errorCode: 'IC0207', message: `Canister ${id.toText()} is out of cycles` });
    // The interface spec's query call: the canister's balance must be above its freezing limit (the replica checks it too).
    expect(await ic.queryCall(id, 'balance_q')).toMatchObject({ kind: 'rejected', errorCode: 'IC0207' });
    expect(ic.cycleBalance(id)).toBe(balance);

    ic.addCycles(id, freezingLimit - balance + 100n * 1_000_000_000n);
    expect((await ic.updateCall(id, 'nop', EMPTY)).kind).toBe('replied');
    expect((await ic.queryCall(id, 'balance_q')).kind).toBe('replied');
  });

  it('refuses an update whose prepayment would take the balance under the freezing limit, naming the missing cycles', async () => {
    const { ic, id } = await probe(10n * T);
    const memory = ic.canisterStatus(id).memory_size;
    const ingress = 1_200_000n + 2_000n * 3n;
    const prepayment = 5_000_000n + 40_000_000_000n;
    const afterInduction = ic.cycleBalance(id) - ingress;
    // A threshold whose freezing limit leaves room for the induction but not for the prepayment.
    const threshold = ((afterInduction - prepayment / 2n) * GIB) / (memory * 127_000n);
    await ic.updateSettings(id, { freezingThreshold: threshold }, { sender: controller });
    const freezingLimit = (memory * 127_000n * threshold) / GIB;
    const missing = freezingLimit + prepayment - afterInduction;
    expect(missing).toBeGreaterThan(0n);
    expect(missing).toBeLessThan(prepayment);
    expect(await ic.updateCall(id, 'nop', EMPTY, { sender: controller })).toEqual({
      kind: 'rejected',
      code: 2,
      errorCode: 'IC0207',
      message: `Canister ${id.toText()} is out of cycles: please top up the canister with at least ${missing} additional cycles`
    });
    // The induction fee was taken; nothing else.
    expect(ic.cycleBalance(id)).toBe(afterInduction);
    ic.addCycles(id, missing + ingress);
    expect((await ic.updateCall(id, 'nop', EMPTY, { sender: controller })).kind).toBe('replied');
  });

  it('prepays install_code at its 300B-instruction limit: a canister that cannot is refused with IC0207', async () => {
    const ic = await LocalIc.create({ fees: APPLICATION_SUBNET_FEES });
    const id = await ic.createCanister({ controllers: [controller], sender: controller, cycles: 200_000_000_000n });
    const install = ic.installCode(id, watToWasm(CYCLES_PROBE_WAT), new Uint8Array(), { sender: controller });
    await expect(install).rejects.toThrow(ManagementRejectedError);
    await expect(install).rejects.toThrow(/is out of cycles: please top up the canister with at least \d+ additional cycles/);
    expect(ic.cycleBalance(id)).toBe(200_000_000_000n);
    ic.addCycles(id, T);
    const { charges } = await measured(() => ic.installCode(id, watToWasm(CYCLES_PROBE_WAT), new Uint8Array(), { sender: controller }));
    const execution = charges.find((charge) => charge.category === 'execution');
    // 5M plus the compilation charge (6,000 per Wasm instruction) and the hooks.
    expect(execution?.cycles).toBeGreaterThan(5_000_000n);
    expect(ic.cycleBalance(id)).toBe(T + 200_000_000_000n - (execution?.cycles ?? 0n));
  });
});

describe('memory limits', () => {
  it('traps an update that grows the heap past wasm_memory_limit with IC0539, and rolls it back; a query may grow past it', async () => {
    const { ic, id } = await probe(10n * T);
    const limit = BigInt(4 * PAGE);
    await ic.updateSettings(id, { wasmMemoryLimit: limit }, { sender: controller });
    expect(ic.canisterStatus(id).settings.wasm_memory_limit).toBe(limit);
    expect(le(reply(await ic.updateCall(id, 'grow', i32(3))))).toBe(1n); // 1 → 4 pages: at the limit
    const size = ic.wasmMemorySize(id);
    expect(size).toBe(4 * PAGE);
    expect(await ic.updateCall(id, 'grow', i32(1))).toEqual({
      kind: 'rejected',
      code: 5,
      errorCode: 'IC0539',
      message:
        `Error from Canister ${id.toText()}: Canister exceeded its current Wasm memory limit of ${limit} bytes. ` +
        `The peak Wasm memory usage was ${5 * PAGE} bytes. If the canister reaches 4GiB, then it may stop functioning and may become unrecoverable. ` +
        'Please reach out to the canister owner to investigate the reason for the increased memory usage. ' +
        'It might be necessary to move data from the Wasm memory to the stable memory. ' +
        'If such high Wasm memory usage is expected and safe, then the developer can increase the Wasm memory limit in the canister settings.'
    });
    expect(ic.wasmMemorySize(id)).toBe(size);
    expect(le(reply(await ic.queryCall(id, 'grow_q', i32(8))))).toBe(4n);
    // Lowering the limit under the heap: updates are refused before they run.
    await ic.updateSettings(id, { wasmMemoryLimit: BigInt(2 * PAGE) }, { sender: controller });
    expect(await ic.updateCall(id, 'nop', EMPTY)).toMatchObject({ kind: 'rejected', errorCode: 'IC0539' });
    await ic.updateSettings(id, { wasmMemoryLimit: 0n }, { sender: controller });
    expect((await ic.updateCall(id, 'nop', EMPTY)).kind).toBe('replied');
  });

  it('keeps a wasm32 heap under 4 GiB: memory.grow past 65,536 pages returns -1', async () => {
    const { ic, id } = await probe(10n * T);
    expect(le(reply(await ic.updateCall(id, 'grow', i32(65_536))))).toBe(0xffff_ffffn);
    expect(ic.wasmMemorySize(id)).toBe(PAGE);
  });

  it('keeps stable memory under 500 GiB: stable64_grow past it returns -1', async () => {
    const { ic, id } = await probe(10n * T);
    expect(DEFAULT_MAX_STABLE_MEMORY_PAGES * PAGE).toBe(500 * 2 ** 30);
    const past = le(reply(await ic.updateCall(id, 'stable_grow', i64(BigInt(DEFAULT_MAX_STABLE_MEMORY_PAGES) + 1n))));
    expect(past).toBe(0xffff_ffff_ffff_ffffn);
    expect(le(reply(await ic.updateCall(id, 'stable_grow', i64(1n))))).toBe(0n);
  });
});
