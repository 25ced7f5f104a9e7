// The endpoints of interface spec 0.50.0 / 0.60.0 with hand-built envelopes: reply shapes, status
// codes and which routing-table paths each generation of endpoints may read.
import {
  AnonymousIdentity,
  Cbor,
  Certificate,
  lookupResultToBuffer,
  requestIdOf
} from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { randomBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Certificate as CoreCertificate, check_canister_ranges, lookupResultToBuffer as coreLookupResultToBuffer } from 'icp-sdk-core-v6/agent';
import { Principal as CorePrincipal } from 'icp-sdk-core-v6/principal';
import { canisterIdFromIndex } from '../../packages/local-ic/src/shared/ids';
import { generateNetworkSecret, IcHttpInterface, startReplicaServer, type RunningReplicaServer } from '../../packages/local-ic/src/http_interface';
import { envelope, expiry } from './support/signed_envelope';
import { COUNTER, CounterBackend, OTHER_CANISTER } from './support/counter_backend';

const backend = new CounterBackend();
// Only COUNTER is hosted: the subnet's range is that one canister id.
const api = new IcHttpInterface({
  backend,
  networkSecret: generateNetworkSecret(),
  canisterRanges: [[COUNTER, COUNTER]],
  syncCallTimeoutMs: 200
});
const subnetId = api.keys.subnetId;
const OTHER_SUBNET = Principal.selfAuthenticating(new Uint8Array(32).fill(7));
const label = (text: string): Uint8Array => new TextEncoder().encode(text);
let server: RunningReplicaServer;

beforeAll(async () => {
  server = await startReplicaServer({ api, port: 0 });
});

afterAll(async () => {
  await server.close();
});


function callContent(sender: Principal, methodName: string, canisterId = COUNTER): Record<string, unknown> {
  return {
    request_type: 'call',
    canister_id: canisterId,
    method_name: methodName,
    arg: IDL.encode([], []),
    sender,
    ingress_expiry: expiry(),
    nonce: randomBytes(16)
  };
}

async function post(path: string, body: Uint8Array<ArrayBuffer>): Promise<{ status: number; contentType: string | null; body: Uint8Array }> {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body });
  return { status: response.status, contentType: response.headers.get('content-type'), body: new Uint8Array(await response.arrayBuffer()) };
}

async function readState(path: string, paths: Uint8Array[][]): Promise<number> {
  const body = await envelope(new AnonymousIdentity(), {
    request_type: 'read_state',
    paths,
    sender: Principal.anonymous(),
    ingress_expiry: expiry()
  });
  return (await post(path, body)).status;
}

describe('POST /api/v4/canister/<ecid>/call', () => {
  it('answers 200 with status "replied" and a certificate holding the reply', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const content = callContent(identity.getPrincipal(), 'increment');
    const reply = await post(`/api/v4/canister/${COUNTER.toText()}/call`, await envelope(identity, content));
    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe('application/cbor');
    const body = Cbor.decode<{ status: string; certificate: Uint8Array }>(reply.body);
    expect(body.status).toBe('replied');
    const certificate = await Certificate.create({ certificate: body.certificate, rootKey: api.rootKeyDer, canisterId: COUNTER });
    const requestId = requestIdOf(content);
    expect(new TextDecoder().decode(lookupResultToBuffer(certificate.lookup_path(['request_status', requestId, 'status'])))).toBe('replied');
    const answer = lookupResultToBuffer(certificate.lookup_path(['request_status', requestId, 'reply']));
    expect(IDL.decode([IDL.Nat], answer ?? new Uint8Array())[0]).toBe(backend.count);
  });

  it('answers 200 "non_replicated_rejection" with reject and error codes for a refused call; v2 gives the same fields without status', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const v4 = await post(`/api/v4/canister/${COUNTER.toText()}/call`, await envelope(identity, callContent(identity.getPrincipal(), 'refused')));
    expect(v4.status).toBe(200);
    expect(Cbor.decode(v4.body)).toEqual({
      status: 'non_replicated_rejection',
      reject_code: 4,
      reject_message: `Canister ${COUNTER.toText()} rejected the message`,
      error_code: 'IC0406'
    });
    const v2 = await post(`/api/v2/canister/${COUNTER.toText()}/call`, await envelope(identity, callContent(identity.getPrincipal(), 'refused')));
    expect(v2.status).toBe(200);
    expect(Cbor.decode(v2.body)).toEqual({
      reject_code: 4,
      reject_message: `Canister ${COUNTER.toText()} rejected the message`,
      error_code: 'IC0406'
    });
  });

  it('answers 202 when the call does not finish in time, and the status is readable afterwards', async () => {
    let release = (): void => undefined;
    backend.slowGate = new Promise((resolve) => (release = resolve));
    const identity = Ed25519KeyIdentity.generate();
    const content = callContent(identity.getPrincipal(), 'slow');
    const reply = await post(`/api/v4/canister/${COUNTER.toText()}/call`, await envelope(identity, content));
    expect(reply.status).toBe(202);
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const statusPath = [label('request_status'), new Uint8Array(requestIdOf(content))];
    const body = await envelope(identity, { request_type: 'read_state', paths: [statusPath], sender: identity.getPrincipal(), ingress_expiry: expiry() });
    const read = await post(`/api/v3/canister/${COUNTER.toText()}/read_state`, body);
    expect(read.status).toBe(200);
    const { certificate } = Cbor.decode<{ certificate: Uint8Array }>(read.body);
    const verified = await Certificate.create({ certificate, rootKey: api.rootKeyDer, canisterId: COUNTER });
    expect(new TextDecoder().decode(lookupResultToBuffer(verified.lookup_path([...statusPath, label('status')])))).toBe('replied');
  });
});

