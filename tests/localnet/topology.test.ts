// The five subnets of the local IC: their ranges against the IC's routing table and PocketIC's
// range generator, canisters created on each, and certificates that agents check through the
// root subnet's delegation (including their refusal of a canister outside the delegated ranges).
import { Cbor, Certificate as LegacyCertificate, HttpAgent as LegacyAgent, lookupResultToBuffer as legacyLookup } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Principal as LegacyPrincipal } from '@dfinity/principal';
import { Certificate, HttpAgent, lookup_path, lookup_subtree, LookupPathStatus, LookupSubtreeStatus } from 'icp-sdk-core-v6/agent';
import { Principal } from 'icp-sdk-core-v6/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LocalIc, ManagementRejectedError, observeInstructions, SUBNET_KINDS, SUBNET_LAYOUT, type SubnetKind } from '../../packages/local-ic/src';
import { canisterIdFromIndex } from '../../packages/local-ic/src/shared/ids';
import { startLocalNetwork, type LocalNetwork } from '../../packages/local-ic/src/network/local_network';
import { generatedRange, layoutOf, subnetKindOfCanister, subnetLayout } from '../../packages/local-ic/src/topology/layout';
import { SYSTEM_API_PROBE_WAT, watToWasm } from './support/wat';

const text = (index: bigint): string => canisterIdFromIndex(index).toText();
const label = (value: string): Uint8Array => new TextEncoder().encode(value);

/** Replies with the raw bytes of `ic0.subnet_self`. */
const SUBNET_SELF_WAT = `(module
  (import "ic0" "subnet_self_size" (func $size (result i32)))
  (import "ic0" "subnet_self_copy" (func $copy (param i32 i32 i32)))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (memory (export "memory") 1)
  (func (export "canister_query subnet_self") (local $n i32)
    (local.set $n (call $size))
    (call $copy (i32.const 0) (i32.const 0) (local.get $n))
    (call $append (i32.const 0) (local.get $n))
    (call $reply)))`;

