// Which canister ranges the root subnet's delegation reveals on each endpoint, as the replica does it: on the
// current canister endpoints the one /canister_ranges/<subnet_id>/<shard> leaf that may hold the effective
// canister id, on the deprecated ones only the legacy /subnet/<id>/canister_ranges, on the current subnet
// endpoints none. An application subnet of 20 ranges (three shards) makes the shard choice observable.
import {
  AnonymousIdentity,
  Cbor,
  Certificate as LegacyCertificate,
  HttpAgent as LegacyAgent,
  lookupResultToBuffer
} from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { Certificate, HttpAgent } from 'icp-sdk-core-v6/agent';
import { Principal as CorePrincipal } from 'icp-sdk-core-v6/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNetworkSecret, IcHttpInterface, startReplicaServer, type RunningReplicaServer } from '../../packages/local-ic/src/http_interface';
import { canisterIdFromIndex, canisterIndexOf } from '../../packages/local-ic/src/shared/ids';
import { subnetLayout, type IndexRange, type SubnetLayout } from '../../packages/local-ic/src/topology/layout';
import { envelope, expiry } from './support/signed_envelope';
import { COUNTER, CounterBackend } from './support/counter_backend';

const counterIndex = canisterIndexOf(COUNTER) as bigint;
// 20 ranges of 11 ids, 1000 apart; COUNTER opens the 11th, so it lies in the second shard of eight ranges,
// whose label is the first id of the 9th range.
const applicationRanges: IndexRange[] = Array.from({ length: 20 }, (_, i) => {
  const first = counterIndex - 10_000n + 1000n * BigInt(i);
  return { first, last: first + 10n };
});
const [nns, application] = subnetLayout(['nns', 'application']) as [SubnetLayout, SubnetLayout];
const layouts: SubnetLayout[] = [nns, { ...application, ranges: applicationRanges, allocationRange: applicationRanges[10] as IndexRange }];

const backend = new CounterBackend();
const api = new IcHttpInterface({ backend, networkSecret: generateNetworkSecret(), subnets: layouts, syncCallTimeoutMs: 2_000 });
const applicationSubnet = api.subnetDescriptions.find((subnet) => subnet.kind === 'application')?.subnetId as Principal;
const sid = bytesToHex(applicationSubnet.toUint8Array());
const COUNTER_SHARD = bytesToHex(canisterIdFromIndex(counterIndex - 2000n).toUint8Array());
const label = (text: string): Uint8Array => new TextEncoder().encode(text);
let server: RunningReplicaServer;

beforeAll(async () => {
  server = await startReplicaServer({ api, port: 0 });
});

afterAll(async () => {
  await server.close();
});

/** The labels of every leaf a CBOR certificate reveals (decoded by @dfinity/agent), text labels as text, others in hex. */
function revealedLeaves(certificate: Uint8Array): string[] {
  type Tree = [number, ...unknown[]];
  const show = (bytes: Uint8Array): string => (/^[a-z_]+$/.test(new TextDecoder().decode(bytes)) ? new TextDecoder().decode(bytes) : bytesToHex(bytes));
  const walk = (tree: Tree, prefix: string[]): string[] => {
    switch (tree[0]) {
      case 1:
        return [...walk(tree[1] as Tree, prefix), ...walk(tree[2] as Tree, prefix)];
      case 2:
        return walk(tree[2] as Tree, [...prefix, show(tree[1] as Uint8Array)]);
      case 3:
        return [prefix.join('/')];
      default:
        return [];
    }
  };
  return walk((Cbor.decode(certificate) as { tree: Tree }).tree, []).sort();
}

function delegationLeaves(certificate: Uint8Array): string[] {
  const { delegation } = Cbor.decode<{ delegation?: { subnet_id: Uint8Array; certificate: Uint8Array } }>(certificate);
  if (delegation === undefined) throw new Error('the certificate has no delegation');
  expect(Principal.fromUint8Array(delegation.subnet_id).toText()).toBe(applicationSubnet.toText());
  return revealedLeaves(delegation.certificate);
}

const SHARD = [`canister_ranges/${sid}/${COUNTER_SHARD}`, `subnet/${sid}/public_key`, 'time'];
const LEGACY = [`subnet/${sid}/canister_ranges`, `subnet/${sid}/public_key`, 'time'];
const NONE = [`subnet/${sid}/public_key`, 'time'];


async function readStateBody(): Promise<Uint8Array<ArrayBuffer>> {
  return envelope(new AnonymousIdentity(), { request_type: 'read_state', paths: [[label('time')]], sender: Principal.anonymous(), ingress_expiry: expiry() });
}

async function callBody(methodName: string, canisterId = COUNTER): Promise<Uint8Array<ArrayBuffer>> {
  const identity = Ed25519KeyIdentity.generate();
  const content = {
    request_type: 'call',
    canister_id: canisterId,
    method_name: methodName,
    arg: IDL.encode([], []),
    sender: identity.getPrincipal(),
    ingress_expiry: expiry(),
    nonce: randomBytes(16)
  };
  return envelope(identity, content);
}

function certificateOf(reply: { body: Uint8Array | string }): Uint8Array {
  return Cbor.decode<{ certificate: Uint8Array }>(reply.body as Uint8Array).certificate;
}