describe('routing-table paths in read_state', () => {
  const sharded = [label('canister_ranges'), subnetId.toUint8Array()];
  const legacyOf = (subnet: Principal) => [label('subnet'), subnet.toUint8Array(), label('canister_ranges')];

  it('serves /canister_ranges/<subnet_id> only on the current (v3) endpoints', async () => {
    expect(await readState(`/api/v3/canister/${COUNTER.toText()}/read_state`, [sharded])).toBe(200);
    expect(await readState(`/api/v3/subnet/${subnetId.toText()}/read_state`, [sharded])).toBe(200);
    expect(await readState(`/api/v2/canister/${COUNTER.toText()}/read_state`, [sharded])).toBe(404);
    expect(await readState(`/api/v2/subnet/${subnetId.toText()}/read_state`, [sharded])).toBe(404);
  });

  it('serves /subnet/<id>/canister_ranges on the deprecated endpoints, and on the current ones only for the root subnet', async () => {
    expect(await readState(`/api/v2/canister/${COUNTER.toText()}/read_state`, [legacyOf(subnetId)])).toBe(200);
    expect(await readState(`/api/v2/canister/${COUNTER.toText()}/read_state`, [legacyOf(OTHER_SUBNET)])).toBe(200);
    expect(await readState(`/api/v3/canister/${COUNTER.toText()}/read_state`, [legacyOf(subnetId)])).toBe(200);
    expect(await readState(`/api/v3/canister/${COUNTER.toText()}/read_state`, [legacyOf(OTHER_SUBNET)])).toBe(404);
  });

  it('certifies the shard under the first canister id of its ranges, as the same ranges as the legacy leaf', async () => {
    const body = await envelope(new AnonymousIdentity(), {
      request_type: 'read_state',
      paths: [sharded, legacyOf(subnetId)],
      sender: Principal.anonymous(),
      ingress_expiry: expiry()
    });
    const reply = await post(`/api/v3/subnet/${subnetId.toText()}/read_state`, body);
    const { certificate } = Cbor.decode<{ certificate: Uint8Array }>(reply.body);
    const verified = await Certificate.create({ certificate, rootKey: api.rootKeyDer, canisterId: COUNTER });
    const shard = lookupResultToBuffer(verified.lookup_path([...sharded, COUNTER.toUint8Array()]));
    const legacy = lookupResultToBuffer(verified.lookup_path(legacyOf(subnetId)));
    expect(shard).toBeDefined();
    expect(Cbor.decode(shard ?? new Uint8Array())).toEqual([[COUNTER.toUint8Array(), COUNTER.toUint8Array()]]);
    expect(shard).toEqual(legacy);
  });
});

