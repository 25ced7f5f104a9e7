import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { APPLICATION_SUBNET_FEES, FREE_FEES, LocalIc, observeCycles, observeInstructions, type CyclesRecord } from '../../packages/local-ic/src/index.js';
import { decodeReply, encode } from './support/candid.js';
import { installProbe } from './support/probe.js';

const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(5));
const T = 1_000_000_000_000n;

describe('cycles', () => {
  it('moves attached cycles: the callee accepts some, the caller gets the rest back', async () => {
    const ic = await LocalIc.create({ fees: FREE_FEES });
    const sender = await installProbe(ic, { controller, cycles: 10n * T });
    const receiver = await installProbe(ic, { controller, cycles: 10n * T });
    await ic.tick();

    const report = await sender.sendCycles(receiver.id, 3_000_000n);
    expect(report).toEqual({
      accepted: 1_500_000n,
      refunded: 1_500_000n,
      balanceBefore: 10n * T,
      balanceAfter: 10n * T - 1_500_000n
    });
    expect(ic.cycleBalance(sender.id)).toBe(10n * T - 1_500_000n);
    expect(ic.cycleBalance(receiver.id)).toBe(10n * T + 1_500_000n);
    expect(await receiver.balance()).toBe(10n * T + 1_500_000n);
  });

  it('charges the 13-node subnet fees: ingress, execution, call transmission and response', async () => {
    const ic = await LocalIc.create({ fees: APPLICATION_SUBNET_FEES });
    const sender = await installProbe(ic, { controller, cycles: 10n * T });
    const receiver = await installProbe(ic, { controller, cycles: 10n * T });
    await ic.tick(); // lets the canisters' start-up timers (raw_rand seeding) finish

    const senderBefore = ic.cycleBalance(sender.id);
    const receiverBefore = ic.cycleBalance(receiver.id);
    const attached = 4_000_000n;
    const argument = encode([IDL.Principal, IDL.Nat], [receiver.id, attached]);
    const instructions = new Map<string, bigint>();
    const stop = observeInstructions((record) => {
      instructions.set(record.canister, (instructions.get(record.canister) ?? 0n) + BigInt(record.instructions));
    });
    const charges: CyclesRecord[] = [];
    const stopCycles = observeCycles((record) => charges.push(record));
    const result = await ic.updateCall(sender.id, 'sendCycles', argument);
    stop();
    stopCycles();
    const report = decodeReply<{ accepted: bigint; refunded: bigint }>(
      result,
      IDL.Record({ accepted: IDL.Nat, refunded: IDL.Nat, balanceBefore: IDL.Nat, balanceAfter: IDL.Nat })
    );
    expect(report).toMatchObject({ accepted: attached / 2n, refunded: attached / 2n });

    // The docs' 13-node prices: ingress 1.2M + 2k/byte, xnet call 260k + 1k/byte, 5M per execution plus 1 per instruction.
    const ingressFee = 1_200_000n + 2_000n * BigInt('sendCycles'.length + argument.length);
    const requestFee = 260_000n + 1_000n * BigInt('acceptHalf'.length + encode([], []).length);
    const responseFee = 1_000n * BigInt(encode([IDL.Nat], [attached / 2n]).length);
    const execution = 5_000_000n;
    const senderInstructions = instructions.get(sender.id.toText()) ?? 0n;
    const receiverInstructions = instructions.get(receiver.id.toText()) ?? 0n;
    expect(senderInstructions).toBeGreaterThan(0n);
    const senderExecutions = 2n * execution + senderInstructions; // the update and its reply callback
    expect(ic.cycleBalance(sender.id)).toBe(senderBefore - ingressFee - senderExecutions - requestFee - responseFee - attached / 2n);
    expect(ic.cycleBalance(receiver.id)).toBe(receiverBefore - execution - receiverInstructions + attached / 2n);
    // The charges reported, by category, are these fees; the cycles that only moved are not among them.
    const charged = (canister: Principal, category: string): bigint =>
      charges.filter((charge) => charge.canister === canister.toText() && charge.category === category).reduce((sum, charge) => sum + charge.cycles, 0n);
    expect(charged(sender.id, 'ingress_induction')).toBe(ingressFee);
    expect(charged(sender.id, 'execution')).toBe(senderExecutions);
    expect(charged(sender.id, 'xnet_call')).toBe(requestFee + responseFee);
    expect(charged(receiver.id, 'execution')).toBe(execution + receiverInstructions);
    expect(charges.every((charge) => ['ingress_induction', 'execution', 'xnet_call'].includes(charge.category))).toBe(true);
  });

  it('refuses to attach more cycles than the canister can spend, without losing any', async () => {
    const ic = await LocalIc.create({ fees: FREE_FEES });
    const sender = await installProbe(ic, { controller, cycles: 1_000_000n });
    const receiver = await installProbe(ic, { controller, cycles: 1_000_000n });
    await ic.tick();
    const outcome = await sender.callRaw(receiver.id, 'acceptHalf', encode([], []), 5_000_000n);
    expect(outcome.reply).toEqual([]);
    expect(outcome.rejectMessage).toMatch(/Insufficient liquid cycles? balance/i);
    expect(ic.cycleBalance(sender.id)).toBe(1_000_000n);
    expect(ic.cycleBalance(receiver.id)).toBe(1_000_000n);
  });

  it('rejects ingress to a canister frozen for lack of cycles, and accepts it again after a top-up', async () => {
    const ic = await LocalIc.create({ fees: APPLICATION_SUBNET_FEES });
    const probe = await installProbe(ic, { controller, cycles: 100n * T });
    await ic.tick();
    // Burn everything above the freezing limit (ic0.cycles_burn128 never goes below it).
    const burned = decodeReply<bigint>(await probe.update('burnCycles', [IDL.Nat], [1000n * T]), IDL.Nat);
    expect(burned).toBeGreaterThan(90n * T);
    // The replica names the missing cycles to controllers only (reveal_top_up).
    const rejected = await probe.as(controller).update('increment');
    expect(rejected).toMatchObject({ kind: 'rejected', code: 2, errorCode: 'IC0207' });
    expect(rejected.kind === 'rejected' && rejected.message).toMatch(
      new RegExp(`^Canister ${probe.id.toText()} is out of cycles: please top up the canister with at least \\d+ additional cycles$`)
    );
    expect(await probe.update('increment')).toMatchObject({ kind: 'rejected', errorCode: 'IC0207', message: `Canister ${probe.id.toText()} is out of cycles` });
    ic.addCycles(probe.id, T);
    expect((await probe.update('increment')).kind).toBe('replied');
  });
});