describe('the canister ranges in a delegation', () => {
  it('v3 canister read_state and v4 call: exactly the shard that may hold the effective canister id', async () => {
    expect(delegationLeaves(certificateOf(api.readCanisterState('current', COUNTER, await readStateBody())))).toEqual(SHARD);
    expect(delegationLeaves(certificateOf(await api.call('v4', COUNTER, await callBody('increment'))))).toEqual(SHARD);
  });

  it('deprecated endpoints (v2 read_state, v3 call): exactly the legacy flat leaf', async () => {
    expect(delegationLeaves(certificateOf(api.readCanisterState('deprecated', COUNTER, await readStateBody())))).toEqual(LEGACY);
    expect(delegationLeaves(certificateOf(api.readSubnetState('deprecated', applicationSubnet, await readStateBody())))).toEqual(LEGACY);
    expect(delegationLeaves(certificateOf(await api.call('v3', COUNTER, await callBody('increment'))))).toEqual(LEGACY);
  });

  it('v3 subnet read_state and v4 subnet call: no ranges at all', async () => {
    expect(delegationLeaves(certificateOf(api.readSubnetState('current', applicationSubnet, await readStateBody())))).toEqual(NONE);
    expect(delegationLeaves(certificateOf(await api.subnetCall(applicationSubnet, await callBody('increment'))))).toEqual(NONE);
  });

  it("a query's data certificate: the shard on v3, the legacy leaf on v2", async () => {
    const dataCertificate = async (generation: 'current' | 'deprecated'): Promise<Uint8Array> => {
      const identity = Ed25519KeyIdentity.generate();
      const body = await envelope(identity, {
        request_type: 'query',
        canister_id: COUNTER,
        method_name: 'data_certificate',
        arg: IDL.encode([], []),
        sender: identity.getPrincipal(),
        ingress_expiry: expiry()
      });
      const reply = Cbor.decode<{ status: string; reply: { arg: Uint8Array } }>((await api.query(COUNTER, body, generation)).body as Uint8Array);
      expect(reply.status).toBe('replied');
      return new Uint8Array(IDL.decode([IDL.Vec(IDL.Nat8)], reply.reply.arg)[0] as unknown as Uint8Array);
    };
    expect(delegationLeaves(await dataCertificate('current'))).toEqual(SHARD);
    expect(delegationLeaves(await dataCertificate('deprecated'))).toEqual(LEGACY);
  });

  it('picks the shard by the largest label not above the id: the first id of a shard, its last range, and the first shard', async () => {
    const shardsOf = async (id: Principal): Promise<string[]> =>
      delegationLeaves(certificateOf(api.readCanisterState('current', id, await readStateBody()))).filter((leaf) =>
        leaf.startsWith('canister_ranges/')
      );
    const at = (index: bigint): string => `canister_ranges/${sid}/${bytesToHex(canisterIdFromIndex(index).toUint8Array())}`;
    expect(await shardsOf(canisterIdFromIndex(counterIndex - 2000n))).toEqual([at(counterIndex - 2000n)]);
    expect(await shardsOf(canisterIdFromIndex(counterIndex + 5000n + 10n))).toEqual([at(counterIndex - 2000n)]);
    expect(await shardsOf(canisterIdFromIndex(counterIndex + 6000n))).toEqual([at(counterIndex + 6000n)]);
    expect(await shardsOf(canisterIdFromIndex(counterIndex - 10_000n + 3n))).toEqual([at(counterIndex - 10_000n)]);
  });

  it('for the management canister, below every shard, sends the unfiltered delegation as the replica does: both forms', async () => {
    const leaves = delegationLeaves(certificateOf(api.readCanisterState('current', Principal.managementCanister(), await readStateBody())));
    const shards = [counterIndex - 10_000n, counterIndex - 2000n, counterIndex + 6000n].map(
      (index) => `canister_ranges/${sid}/${bytesToHex(canisterIdFromIndex(index).toUint8Array())}`
    );
    expect(leaves).toEqual([...shards, ...LEGACY].sort());
  });

  it('@icp-sdk/core 6 verifies a v3 read_state certificate with the one shard, and refuses it for an id in another shard', async () => {
    const agent = await HttpAgent.create({ host: server.url, shouldFetchRootKey: true });
    const canisterId = CorePrincipal.fromText(COUNTER.toText());
    const path = [label('canister'), COUNTER.toUint8Array(), label('controllers')];
    const { certificate } = await agent.readState({ canisterId }, { paths: [path] });
    const rootKey = agent.rootKey as Uint8Array;
    const verified = await Certificate.create({ certificate, rootKey, principal: { canisterId } });
    expect(verified.lookup_path(path).status).toBe('Found');
    const elsewhere = CorePrincipal.fromUint8Array(canisterIdFromIndex(counterIndex - 10_000n).toUint8Array());
    await expect(Certificate.create({ certificate, rootKey, principal: { canisterId: elsewhere } })).rejects.toThrow(
      /The certificate contains a delegation that does not include/
    );
  });

  it('@icp-sdk/core 6 makes a v4 call and verifies its certificate', async () => {
    const agent = await HttpAgent.create({ host: server.url, shouldFetchRootKey: true, identity: Ed25519KeyIdentity.generate() as never });
    const before = backend.count;
    const result = await agent.call(CorePrincipal.fromText(COUNTER.toText()), { methodName: 'increment', arg: IDL.encode([], []) });
    expect(result.response.status).toBe(200);
    expect(backend.count).toBe(before + 1n);
  });

  it('@dfinity/agent 3.4.3 verifies a v2 read_state certificate with the legacy leaf', async () => {
    const agent = await LegacyAgent.create({ host: server.url, shouldFetchRootKey: true });
    const path = [label('canister'), COUNTER.toUint8Array(), label('controllers')];
    const { certificate } = await agent.readState(COUNTER, { paths: [path] });
    const verified = await LegacyCertificate.create({ certificate, rootKey: agent.rootKey as Uint8Array, canisterId: COUNTER });
    expect(lookupResultToBuffer(verified.lookup_path(path))).toBeInstanceOf(Uint8Array);
  });
});
