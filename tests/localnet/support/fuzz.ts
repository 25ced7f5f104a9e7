// Shared by the fuzz tests (a bounded number of cases in `npm test`) and bench/fuzz.ts (many more):
// valid signed envelopes made by agent-js, mutations of them, CBOR-shaped noise, and a local IC
// HTTP interface whose backend records everything that reaches execution.
import { AnonymousIdentity, Cbor, Endpoint, Expiry, SignIdentity, type CallRequest } from '@dfinity/agent';
import { DelegationChain, DelegationIdentity, Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import fc from 'fast-check';

import { generateNetworkSecret, IcHttpInterface, routeRequest, type HttpReply, type ReplicaBackend } from '../../../packages/local-ic/src/http_interface';

export const FUZZ_CANISTER = Principal.fromText('auamu-4x777-77775-aaaaa-cai');
type Endpoint3 = 'call' | 'query' | 'read_state';

export interface SeedEnvelope {
  readonly endpoint: Endpoint3;
  readonly body: Uint8Array;
}

/** What reached execution: only what a valid signature (or the anonymous sender) vouches for may be here. */
export interface Executed {
  readonly caller: string;
  readonly methodName: string;
  readonly arg: string;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function expiryIn(minutes: number): Expiry {
  const nanos = (BigInt(Date.now()) + BigInt(minutes) * 60_000n) * 1_000_000n;
  return Expiry.fromJSON(JSON.stringify({ __expiry__: nanos.toString() }));
}

async function signed(identity: SignIdentity | AnonymousIdentity, content: Record<string, unknown>): Promise<Uint8Array> {
  const transformed = (await identity.transformRequest({ request: {}, endpoint: Endpoint.Call, body: content as unknown as CallRequest })) as {
    body: object;
  };
  return new Uint8Array(Cbor.encode(transformed.body));
}

function canisterCall(requestType: 'call' | 'query', sender: Principal, method: string): Record<string, unknown> {
  return {
    request_type: requestType,
    canister_id: FUZZ_CANISTER,
    method_name: method,
    arg: new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0, 1, 0x71, 3, 0x61, 0x62, 0x63]),
    sender,
    ingress_expiry: expiryIn(4),
    nonce: crypto.getRandomValues(new Uint8Array(16))
  };
}

/** Envelopes as agent-js signs them: Ed25519, a delegation chain with targets, anonymous; call, query and read_state. */
export async function seedEnvelopes(): Promise<SeedEnvelope[]> {
  const user = Ed25519KeyIdentity.generate();
  const root = Ed25519KeyIdentity.generate();
  const session = Ed25519KeyIdentity.generate();
  const chain = await DelegationChain.create(root, session.getPublicKey(), new Date(Date.now() + 600_000), { targets: [FUZZ_CANISTER] });
  const delegated = DelegationIdentity.fromDelegation(session, chain);
  const anonymous = new AnonymousIdentity();
  const readState = (sender: Principal) => ({
    request_type: 'read_state',
    paths: [[new TextEncoder().encode('time')], [new TextEncoder().encode('canister'), FUZZ_CANISTER.toUint8Array(), new TextEncoder().encode('module_hash')]],
    sender,
    ingress_expiry: expiryIn(4)
  });
  return [
    { endpoint: 'call', body: await signed(user, canisterCall('call', user.getPrincipal(), 'issue')) },
    { endpoint: 'call', body: await signed(delegated, canisterCall('call', delegated.getPrincipal(), 'issue')) },
    { endpoint: 'call', body: await signed(anonymous, canisterCall('call', Principal.anonymous(), 'issue')) },
    { endpoint: 'query', body: await signed(user, canisterCall('query', user.getPrincipal(), 'read')) },
    { endpoint: 'query', body: await signed(delegated, canisterCall('query', delegated.getPrincipal(), 'read')) },
    { endpoint: 'read_state', body: await signed(user, readState(user.getPrincipal())) },
    { endpoint: 'read_state', body: await signed(delegated, readState(delegated.getPrincipal())) }
  ];
}

/** The local IC's HTTP interface over a backend that records what would execute. */
export function recordingInterface(): { api: IcHttpInterface; executed: Executed[] } {
  const executed: Executed[] = [];
  const record = (call: { caller: Principal; methodName: string; arg: Uint8Array }) =>
    executed.push({ caller: call.caller.toText(), methodName: call.methodName, arg: hex(call.arg) });
  const backend: ReplicaBackend = {
    nowNanos: () => BigInt(Date.now()) * 1_000_000n,
    inspectIngress: () => Promise.resolve(undefined),
    update: (call) => {
      record(call);
      return Promise.resolve({ kind: 'replied', reply: new Uint8Array([1]) });
    },
    query: (call) => {
      record(call);
      return Promise.resolve({ kind: 'replied', reply: new Uint8Array([1]) });
    },
    certifiedCanisters: () => [{ id: FUZZ_CANISTER, certifiedData: new Uint8Array(), moduleHash: undefined, controllers: [] }]
  };
  return { api: new IcHttpInterface({ backend, networkSecret: generateNetworkSecret(), syncCallTimeoutMs: 0 }), executed };
}

/** What the seeds themselves may execute (their signatures are valid). */
export function signedExecutions(executedBySeeds: readonly Executed[]): Set<string> {
  return new Set(executedBySeeds.map((entry) => JSON.stringify(entry)));
}

