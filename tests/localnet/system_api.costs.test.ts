import { Principal } from '@dfinity/principal';
import { beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_SUBNET_FEES, feeScheduleFor, LocalIc, observeInstructions, type CallResult } from '../../packages/local-ic/src/index.js';
import { SYSTEM_API_PROBE_WAT, watToWasm } from './support/wat.js';

/**
 * Asks every `ic0.cost_*` function (interface spec, "Cycles" section of the
 * System API) and replies with its i32 result code (if it has one) and the
 * 16-byte little-endian amount it wrote at 16. The key name is the argument.
 */
const COST_PROBE_WAT = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_arg_data_size" (func $arg_size (result i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "cost_call" (func $cost_call (param i64 i64 i32)))
  (import "ic0" "cost_create_canister" (func $cost_create (param i32)))
  (import "ic0" "cost_http_request" (func $cost_http (param i64 i64 i32)))
  (import "ic0" "cost_sign_with_ecdsa" (func $cost_ecdsa (param i32 i32 i32 i32) (result i32)))
  (import "ic0" "cost_sign_with_schnorr" (func $cost_schnorr (param i32 i32 i32 i32) (result i32)))
  (import "ic0" "cost_vetkd_derive_key" (func $cost_vetkd (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $amount (call $append (i32.const 16) (i32.const 16)) (call $reply))
  (func $coded (param $code i32)
    (i32.store (i32.const 0) (local.get $code))
    (call $append (i32.const 0) (i32.const 4))
    (call $amount))
  (func $key (result i32)
    (call $arg_copy (i32.const 64) (i32.const 0) (call $arg_size))
    (call $arg_size))
  (func (export "canister_query call") (call $cost_call (i64.const 10) (i64.const 100) (i32.const 16)) (call $amount))
  (func (export "canister_query create") (call $cost_create (i32.const 16)) (call $amount))
  (func (export "canister_query http") (call $cost_http (i64.const 1000) (i64.const 2000) (i32.const 16)) (call $amount))
  (func (export "canister_query ecdsa_secp256k1")
    (call $coded (call $cost_ecdsa (i32.const 64) (call $key) (i32.const 0) (i32.const 16))))
  (func (export "canister_query ecdsa_curve_1")
    (call $coded (call $cost_ecdsa (i32.const 64) (call $key) (i32.const 1) (i32.const 16))))
  (func (export "canister_query schnorr_bip340")
    (call $coded (call $cost_schnorr (i32.const 64) (call $key) (i32.const 0) (i32.const 16))))
  (func (export "canister_query schnorr_ed25519")
    (call $coded (call $cost_schnorr (i32.const 64) (call $key) (i32.const 1) (i32.const 16))))
  (func (export "canister_query schnorr_algorithm_2")
    (call $coded (call $cost_schnorr (i32.const 64) (call $key) (i32.const 2) (i32.const 16))))
  (func (export "canister_query vetkd_bls12_381_g2")
    (call $coded (call $cost_vetkd (i32.const 64) (call $key) (i32.const 0) (i32.const 16))))
  (func (export "canister_query vetkd_curve_1")
    (call $coded (call $cost_vetkd (i32.const 64) (call $key) (i32.const 1) (i32.const 16))))
  (func (export "canister_query ecdsa_out_of_bounds")
    (call $coded (call $cost_ecdsa (i32.const 65530) (i32.const 100) (i32.const 0) (i32.const 16)))))`;

const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(3));

function replyBytes(result: CallResult): Uint8Array {
  if (result.kind !== 'replied') throw new Error(`rejected ${result.code}: ${result.message}`);
  return result.reply;
}

function amountAt(bytes: Uint8Array, offset: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 16);
  return view.getBigUint64(0, true) + (view.getBigUint64(8, true) << 64n);
}

async function installCostProbe(fees: Parameters<typeof LocalIc.create>[0]) {
  const ic = await LocalIc.create(fees);
  const id = await ic.createCanister({ controllers: [controller], sender: controller, cycles: 10n ** 14n });
  await ic.installCode(id, watToWasm(COST_PROBE_WAT), new Uint8Array(), { sender: controller });
  return {
    amount: async (method: string) => amountAt(replyBytes(await ic.queryCall(id, method)), 0),
    coded: async (method: string, keyName: string) => {
      const bytes = replyBytes(await ic.queryCall(id, method, new TextEncoder().encode(keyName)));
      return { code: new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true), cycles: amountAt(bytes, 4) };
    },
    queryCall: (method: string) => ic.queryCall(id, method)
  };
}

describe('ic0.cost_* on the local IC (13-node application subnet)', () => {
  let probe: Awaited<ReturnType<typeof installCostProbe>>;
  beforeAll(async () => {
    probe = await installCostProbe({ fees: APPLICATION_SUBNET_FEES });
  });
  const amount = (method: string) => probe.amount(method);
  const coded = (method: string, keyName: string) => probe.coded(method, keyName);

  it('cost_call: 260k + 1k per request byte, plus the prepaid 2 MiB response (1k per byte) and 40B-instruction callback (5M + 1 per instruction)', async () => {
    expect(await amount('call')).toBe(260_000n + 1_000n * 110n + 1_000n * 2_097_152n + 5_000_000n + 40_000_000_000n);
  });

  it('cost_create_canister: 500B cycles', async () => {
    expect(await amount('create')).toBe(500_000_000_000n);
  });

  it('cost_http_request: (3M + 60k·13)·13 + 400·13 per request byte + 800·13 per response byte', async () => {
    expect(await amount('http')).toBe((3_000_000n + 60_000n * 13n) * 13n + 400n * 13n * 1000n + 800n * 13n * 2000n);
  });

  it("cost_sign_with_ecdsa / _schnorr: the signature fee of the subnet holding the key, whatever the caller's subnet", async () => {
    for (const method of ['ecdsa_secp256k1', 'schnorr_bip340', 'schnorr_ed25519']) {
      expect(await coded(method, 'key_1')).toEqual({ code: 0, cycles: 26_153_846_153n }); // 34 nodes
      expect(await coded(method, 'test_key_1')).toEqual({ code: 0, cycles: 10_000_000_000n }); // 13 nodes
      expect(await coded(method, 'dfx_test_key')).toEqual({ code: 0, cycles: 10_000_000_000n });
    }
  });

  it('answers 1 for an unknown curve or algorithm and 2 for an unknown key name, writing nothing', async () => {
    expect(await coded('ecdsa_curve_1', 'key_1')).toEqual({ code: 1, cycles: 0n });
    expect(await coded('schnorr_algorithm_2', 'key_1')).toEqual({ code: 1, cycles: 0n });
    expect(await coded('ecdsa_secp256k1', 'insecure_test_key_1')).toEqual({ code: 2, cycles: 0n });
    expect(await coded('schnorr_ed25519', 'Key_1')).toEqual({ code: 2, cycles: 0n });
    expect(await coded('vetkd_curve_1', 'key_1')).toEqual({ code: 1, cycles: 0n });
    // This local IC holds no vetKD keys, so every vetKD key name is unknown.
    expect(await coded('vetkd_bls12_381_g2', 'key_1')).toEqual({ code: 2, cycles: 0n });
  });

  it('traps when the key name lies outside the heap', async () => {
    const result = await probe.queryCall('ecdsa_out_of_bounds');
    expect(result.kind).toBe('rejected');
    expect(result.kind === 'rejected' && result.code).toBe(5);
  });
});

describe('ic0.cost_* for a canister on a 34-node subnet', () => {
  it("scales the caller's own fees by 34 / 13, but signing fees stay those of the subnet holding the key", async () => {
    const probe = await installCostProbe({ fees: feeScheduleFor(34) });
    expect(await probe.amount('create')).toBe(1_307_692_307_692n); // the docs' 34-node figure
    expect(await probe.amount('http')).toBe((3_000_000n + 60_000n * 34n) * 34n + 400n * 34n * 1000n + 800n * 34n * 2000n);
    // (260k + 1k × 110) × 34 / 13, 1k × 2 MiB × 34 / 13, (5M + 40B) × 34 / 13, each rounded down.
    expect(await probe.amount('call')).toBe(967_692n + 5_484_859_076n + 104_628_461_538n);
    expect(await probe.coded('ecdsa_secp256k1', 'test_key_1')).toEqual({ code: 0, cycles: 10_000_000_000n });
    expect(await probe.coded('schnorr_ed25519', 'key_1')).toEqual({ code: 0, cycles: 26_153_846_153n });
  });
});

describe('charges on a 34-node subnet', () => {
  it("take the ingress and execution fees at 34 / 13 of the docs' 13-node prices, rounded down", async () => {
    const ic = await LocalIc.create({ fees: feeScheduleFor(34) });
    const id = await ic.createCanister({ controllers: [controller], sender: controller, cycles: 10n ** 14n });
    await ic.installCode(id, watToWasm(SYSTEM_API_PROBE_WAT), new Uint8Array(), { sender: controller });
    await ic.tick();
    const before = ic.cycleBalance(id);
    const argument = new Uint8Array(7);
    let instructions = 0n;
    const stop = observeInstructions((record) => {
        if (record.kind === 'U') instructions += BigInt(record.instructions);
      });
    expect((await ic.updateCall(id, 'inc', argument)).kind).toBe('replied');
    stop();
    expect(instructions).toBeGreaterThan(0n);
    // Ingress: (1.2M + 2k × (3 + 7 bytes)) × 34 / 13 = 3_190_769. Execution: (5M + 40B) × 34 / 13 prepaid
    // (the update limit), (40B − used) × 34 / 13 refunded, each rounded down as the replica does.
    const limit = 40_000_000_000n;
    const execution = ((5_000_000n + limit) * 34n) / 13n - ((limit - instructions) * 34n) / 13n;
    expect(execution).toBeGreaterThanOrEqual(13_076_923n);
    expect(before - ic.cycleBalance(id)).toBe(3_190_769n + execution);
  });
});
