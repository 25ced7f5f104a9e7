import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { FREE_FEES, LocalIc, MANAGEMENT_CANISTER_ID, ManagementRejectedError } from '../../packages/local-ic/src/index.js';
import { encode } from './support/candid.js';
import { initArg, installProbe, Probe, probeWasm } from './support/probe.js';

const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(6));
const stranger = Principal.selfAuthenticating(new Uint8Array(32).fill(7));

describe('canister lifecycle', () => {
  it('hands out IC-style canister ids', async () => {
    const ic = await LocalIc.create({ fees: FREE_FEES });
    const first = await ic.createCanister({ controllers: [controller] });
    const second = await ic.createCanister({ controllers: [controller] });
    expect(first.toText()).toBe('auamu-4x777-77775-aaaaa-cai');
    expect(second.toText()).toBe('atbka-rp777-77775-aaaaq-cai');
    expect(Buffer.from(first.toUint8Array()).toString('hex')).toMatch(/^[0-9a-f]{16}0101$/);
    expect(ic.controllers(first)).toEqual([controller]);
  });

  it('keeps stable memory and drops the heap on upgrade; reinstall wipes both', async () => {
    const ic = await LocalIc.create({ fees: FREE_FEES });
    const probe = await installProbe(ic, { controller, init: 'v1' });
    await probe.increment();
    await probe.put('kept', 'across upgrades');
    const wasm = await probeWasm();

    await ic.upgradeCanister(probe.id, wasm, initArg('v2'), { sender: controller });
    expect(await probe.lifecycle()).toBe('post_upgrade:v2');
    expect(await probe.counter()).toBe(0n);
    expect(await probe.get('kept')).toBe('across upgrades');
    expect(await probe.get('pre_upgrade_ran')).toBe('yes');

    await ic.reinstallCode(probe.id, wasm, initArg('v3'), { sender: controller });
    expect(await probe.lifecycle()).toBe('init:v3');
    expect(await probe.get('kept')).toBeUndefined();
  });

  it('lets only controllers install, upgrade, stop and change settings', async () => {
    const ic = await LocalIc.create({ fees: FREE_FEES });
    const probe = await installProbe(ic, { controller });
    const wasm = await probeWasm();
    const notController = {
      rejectCode: 5,
      errorCode: 'IC0512',
      message: expect.stringContaining(`Only the controllers of the canister ${probe.id.toText()} can control it.`) as unknown
    };
    await expect(ic.upgradeCanister(probe.id, wasm, initArg('x'), { sender: stranger })).rejects.toMatchObject(notController);
    await expect(ic.reinstallCode(probe.id, wasm, initArg('x'), { sender: stranger })).rejects.toMatchObject(notController);
    await expect(ic.stopCanister(probe.id, { sender: stranger })).rejects.toBeInstanceOf(ManagementRejectedError);
    await expect(ic.updateSettings(probe.id, { controllers: [stranger] }, { sender: stranger })).rejects.toMatchObject(notController);
    expect(await probe.lifecycle()).toBe('init:test');

    await ic.updateSettings(probe.id, { controllers: [controller, stranger] }, { sender: controller });
    await ic.upgradeCanister(probe.id, wasm, initArg('by stranger'), { sender: stranger });
    expect(await probe.lifecycle()).toBe('post_upgrade:by stranger');
    const isController = async (principal: Principal): Promise<boolean> => {
      const result = await probe.query('isController', [IDL.Principal], [principal]);
      return result.kind === 'replied' && (IDL.decode([IDL.Bool], result.reply)[0] as boolean);
    };
    expect(await isController(stranger)).toBe(true);
    expect(await isController(Principal.anonymous())).toBe(false);
  });

  it('refuses to install over existing code and to upgrade an empty canister', async () => {
    const ic = await LocalIc.create({ fees: FREE_FEES });
    const probe = await installProbe(ic, { controller });
    const wasm = await probeWasm();
    await expect(ic.installCode(probe.id, wasm, initArg('again'), { sender: controller })).rejects.toMatchObject({ errorCode: 'IC0514' });
    const empty = await ic.createCanister({ controllers: [controller], sender: controller });
    await expect(ic.upgradeCanister(empty, wasm, initArg('x'), { sender: controller })).rejects.toMatchObject({ errorCode: 'IC0537' });
  });

  it('fires timers only after their time has come', async () => {
    const ic = await LocalIc.create({ fees: FREE_FEES });
    const probe = await installProbe(ic, { controller });
    await probe.setTimerIn(30);
    await ic.tick();
    expect(await probe.timerFires()).toBe(0);
    ic.advanceTime(29_000);
    await ic.tick();
    expect(await probe.timerFires()).toBe(0);
    ic.advanceTime(1_000);
    await ic.tick();
    expect(await probe.timerFires()).toBe(1);
  });

  it('answers canister_status to the canister itself but not to other canisters', async () => {
    const ic = await LocalIc.create({ fees: FREE_FEES });
    const probe = await installProbe(ic, { controller, cycles: 5_000_000_000_000n });
    const other = await installProbe(ic, { controller });
    const own = await probe.callRaw(MANAGEMENT_CANISTER_ID, 'canister_status', encode([IDL.Record({ canister_id: IDL.Principal })], [{ canister_id: probe.id }]));
    expect(own.rejectCode).toBe(0);
    const status = IDL.decode(
      [IDL.Record({ status: IDL.Variant({ running: IDL.Null, stopping: IDL.Null, stopped: IDL.Null }), cycles: IDL.Nat, module_hash: IDL.Opt(IDL.Vec(IDL.Nat8)) })],
      own.reply[0] ?? new Uint8Array()
    )[0] as unknown as { status: object; cycles: bigint; module_hash: [Uint8Array] };
    expect(status.status).toEqual({ running: null });
    expect(status.cycles).toBe(5_000_000_000_000n);
    expect(Buffer.from(status.module_hash[0])).toEqual(Buffer.from(ic.moduleHash(probe.id) ?? []));

    const foreign = await probe.callRaw(MANAGEMENT_CANISTER_ID, 'canister_status', encode([IDL.Record({ canister_id: IDL.Principal })], [{ canister_id: other.id }]));
    expect(foreign).toMatchObject({ rejectCode: 5, rejectMessage: expect.stringContaining('Only the controllers') as unknown });
  });

  it('deletes only stopped canisters', async () => {
    const ic = await LocalIc.create({ fees: FREE_FEES });
    const probe = await installProbe(ic, { controller });
    await expect(ic.deleteCanister(probe.id, { sender: controller })).rejects.toMatchObject({ errorCode: 'IC0510' });
    await ic.stopCanister(probe.id, { sender: controller });
    await ic.deleteCanister(probe.id, { sender: controller });
    expect(ic.hasCanister(probe.id)).toBe(false);
    expect(await probe.update('increment')).toMatchObject({ kind: 'rejected', code: 3 });
  });

  it('saves its state to a folder and loads it back', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'local-ic-'));
    try {
      const ic = await LocalIc.create({ fees: FREE_FEES, startTime: 1_800_000_000_000_000_000n });
      const probe = await installProbe(ic, { controller, cycles: 7_000_000_000_000n });
      await probe.increment();
      await probe.increment();
      await probe.put('persisted', 'yes');
      await probe.setTimerIn(60);
      await ic.save(directory);

      const loaded = await LocalIc.load(directory, { fees: FREE_FEES });
      const restored = new Probe(loaded, probe.id);
      expect(loaded.time).toBe(ic.time);
      expect(await restored.counter()).toBe(2n);
      expect(await restored.get('persisted')).toBe('yes');
      expect(loaded.cycleBalance(probe.id)).toBe(ic.cycleBalance(probe.id));
      expect(await restored.increment()).toBe(3n);
      loaded.advanceTime(60_000);
      await loaded.tick();
      expect(await restored.timerFires()).toBe(1); // the timer and Azle's callback for it were saved with the canister
      const next = await loaded.createCanister({ controllers: [controller] });
      expect(next.toText()).not.toBe(probe.id.toText());
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