type Mutation = (bytes: Uint8Array) => Uint8Array;

const position = fc.nat();
const byte = fc.integer({ min: 0, max: 255 });
/** Initial bytes of CBOR heads with long arguments: huge lengths, deep nesting, bignum tags, break codes. */
const cborHead = fc.constantFrom(0x1b, 0x3b, 0x5b, 0x7b, 0x9b, 0xbb, 0xdb, 0x9f, 0xbf, 0x5f, 0x7f, 0xff, 0xc2, 0xc3, 0xd9, 0x81, 0xa1, 0xf9, 0xfb);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(position, byte).map(([at, value]): Mutation => (bytes) => replaceAt(bytes, at, [value])),
  fc.tuple(position, fc.integer({ min: 0, max: 7 })).map(([at, bit]): Mutation => (bytes) => flipBit(bytes, at, bit)),
  fc.tuple(position, fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, inserted]): Mutation => (bytes) => insertAt(bytes, at, inserted)),
  fc.tuple(position, cborHead, fc.array(byte, { maxLength: 8 })).map(([at, head, argument]): Mutation => (bytes) => insertAt(bytes, at, Uint8Array.from([head, ...argument]))),
  fc.tuple(position, fc.integer({ min: 1, max: 64 })).map(([at, length]): Mutation => (bytes) => removeAt(bytes, at, length)),
  fc.tuple(position, fc.integer({ min: 1, max: 64 })).map(([at, length]): Mutation => (bytes) => duplicateAt(bytes, at, length)),
  position.map((at): Mutation => (bytes) => bytes.slice(0, bytes.length === 0 ? 0 : at % bytes.length))
);

export const mutations = fc.array(mutation, { minLength: 1, maxLength: 6 });

export function mutate(bytes: Uint8Array, steps: readonly Mutation[]): Uint8Array {
  return steps.reduce((current, step) => step(current), bytes);
}

function replaceAt(bytes: Uint8Array, at: number, values: number[]): Uint8Array {
  if (bytes.length === 0) return Uint8Array.from(values);
  const copy = bytes.slice();
  copy[at % copy.length] = values[0]!;
  return copy;
}

function flipBit(bytes: Uint8Array, at: number, bit: number): Uint8Array {
  if (bytes.length === 0) return bytes;
  const copy = bytes.slice();
  copy[at % copy.length]! ^= 1 << bit;
  return copy;
}

function insertAt(bytes: Uint8Array, at: number, inserted: Uint8Array): Uint8Array {
  const index = at % (bytes.length + 1);
  const out = new Uint8Array(bytes.length + inserted.length);
  out.set(bytes.subarray(0, index));
  out.set(inserted, index);
  out.set(bytes.subarray(index), index + inserted.length);
  return out;
}

function removeAt(bytes: Uint8Array, at: number, length: number): Uint8Array {
  if (bytes.length === 0) return bytes;
  const index = at % bytes.length;
  const out = new Uint8Array(bytes.length - Math.min(length, bytes.length - index));
  out.set(bytes.subarray(0, index));
  out.set(bytes.subarray(index + length), index);
  return out;
}

function duplicateAt(bytes: Uint8Array, at: number, length: number): Uint8Array {
  if (bytes.length === 0) return bytes;
  const index = at % bytes.length;
  return insertAt(bytes, index, bytes.slice(index, index + length));
}

/** CBOR-shaped noise: heads of every major type with every argument width, mixed with raw bytes, up to `maxTokens` tokens. */
export function cborNoise(maxTokens: number): fc.Arbitrary<Uint8Array> {
  const head = fc
    .tuple(fc.integer({ min: 0, max: 7 }), fc.constantFrom(0, 1, 23, 24, 25, 26, 27, 28, 31), fc.array(byte, { minLength: 8, maxLength: 8 }))
    .map(([major, info, argument]) => {
      const width = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
      return Uint8Array.from([(major << 5) | info, ...argument.slice(0, width)]);
    });
  const raw = fc.uint8Array({ maxLength: 12 });
  return fc
    .array(fc.oneof({ weight: 4, arbitrary: head }, { weight: 1, arbitrary: raw }), { maxLength: maxTokens })
    .map((parts) => new Uint8Array(Buffer.concat(parts)));
}

export const ENDPOINT_STATUSES = new Set([200, 202, 400, 403, 404, 413]);

export function postTo(api: IcHttpInterface, endpoint: Endpoint3, body: Uint8Array): Promise<HttpReply> {
  return routeRequest(
    api,
    { method: 'POST', url: `/api/v2/canister/${FUZZ_CANISTER.toText()}/${endpoint}`, contentType: 'application/cbor', body },
    { syncCallEndpoint: true }
  );
}

/** A generous bound on the time of one case: a fixed allowance (a signature check, a GC pause) plus a few ms per KB. */
export function timeBudgetMs(bytes: number, perKbMs: number, floorMs: number): number {
  return floorMs + (perKbMs * bytes) / 1024;
}

/**
 * The fastest of up to three runs, stopping at the first within `budgetMs`: a pause of the
 * machine slows one run, work that grows faster than the input slows all three.
 */
export async function fastestRunMs(run: () => unknown, budgetMs: number): Promise<number> {
  let fastest = Infinity;
  for (let attempt = 0; attempt < 3 && fastest > budgetMs; attempt++) {
    const started = performance.now();
    await run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}