describe('layout', () => {
  it("gives the named subnets their mainnet namesakes' ranges (the registry's routing table) plus an allocation range", () => {
    const named: Record<string, [string, string][]> = {
      nns: [
        ['rwlgt-iiaaa-aaaaa-aaaaa-cai', 'renrk-eyaaa-aaaaa-aaada-cai'],
        ['qoctq-giaaa-aaaaa-aaaea-cai', 'n5n4y-3aaaa-aaaaa-p777q-cai']
      ],
      ii: [
        ['rdmx6-jaaaa-aaaaa-aaadq-cai', 'rdmx6-jaaaa-aaaaa-aaadq-cai'],
        ['uc7f6-kaaaa-aaaaq-qaaaa-cai', 'ijz7v-ziaaa-aaaaq-7777q-cai']
      ],
      fiduciary: [['mf7xa-laaaa-aaaar-qaaaa-cai', 'qoznl-yiaaa-aaaar-7777q-cai']],
      'test-threshold-keys': [['z474k-xiaaa-aaaao-qaaaa-cai', 'fxzgb-eaaaa-aaaao-7777q-cai']],
      application: []
    };
    for (const layout of SUBNET_LAYOUT) {
      const ranges = layout.ranges.map((range) => [text(range.first), text(range.last)]);
      expect(ranges.slice(0, -1)).toEqual(named[layout.kind]);
      expect(layout.ranges.at(-1)).toEqual(layout.allocationRange);
    }
    const all = SUBNET_LAYOUT.flatMap((layout) => layout.ranges).sort((a, b) => (a.first < b.first ? -1 : 1));
    for (let i = 1; i < all.length; i++) expect((all[i - 1]?.last ?? 0n) < (all[i]?.first ?? 0n)).toBe(true);
  });

  it("generates ranges as PocketIC does: an instance with one application subnet creates lxzze-o7777-77777-aaaaa-cai first", () => {
    expect(text(generatedRange(0).first)).toBe('lxzze-o7777-77777-aaaaa-cai'); // PocketIC's HOWTO
    expect(text(subnetLayout(['application'])[0]?.allocationRange.first ?? 0n)).toBe('lxzze-o7777-77777-aaaaa-cai');
    expect(generatedRange(0).last - generatedRange(0).first + 1n).toBe(1n << 20n);
    expect(text(generatedRange(2).first)).toBe('tqzl2-p7777-77776-aaaaa-cai'); // icp-cli's network of NNS, II and one application subnet
    expect(layoutOf('application').allocationRange).toEqual(generatedRange(4));
    expect(text(layoutOf('application').allocationRange.first)).toBe('auamu-4x777-77775-aaaaa-cai');
  });

  it('has the node counts PocketIC 14 gives its subnets, and routes ids to the subnet whose ranges hold them', () => {
    expect(Object.fromEntries(SUBNET_LAYOUT.map((layout) => [layout.kind, layout.nodeCount]))).toEqual({
      nns: 40n,
      ii: 34n,
      fiduciary: 34n,
      'test-threshold-keys': 13n,
      application: 13n
    });
    expect(subnetKindOfCanister(LegacyPrincipal.fromText('rdmx6-jaaaa-aaaaa-aaadq-cai'))).toBe('ii');
    expect(subnetKindOfCanister(LegacyPrincipal.fromText('ryjl3-tyaaa-aaaaa-aaaba-cai'))).toBe('nns');
    expect(subnetKindOfCanister(LegacyPrincipal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai'))).toBeUndefined();
  });
});

describe('prices', () => {
  it("charges a canister its subnet's prices: nothing on a system subnet (NNS), 34/13 of the 13-node price on the fiduciary one", async () => {
    const ic = await LocalIc.create();
    const spent: Partial<Record<SubnetKind, bigint>> = {};
    let instructions = 0n;
    for (const kind of ['nns', 'application', 'fiduciary'] as const) {
      const id = await ic.createCanister({ subnet: kind });
      await ic.installCode(id, watToWasm(SYSTEM_API_PROBE_WAT));
      const before = ic.cycleBalance(id);
      instructions = 0n;
      const stop = observeInstructions((record) => {
        if (record.kind === 'U') instructions += BigInt(record.instructions);
      });
      await ic.updateCall(id, 'inc');
      stop();
      spent[kind] = before - ic.cycleBalance(id);
    }
    expect(instructions).toBeGreaterThan(0n);
    // Docs ("Cycles costs", 13 nodes): ingress 1.2M + 2k per byte of method name and argument (3 + 6 bytes),
    // 5M per update plus 1 per instruction; on 34 nodes the 40B-instruction prepayment and the refund of
    // the unused instructions are each scaled and rounded down.
    const limit = 40_000_000_000n;
    expect(spent).toEqual({
      nns: 0n,
      application: 1_200_000n + 9n * 2_000n + 5_000_000n + instructions,
      fiduciary: ((1_200_000n + 9n * 2_000n) * 34n) / 13n + ((5_000_000n + limit) * 34n) / 13n - ((limit - instructions) * 34n) / 13n
    });
  });
});

describe('a local IC of some of the subnets', () => {
  it('lays out only the subnets asked for, as PocketIC does: the application subnet alone starts at lxzze-…', async () => {
    const ic = await LocalIc.create({ subnets: ['application'] });
    try {
      expect(ic.subnets().map((subnet) => subnet.kind)).toEqual(['application']);
      expect((await ic.createCanister()).toText()).toBe('lxzze-o7777-77777-aaaaa-cai');
      // An II id belongs to no subnet of this IC.
      await expect(ic.createCanister({ canisterId: LegacyPrincipal.fromText('rdmx6-jaaaa-aaaaa-aaadq-cai') })).rejects.toThrow(/does not belong to any subnet/);
      await expect(ic.createCanister({ subnet: 'ii' })).rejects.toThrow(/no ii subnet/);
    } finally {
      ic.close();
    }
  });

  it('puts users\' canisters on the root subnet when there is no application subnet, and a management message on the subnet it is addressed to', async () => {
    const ic = await LocalIc.create({ subnets: ['fiduciary', 'ii'] });
    try {
      expect(ic.defaultSubnetKind).toBe('ii');
      const unplaced = await ic.createCanister();
      expect(ic.subnetOf(unplaced)).toBe('ii');
      expect(unplaced.toText()).toBe(text(generatedRange(0).first));

      const args = new Uint8Array(IDL.encode([IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Null), specified_id: IDL.Opt(IDL.Principal) })], [{ amount: [], settings: [], specified_id: [] }]));
      const submission = await ic.submitIngress(LegacyPrincipal.fromText('aaaaa-aa'), 'provisional_create_canister_with_cycles', args, { subnet: 'fiduciary' });
      if (!submission.accepted) throw new Error('not accepted');
      await ic.runUntilIdle();
      const status = ic.ingressStatus(submission.messageId);
      if (status?.status !== 'completed' || status.result.kind !== 'replied') throw new Error('no reply');
      const [{ canister_id: created }] = IDL.decode([IDL.Record({ canister_id: IDL.Principal })], status.result.reply) as unknown as [{ canister_id: LegacyPrincipal }];
      expect(ic.subnetOf(created)).toBe('fiduciary');
      expect(created.toText()).toBe(text(generatedRange(1).first));
    } finally {
      ic.close();
    }
  });
});

