import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { beforeAll, describe, expect, it } from 'vitest';
import { FREE_FEES, LocalIc } from '../../packages/local-ic/src/index.js';
import { encode } from './support/candid.js';
import { installProbe, type Probe } from './support/probe.js';

const controller = Principal.selfAuthenticating(new Uint8Array(32).fill(3));
const alice = Principal.selfAuthenticating(new Uint8Array(32).fill(4));

describe('an Azle canister on the local IC', () => {
  let ic: LocalIc;
  let probe: Probe;
  let other: Probe;

  beforeAll(async () => {
    ic = await LocalIc.create({ fees: FREE_FEES, startTime: 1_700_000_000_000_000_000n });
    probe = await installProbe(ic, { controller, init: 'first', cycles: 10_000_000_000_000n });
    other = await installProbe(ic, { controller, init: 'second', cycles: 10_000_000_000_000n });
  });

  it('runs canister_init with the install argument', async () => {
    expect(await probe.lifecycle()).toBe('init:first');
    expect(await other.lifecycle()).toBe('init:second');
  });

  it('passes the caller to queries and updates', async () => {
    expect(await probe.as(alice).whoami()).toBe(alice.toText());
    expect(await probe.whoami()).toBe('2vxsx-fae');
    const before = await probe.counter();
    expect(await probe.as(alice).increment()).toBe(before + 1n);
    expect(await probe.counter()).toBe(before + 1n);
  });

  it('rolls back heap, stable memory and cycles of a trapping message', async () => {
    const counter = await probe.counter();
    const memoryBefore = ic.wasmMemorySize(probe.id);
    const trapped = await probe.update('incrementThenTrap', [IDL.Text], ['on purpose']);
    expect(trapped).toEqual({
      kind: 'rejected',
      code: 5,
      errorCode: 'IC0503',
      message: `Canister ${probe.id.toText()} trapped explicitly: on purpose`
    });
    expect(await probe.counter()).toBe(counter);
    expect(await probe.get('before_trap')).toBeUndefined();
    expect(ic.wasmMemorySize(probe.id)).toBe(memoryBefore);

    // Cycles accepted by a trapping callee go back to the caller.
    const balance = ic.cycleBalance(other.id);
    const outcome = await probe.callRaw(other.id, 'acceptAllThenTrap', encode([], []), 1_000_000n);
    expect(outcome).toMatchObject({ reply: [], rejectCode: 5, refunded: 1_000_000n });
    expect(outcome.rejectMessage).toBe(`Canister ${other.id.toText()} trapped explicitly: accepted and trapped`);
    expect(ic.cycleBalance(other.id)).toBe(balance);
  });

  it('treats a JavaScript exception as a trap', async () => {
    const counter = await probe.counter();
    const result = await probe.update('incrementThenThrow', [IDL.Text], ['thrown here']);
    expect(result.kind === 'rejected' && result.message).toMatch(/trapped explicitly: Uncaught Error: thrown here/);
    expect(await probe.counter()).toBe(counter);
  });

  it('does not keep what a query changes', async () => {
    const counter = await probe.counter();
    const first = await probe.query('incrementInQuery');
    const second = await probe.query('incrementInQuery');
    expect(first).toEqual(second);
    expect(await probe.counter()).toBe(counter);
    expect(await probe.get('from_query')).toBeUndefined();
  });

  it('keeps stable memory across messages', async () => {
    await probe.put('colour', 'green');
    expect(await probe.get('colour')).toBe('green');
  });

  it('rejects calls to missing methods and canisters', async () => {
    expect(await probe.update('nope')).toEqual({
      kind: 'rejected',
      code: 5,
      errorCode: 'IC0536',
      message: `Canister ${probe.id.toText()} has no update method 'nope'`
    });
    const missing = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
    expect(await ic.updateCall(missing, 'anything')).toMatchObject({
      kind: 'rejected',
      code: 3,
      message: 'Canister rrkah-fqaaa-aaaaa-aaaaq-cai not found'
    });
    expect(await probe.callRaw(other.id, 'nope', encode([], []))).toMatchObject({
      rejectCode: 5,
      rejectMessage: `Canister ${other.id.toText()} has no update method 'nope'`
    });
    expect(await probe.callRaw(missing, 'anything', encode([], []))).toMatchObject({
      rejectCode: 3,
      rejectMessage: 'Canister rrkah-fqaaa-aaaaa-aaaaq-cai not found'
    });
  });

  it('rejects arguments that are not the Candid the method expects', async () => {
    const result = await ic.updateCall(probe.id, 'put', encode([IDL.Nat], [5n]));
    expect(result).toMatchObject({ kind: 'rejected', code: 5 });
    expect(await probe.counter()).toBeGreaterThanOrEqual(0n);
  });

  it('commits an update at its await: the callback trap rolls back only the callback', async () => {
    const counter = await probe.counter();
    const otherCounter = await other.counter();
    const result = await probe.update('incrementThenCallThenTrap', [IDL.Principal], [other.id]);
    expect(result).toMatchObject({ kind: 'rejected', code: 5, message: `Canister ${probe.id.toText()} trapped explicitly: trap in reply callback` });
    expect(await probe.counter()).toBe(counter + 1n);
    expect(await other.counter()).toBe(otherCounter + 1n);
  });

  it('gets randomness from raw_rand', async () => {
    const first = await probe.rawRand();
    const second = await probe.rawRand();
    expect(first).toHaveLength(32);
    expect(second).toHaveLength(32);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
  });

  it('rejects calls to a stopped canister and serves them again once started', async () => {
    await ic.stopCanister(other.id, { sender: controller });
    expect(ic.status(other.id)).toBe('stopped');
    expect(await other.update('increment')).toEqual({
      kind: 'rejected',
      code: 5,
      errorCode: 'IC0508',
      message: `Canister ${other.id.toText()} is stopped`
    });
    expect(await probe.callRaw(other.id, 'increment', encode([], []))).toMatchObject({
      rejectCode: 5,
      rejectMessage: `Canister ${other.id.toText()} is stopped`
    });
    await ic.startCanister(other.id, { sender: controller });
    expect((await other.update('increment')).kind).toBe('replied');
  });
});