describe('subnet-scoped call and query (spec 0.60.0)', () => {
  it('runs a call and a query for a canister of the subnet', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const call = await post(`/api/v4/subnet/${subnetId.toText()}/call`, await envelope(identity, callContent(identity.getPrincipal(), 'increment')));
    expect(call.status).toBe(200);
    expect(Cbor.decode<{ status: string }>(call.body).status).toBe('replied');
    const query = await post(
      `/api/v3/subnet/${subnetId.toText()}/query`,
      await envelope(identity, { ...callContent(identity.getPrincipal(), 'read'), request_type: 'query' })
    );
    expect(query.status).toBe(200);
    const answer = Cbor.decode<{ status: string; reply: { arg: Uint8Array } }>(query.body);
    expect(answer.status).toBe('replied');
    expect(IDL.decode([IDL.Nat], answer.reply.arg)[0]).toBe(backend.count);
  });

  it('refuses another subnet and a canister outside the subnet ranges with 400, running nothing', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const before = { inspections: backend.inspections, updates: backend.updates };
    const elsewhere = await post(`/api/v4/subnet/${OTHER_SUBNET.toText()}/call`, await envelope(identity, callContent(identity.getPrincipal(), 'increment')));
    expect(elsewhere.status).toBe(400);
    expect(new TextDecoder().decode(elsewhere.body)).toMatch(/is not part of this network/);
    const outside = await post(
      `/api/v4/subnet/${subnetId.toText()}/call`,
      await envelope(identity, callContent(identity.getPrincipal(), 'increment', OTHER_CANISTER))
    );
    expect(outside.status).toBe(400);
    expect(new TextDecoder().decode(outside.body)).toMatch(/is not hosted by subnet/);
    expect({ inspections: backend.inspections, updates: backend.updates }).toEqual(before);
  });
});

describe('a routing table of several shards', () => {
  // Ten ranges [100·i, 100·i + 10]: more than one shard holds.
  const ranges = Array.from({ length: 10 }, (_, i) => [canisterIdFromIndex(BigInt(100 * i)), canisterIdFromIndex(BigInt(100 * i + 10))] as const);
  const sharded = new IcHttpInterface({ backend, networkSecret: generateNetworkSecret(), canisterRanges: ranges });
  const subnetId = CorePrincipal.fromUint8Array(sharded.keys.subnetId.toUint8Array());
  const bytesOf = (index: number): Uint8Array => canisterIdFromIndex(BigInt(index)).toUint8Array();

  async function certifiedPaths(paths: Uint8Array[][]): Promise<CoreCertificate> {
    const body = await envelope(new AnonymousIdentity(), { request_type: 'read_state', paths, sender: Principal.anonymous(), ingress_expiry: expiry() });
    const reply = sharded.readSubnetState('current', sharded.keys.subnetId, body);
    const { certificate } = Cbor.decode<{ certificate: Uint8Array }>(reply.body as Uint8Array);
    return CoreCertificate.create({ certificate, rootKey: sharded.rootKeyDer, principal: { subnetId } });
  }

  it('splits the sorted ranges into consecutive shards keyed by their first canister id, together the legacy list', async () => {
    const shardsPath = [label('canister_ranges'), subnetId.toUint8Array()];
    const legacyPath = [label('subnet'), subnetId.toUint8Array(), label('canister_ranges')];
    const certificate = await certifiedPaths([shardsPath, legacyPath]);
    const shardOf = (first: number) => coreLookupResultToBuffer(certificate.lookup_path([...shardsPath, bytesOf(first)]));
    const first = Cbor.decode<Uint8Array[][]>(shardOf(0) ?? new Uint8Array());
    const second = Cbor.decode<Uint8Array[][]>(shardOf(800) ?? new Uint8Array());
    expect(first.map(([low]) => low)).toEqual([0, 100, 200, 300, 400, 500, 600, 700].map(bytesOf));
    expect(second.map(([low, high]) => [low, high])).toEqual([[bytesOf(800), bytesOf(810)], [bytesOf(900), bytesOf(910)]]);
    const legacy = Cbor.decode<Uint8Array[][]>(coreLookupResultToBuffer(certificate.lookup_path(legacyPath)) ?? new Uint8Array());
    expect([...first, ...second]).toEqual(legacy);
  });

  it('gives @icp-sdk/core 6 the shard it needs: its range check passes inside the ranges and fails in the gaps', async () => {
    // As in a delegation, the witness reveals the one shard that covers the canister.
    const certificate = await certifiedPaths([[label('canister_ranges'), subnetId.toUint8Array(), bytesOf(800)]]);
    const inRanges = (index: number) =>
      check_canister_ranges({ canisterId: CorePrincipal.fromUint8Array(bytesOf(index)), subnetId, tree: certificate.cert.tree });
    expect([800, 805, 900, 910].map(inRanges)).toEqual([true, true, true, true]);
    expect([811, 850, 911].map(inRanges)).toEqual([false, false, false]);
  });
});