describe('a network of five subnets', () => {
  let network: LocalNetwork;
  const onSubnet = new Map<SubnetKind, LegacyPrincipal>();

  beforeAll(async () => {
    network = await startLocalNetwork({ port: 0 });
    for (const kind of SUBNET_KINDS) {
      const id = await network.ic.createCanister({ subnet: kind });
      await network.ic.installCode(id, watToWasm(SUBNET_SELF_WAT));
      onSubnet.set(kind, id);
    }
  });

  afterAll(async () => {
    await network?.close();
  });

  const canister = (kind: SubnetKind): LegacyPrincipal => onSubnet.get(kind) as LegacyPrincipal;
  const subnetId = (kind: SubnetKind): LegacyPrincipal => network.ic.subnets().find((subnet) => subnet.kind === kind)?.id as LegacyPrincipal;

  it("creates canisters from each subnet's allocation range; a user's land on the application subnet", async () => {
    for (const kind of SUBNET_KINDS) {
      expect(canister(kind).toText()).toBe(text(layoutOf(kind).allocationRange.first));
      expect(network.ic.subnetOf(canister(kind))).toBe(kind);
    }
    const unplaced = await network.ic.createCanister();
    expect(network.ic.subnetOf(unplaced)).toBe('application');
    const specified = await network.ic.createCanister({ canisterId: LegacyPrincipal.fromText('mf7xa-laaaa-aaaar-qaaaa-cai') });
    expect(network.ic.subnetOf(specified)).toBe('fiduciary');
    await expect(network.ic.createCanister({ canisterId: LegacyPrincipal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai') })).rejects.toThrow(
      ManagementRejectedError
    );
  });

  it('tells each canister its own subnet through ic0.subnet_self, the id its certificates are signed under', async () => {
    const ids = new Set<string>();
    for (const kind of SUBNET_KINDS) {
      const result = await network.ic.queryCall(canister(kind), 'subnet_self');
      if (result.kind !== 'replied') throw new Error(result.message);
      expect(LegacyPrincipal.fromUint8Array(result.reply).toText()).toBe(subnetId(kind).toText());
      ids.add(subnetId(kind).toText());
    }
    expect(ids.size).toBe(5);
  });

  it('publishes the root (NNS) subnet key as the root key', async () => {
    const agent = await HttpAgent.create({ host: network.url, shouldFetchRootKey: true });
    const root = Principal.selfAuthenticating(agent.rootKey as Uint8Array);
    expect(root.toText()).toBe(subnetId('nns').toText());
    expect(root.toText()).not.toBe(subnetId('application').toText());
  });

  it('@icp-sdk/core (v3 read_state) verifies a delegated certificate and refuses it for a canister outside the delegated ranges', async () => {
    const agent = await HttpAgent.create({ host: network.url, shouldFetchRootKey: true });
    const id = Principal.fromText(canister('application').toText());
    const path = [label('canister'), id.toUint8Array(), label('controllers')];
    const { certificate } = await agent.readState({ canisterId: id }, { paths: [path] });
    const verified = await Certificate.create({ certificate, rootKey: agent.rootKey as Uint8Array, principal: { canisterId: id } });
    expect(verified.lookup_path(path).status).toBe(LookupPathStatus.Found);

    const delegation = verified.cert.delegation;
    expect(Principal.fromUint8Array(delegation?.subnet_id as Uint8Array).toText()).toBe(subnetId('application').toText());
    const delegationTree = treeOf(delegation?.certificate as Uint8Array);
    const sid = subnetId('application').toUint8Array();
    expect(lookup_subtree(['canister_ranges', sid], delegationTree).status).toBe(LookupSubtreeStatus.Found);
    expect(lookup_path(['subnet', sid, 'canister_ranges'], delegationTree).status).not.toBe(LookupPathStatus.Found);

    const elsewhere = Principal.fromText(canister('fiduciary').toText());
    await expect(Certificate.create({ certificate, rootKey: agent.rootKey as Uint8Array, principal: { canisterId: elsewhere } })).rejects.toThrow(
      /The certificate contains a delegation that does not include/
    );
  });

  it('@dfinity/agent 3.4.3 (v2 read_state) finds the legacy ranges in the delegation, and refuses a canister outside them', async () => {
    const agent = await LegacyAgent.create({ host: network.url, shouldFetchRootKey: true });
    const id = canister('test-threshold-keys');
    const path = [label('canister'), id.toUint8Array(), label('module_hash')];
    const { certificate } = await agent.readState(id, { paths: [path] });
    const verified = await LegacyCertificate.create({ certificate, rootKey: agent.rootKey as Uint8Array, canisterId: id });
    expect(legacyLookup(verified.lookup_path(path))).toBeInstanceOf(Uint8Array);
    const delegationTree = treeOf(verified.cert.delegation?.certificate as Uint8Array);
    const sid = subnetId('test-threshold-keys').toUint8Array();
    expect(lookup_path(['subnet', sid, 'canister_ranges'], delegationTree).status).toBe(LookupPathStatus.Found);
    expect(lookup_subtree(['canister_ranges', sid], delegationTree).status).not.toBe(LookupSubtreeStatus.Found);
    await expect(LegacyCertificate.create({ certificate, rootKey: agent.rootKey as Uint8Array, canisterId: canister('ii') })).rejects.toThrow();
  });

  it('signs certificates of root-subnet canisters with the root key itself, without a delegation', async () => {
    const agent = await HttpAgent.create({ host: network.url, shouldFetchRootKey: true });
    const id = Principal.fromText(canister('nns').toText());
    const path = [label('canister'), id.toUint8Array(), label('controllers')];
    const { certificate } = await agent.readState({ canisterId: id }, { paths: [path] });
    const verified = await Certificate.create({ certificate, rootKey: agent.rootKey as Uint8Array, principal: { canisterId: id } });
    expect(verified.cert.delegation).toBeUndefined();
  });

  it('answers signed queries from the node of the canister subnet, which both agents verify', async () => {
    for (const kind of ['application', 'ii'] as const) {
      const id = Principal.fromText(canister(kind).toText());
      const agent = await HttpAgent.create({ host: network.url, shouldFetchRootKey: true, verifyQuerySignatures: true });
      const reply = await agent.query(id, { methodName: 'subnet_self', arg: new Uint8Array() });
      expect(reply.status).toBe('replied');
      const legacy = await LegacyAgent.create({ host: network.url, shouldFetchRootKey: true, verifyQuerySignatures: true });
      const legacyReply = await legacy.query(canister(kind), { methodName: 'subnet_self', arg: new Uint8Array() });
      expect(legacyReply.status).toBe('replied');
    }
  });

  it('serves read_state for every subnet, signed by that subnet', async () => {
    const agent = await HttpAgent.create({ host: network.url, shouldFetchRootKey: true });
    for (const kind of SUBNET_KINDS) {
      const id = Principal.fromText(subnetId(kind).toText());
      const path = [label('subnet'), id.toUint8Array(), label('public_key')];
      const { certificate } = await agent.readSubnetState(id, { paths: [path] });
      const verified = await Certificate.create({ certificate, rootKey: agent.rootKey as Uint8Array, principal: { subnetId: id } });
      const key = verified.lookup_path(path);
      if (key.status !== LookupPathStatus.Found) throw new Error(`no public key for ${kind}`);
      expect(Principal.selfAuthenticating(key.value as Uint8Array).toText()).toBe(id.toText());
      expect(verified.cert.delegation === undefined).toBe(kind === 'nns');
    }
  });
});

/** The tree of a CBOR certificate, decoded by @dfinity/agent (an implementation other than ours). */
function treeOf(certificate: Uint8Array): never {
  return (Cbor.decode(certificate) as { tree: never }).tree;
}
