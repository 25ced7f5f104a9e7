import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { FREE_FEES, LocalIc, MANAGEMENT_CANISTER_ID } from '../../packages/local-ic/src/index.js';
import { signingFee } from '../../packages/local-ic/src/threshold/index.js';
import { decodeReply, encode } from './support/candid.js';
import { installProbe, type Probe } from './support/probe.js';

const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(8));

interface Signed {
  publicKey: Uint8Array;
  signature: Uint8Array;
  refunded: bigint;
  balanceBefore: bigint;
  balanceAfter: bigint;
}

const SignedType = IDL.Record({
  publicKey: IDL.Vec(IDL.Nat8),
  signature: IDL.Vec(IDL.Nat8),
  refunded: IDL.Nat,
  balanceBefore: IDL.Nat,
  balanceAfter: IDL.Nat
});

describe('threshold signing through the management canister', () => {
  let ic: LocalIc;
  let probe: Probe;
  let other: Probe;
  const messageHash = sha256(new TextEncoder().encode('a JWT signing input'));

  const sign = (signer: Probe, keyName: string, cycles: bigint) =>
    signer.update('signWithEcdsa', [IDL.Text, IDL.Vec(IDL.Nat8), IDL.Nat], [keyName, messageHash, cycles]);

  beforeAll(async () => {
    ic = await LocalIc.create({ fees: FREE_FEES });
    probe = await installProbe(ic, { controller, cycles: 1_000_000_000_000n });
    other = await installProbe(ic, { controller, cycles: 1_000_000_000_000n });
  });

  it('signs with the calling canister key, charges the fee and refunds the surplus', async () => {
    const fee = signingFee('ecdsa', 'key_1');
    const surplus = 1_234_567n;
    const signed = decodeReply<Signed>(await sign(probe, 'key_1', fee + surplus), SignedType);
    expect(signed.publicKey).toHaveLength(33);
    expect(signed.signature).toHaveLength(64);
    expect(secp256k1.verify(signed.signature, messageHash, signed.publicKey, { prehash: false })).toBe(true);
    expect(signed.refunded).toBe(surplus);
    expect(signed.balanceBefore - signed.balanceAfter).toBe(fee);

    // Another canister gets another key for the same derivation path.
    const fromOther = decodeReply<Signed>(await sign(other, 'key_1', fee), SignedType);
    expect(Buffer.from(fromOther.publicKey).equals(Buffer.from(signed.publicKey))).toBe(false);
    expect(secp256k1.verify(fromOther.signature, messageHash, signed.publicKey, { prehash: false })).toBe(false);
  });

  it('routes a signature to the subnet holding the key: its fee, whichever subnet the caller is on', async () => {
    // PocketIC 14 (dfinity/ic PR 9818): key_1 on the 34-node II and fiduciary subnets, test_key_1 and
    // dfx_test_key on the 13-node test-threshold-keys subnet; the docs' 10B cycles per 13 nodes.
    const fees = { key_1: 26_153_846_153n, test_key_1: 10_000_000_000n, dfx_test_key: 10_000_000_000n };
    // On mainnet the ckBTC minter, on the fiduciary subnet that holds key_1, attaches that same fee.
    const onFiduciary = await installProbe(ic, { controller, cycles: 1_000_000_000_000n, subnet: 'fiduciary' });
    expect(ic.subnetOf(probe.id)).toBe('application');
    for (const [keyName, fee] of Object.entries(fees)) {
      for (const signer of [probe, onFiduciary]) {
        const signed = decodeReply<Signed>(await sign(signer, keyName, fee + 5n), SignedType);
        expect(signed.balanceBefore - signed.balanceAfter).toBe(fee);
        expect(signed.refunded).toBe(5n);
        expect(secp256k1.verify(signed.signature, messageHash, signed.publicKey, { prehash: false })).toBe(true);
      }
    }
  });

  it('returns the public key of another canister when asked for it', async () => {
    const args = encode(
      [IDL.Record({ canister_id: IDL.Opt(IDL.Principal), derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)), key_id: IDL.Record({ curve: IDL.Variant({ secp256k1: IDL.Null }), name: IDL.Text }) })],
      [{ canister_id: [probe.id], derivation_path: [new Uint8Array([1, 2, 3])], key_id: { curve: { secp256k1: null }, name: 'key_1' } }]
    );
    const outcome = await other.callRaw(MANAGEMENT_CANISTER_ID, 'ecdsa_public_key', args);
    const key = IDL.decode([IDL.Record({ public_key: IDL.Vec(IDL.Nat8), chain_code: IDL.Vec(IDL.Nat8) })], outcome.reply[0] ?? new Uint8Array())[0] as unknown as {
      public_key: Uint8Array;
    };
    const signed = decodeReply<Signed>(await sign(probe, 'key_1', signingFee('ecdsa', 'key_1')), SignedType);
    expect(Buffer.from(key.public_key).equals(Buffer.from(signed.publicKey))).toBe(true);
  });

  it('rejects a call with too few cycles attached and charges nothing', async () => {
    const fee = signingFee('ecdsa', 'test_key_1');
    const balance = ic.cycleBalance(probe.id);
    const result = await sign(probe, 'test_key_1', fee - 1n);
    expect(result.kind).toBe('rejected');
    expect(result.kind === 'rejected' && result.message).toContain(`sign_with_ecdsa request sent with ${fee - 1n} cycles, but ${fee} cycles are required.`);
    expect(ic.cycleBalance(probe.id)).toBe(balance);
  });

  it('rejects unknown key names the way the IC does', async () => {
    const outcome = await probe.callRaw(
      MANAGEMENT_CANISTER_ID,
      'sign_with_ecdsa',
      encode(
        [IDL.Record({ message_hash: IDL.Vec(IDL.Nat8), derivation_path: IDL.Vec(IDL.Vec(IDL.Nat8)), key_id: IDL.Record({ curve: IDL.Variant({ secp256k1: IDL.Null }), name: IDL.Text }) })],
        [{ message_hash: messageHash, derivation_path: [], key_id: { curve: { secp256k1: null }, name: 'no_such_key' } }]
      ),
      100_000_000_000n
    );
    expect(outcome).toMatchObject({ reply: [], rejectCode: 3, refunded: 100_000_000_000n });
    expect(outcome.rejectMessage).toMatch(/^Unable to route management canister request sign_with_ecdsa: .*no_such_key/);
  });

  it('answers ingress calls to canister-only management methods with a reject', async () => {
    const result = await ic.updateCall(MANAGEMENT_CANISTER_ID, 'raw_rand', encode([], []));
    expect(result).toMatchObject({ kind: 'rejected', code: 4, message: 'Only canisters can call ic00 method raw_rand' });
  });
});
