import {
  Actor,
  AgentError,
  AnonymousIdentity,
  Cbor,
  Certificate,
  CertifiedRejectErrorCode,
  Endpoint,
  Expiry,
  HttpAgent,
  lookupResultToBuffer,
  polling,
  QuerySignatureVerificationFailedErrorCode,
  SignIdentity,
  UncertifiedRejectErrorCode,
  UncertifiedRejectUpdateErrorCode,
  type ActorSubclass,
  type CallRequest,
  type DerEncodedPublicKey,
  type HttpAgentOptions,
  type Identity,
  type PublicKey,
  type Signature
} from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { DelegationChain, DelegationIdentity, ECDSAKeyIdentity, Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateNetworkSecret,
  IcHttpInterface,
  startReplicaServer,
  type RunningReplicaServer
} from '../../packages/local-ic/src/http_interface';
import { encodeUnsignedLeb128 } from '../../packages/local-ic/src/http_interface/leb128';
import { COUNTER, CounterBackend, OTHER_CANISTER } from './support/counter_backend';

/*
 * The protocol against the real agent-js client: a counter "canister"
 * written in plain TypeScript stands in for the engine.
 */


type Counter = ActorSubclass<{
  increment: () => Promise<bigint>;
  read: () => Promise<bigint>;
  whoami: () => Promise<Principal>;
  whoami_query: () => Promise<Principal>;
  data_certificate: () => Promise<Uint8Array>;
  fail: () => Promise<void>;
  fail_query: () => Promise<void>;
  refused: () => Promise<void>;
}>;

const idlFactory: IDL.InterfaceFactory = ({ IDL: idl }) =>
  idl.Service({
    increment: idl.Func([], [idl.Nat], []),
    read: idl.Func([], [idl.Nat], ['query']),
    whoami: idl.Func([], [idl.Principal], []),
    whoami_query: idl.Func([], [idl.Principal], ['query']),
    data_certificate: idl.Func([], [idl.Vec(idl.Nat8)], ['query']),
    fail: idl.Func([], [], []),
    fail_query: idl.Func([], [], ['query']),
    refused: idl.Func([], [], [])
  });

/** agent-js keeps Expiry's constructor private; its JSON form is the public way to state an exact expiry. */
function expiryAt(nanos: bigint): Expiry {
  return Expiry.fromJSON(JSON.stringify({ __expiry__: nanos.toString() }));
}

/** secp256k1 signing the way @dfinity/identity-secp256k1's Secp256k1KeyIdentity does (that package is not installed). */
class Secp256k1TestIdentity extends SignIdentity {
  private readonly secretKey = secp256k1.utils.randomPrivateKey();
  private readonly publicKey: PublicKey;

  constructor() {
    super();
    const der = concatBytes(
      hexToBytes('3056301006072a8648ce3d020106052b8104000a034200'),
      secp256k1.getPublicKey(this.secretKey, false)
    );
    this.publicKey = { toDer: () => der as DerEncodedPublicKey };
  }

  getPublicKey(): PublicKey {
    return this.publicKey;
  }

  sign(blob: Uint8Array): Promise<Signature> {
    return Promise.resolve(secp256k1.sign(sha256(blob), this.secretKey).toCompactRawBytes() as Signature);
  }
}

/** Signs with a real key, then flips one bit of the signature. */
class TamperingIdentity extends SignIdentity {
  constructor(private readonly inner: SignIdentity) {
    super();
  }

  getPublicKey(): PublicKey {
    return this.inner.getPublicKey();
  }

  async sign(blob: Uint8Array): Promise<Signature> {
    const signature = new Uint8Array(await this.inner.sign(blob));
    signature[5] = (signature[5] ?? 0) ^ 0x10;
    return signature as Signature;
  }
}

const backend = new CounterBackend();
const api = new IcHttpInterface({ backend, networkSecret: generateNetworkSecret() });
let server: RunningReplicaServer;
let asyncOnlyServer: RunningReplicaServer;
let requestedUrls: string[] = [];

beforeAll(async () => {
  server = await startReplicaServer({ api, port: 0 });
  asyncOnlyServer = await startReplicaServer({ api, port: 0, syncCallEndpoint: false });
});

afterAll(async () => {
  await server.close();
  await asyncOnlyServer.close();
});

async function agentFor(identity: Identity, options: HttpAgentOptions = {}, host = server.url): Promise<HttpAgent> {
  const recordingFetch: typeof fetch = (input, init) => {
    requestedUrls.push(input instanceof Request ? input.url : String(input));
    return fetch(input, init);
  };
  const agent = HttpAgent.createSync({ host, identity, fetch: recordingFetch, ...options });
  await agent.fetchRootKey();
  return agent;
}

async function counterFor(identity: Identity, options: HttpAgentOptions = {}, host = server.url): Promise<Counter> {
  return Actor.createActor(idlFactory, { agent: await agentFor(identity, options, host), canisterId: COUNTER });
}

function pathsOf(urls: readonly string[]): string[] {
  return urls.map((url) => new URL(url).pathname);
}

async function rejectionOf(promise: Promise<unknown>): Promise<AgentError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AgentError) return error;
    throw error;
  }
  throw new Error('expected the agent to fail');
}

describe('agent-js against the local HTTP interface', () => {
  it('fetches the network root key from /api/v2/status', async () => {
    const agent = await agentFor(new AnonymousIdentity());
    expect(bytesToHex(new Uint8Array(agent.rootKey ?? new Uint8Array()))).toBe(bytesToHex(api.rootKeyDer));
  });

  it('makes a synchronous (v3) update call and a signed query, both verified by the agent', async () => {
    requestedUrls = [];
    const counter = await counterFor(new AnonymousIdentity());
    const before = backend.count;
    await expect(counter.increment()).resolves.toBe(before + 1n);
    await expect(counter.read()).resolves.toBe(before + 1n);
    const paths = pathsOf(requestedUrls);
    expect(paths).toContain(`/api/v3/canister/${COUNTER.toText()}/call`);
    expect(paths).toContain(`/api/v2/canister/${COUNTER.toText()}/query`);
    // The subnet's node keys, read to verify the query's node signature.
    expect(paths).toContain(`/api/v2/canister/${COUNTER.toText()}/read_state`);
    expect(paths.some((path) => path.includes('/api/v2/canister/') && path.endsWith('/call'))).toBe(false);
  });

  it('falls back to the asynchronous (v2) call and read_state polling when v3 is not served', async () => {
    requestedUrls = [];
    const counter = await counterFor(Ed25519KeyIdentity.generate(), {}, asyncOnlyServer.url);
    const before = backend.count;
    await expect(counter.increment()).resolves.toBe(before + 1n);
    const paths = pathsOf(requestedUrls);
    expect(paths).toContain(`/api/v3/canister/${COUNTER.toText()}/call`); // answered 404
    expect(paths).toContain(`/api/v2/canister/${COUNTER.toText()}/call`);
    expect(paths).toContain(`/api/v2/canister/${COUNTER.toText()}/read_state`);
  });

  it('answers an explicit asynchronous call with 202, then its status through read_state', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const agent = await agentFor(identity);
    const { requestId, response } = await agent.call(COUNTER, {
      methodName: 'whoami',
      arg: IDL.encode([], []),
      callSync: false
    });
    expect(response.status).toBe(202);
    const { reply } = await polling.pollForResponse(agent, COUNTER, requestId);
    expect(IDL.decode([IDL.Principal], reply ?? new Uint8Array())[0]).toEqual(identity.getPrincipal());
  });

  it.each([
    ['Ed25519KeyIdentity', () => Promise.resolve<SignIdentity>(Ed25519KeyIdentity.generate())],
    ['ECDSAKeyIdentity (P-256)', (): Promise<SignIdentity> => ECDSAKeyIdentity.generate()],
    ['secp256k1 (as Secp256k1KeyIdentity signs)', () => Promise.resolve<SignIdentity>(new Secp256k1TestIdentity())]
  ])('passes the %s sender to the canister as caller', async (_name, makeIdentity) => {
    const identity = await makeIdentity();
    const counter = await counterFor(identity);
    expect((await counter.whoami()).toText()).toBe(identity.getPrincipal().toText());
    expect((await counter.whoami_query()).toText()).toBe(identity.getPrincipal().toText());
  });

  it('passes the delegating principal as caller for a DelegationIdentity', async () => {
    const root = await ECDSAKeyIdentity.generate();
    const session = Ed25519KeyIdentity.generate();
    const chain = await DelegationChain.create(root, session.getPublicKey(), new Date(Date.now() + 15 * 60_000), {
      targets: [COUNTER]
    });
    const identity = DelegationIdentity.fromDelegation(session, chain);
    const counter = await counterFor(identity);
    expect((await counter.whoami()).toText()).toBe(root.getPrincipal().toText());
    expect((await counter.whoami_query()).toText()).toBe(root.getPrincipal().toText());
  });

  it('passes the root principal through a chain of two delegations', async () => {
    const root = Ed25519KeyIdentity.generate();
    const middle = Ed25519KeyIdentity.generate();
    const session = Ed25519KeyIdentity.generate();
    const first = await DelegationChain.create(root, middle.getPublicKey(), new Date(Date.now() + 60_000));
    const chain = await DelegationChain.create(middle, session.getPublicKey(), new Date(Date.now() + 60_000), {
      previous: first
    });
    const counter = await counterFor(DelegationIdentity.fromDelegation(session, chain));
    expect((await counter.whoami()).toText()).toBe(root.getPrincipal().toText());
  });

  it('reports a canister reject with a certificate, and a refused call without one', async () => {
    const counter = await counterFor(Ed25519KeyIdentity.generate());
    const certified = await rejectionOf(counter.fail());
    expect(certified.hasCode(CertifiedRejectErrorCode)).toBe(true);
    expect(certified.message).toMatch(/the counter says no/);
    expect((certified.code as CertifiedRejectErrorCode).rejectCode).toBe(4);
    expect((certified.code as CertifiedRejectErrorCode).rejectErrorCode).toBe('IC0406');

    const updatesBefore = backend.updates;
    const refused = await rejectionOf(counter.refused());
    expect(refused.hasCode(UncertifiedRejectUpdateErrorCode)).toBe(true);
    expect(refused.message).toMatch(/rejected the message/);
    expect(backend.updates).toBe(updatesBefore);
  });

  it('signs query rejections too', async () => {
    const counter = await counterFor(Ed25519KeyIdentity.generate());
    const rejection = await rejectionOf(counter.fail_query());
    expect(rejection.hasCode(UncertifiedRejectErrorCode)).toBe(true);
    expect(rejection.message).toMatch(/says no to queries/);
  });

  it('is caught by the agent when a query signature is tampered with', async () => {
    const tamperingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = input instanceof Request ? input.url : String(input);
      if (!url.endsWith('/query') || response.status !== 200) return response;
      const body = Cbor.decode<{ signatures: { signature: Uint8Array }[] }>(new Uint8Array(await response.arrayBuffer()));
      const signature = body.signatures[0]?.signature;
      if (signature !== undefined) signature[0] = (signature[0] ?? 0) ^ 1;
      return new Response(new Uint8Array(Cbor.encode(body)), { status: 200, headers: response.headers });
    };
    const agent = HttpAgent.createSync({ host: server.url, fetch: tamperingFetch });
    await agent.fetchRootKey();
    const counter: Counter = Actor.createActor(idlFactory, { agent, canisterId: COUNTER });
    const rejection = await rejectionOf(counter.read());
    expect(rejection.hasCode(QuerySignatureVerificationFailedErrorCode)).toBe(true);
  });

  it('gives queries a data certificate that agent-js verifies', async () => {
    const counter = await counterFor(new AnonymousIdentity());
    await counter.increment();
    const bytes = await counter.data_certificate();
    const certificate = await Certificate.create({ certificate: new Uint8Array(bytes), rootKey: api.rootKeyDer, canisterId: COUNTER });
    const certifiedData = lookupResultToBuffer(certificate.lookup_path(['canister', COUNTER.toUint8Array(), 'certified_data']));
    expect(bytesToHex(certifiedData ?? new Uint8Array())).toBe(bytesToHex(encodeUnsignedLeb128(backend.count)));
  });

  it('syncs the agent clock with a network clock ten minutes ahead, as agent-js does after "Invalid request expiry"', async () => {
    backend.clockOffsetNanos = 10n * 60n * 1_000_000_000n;
    try {
      requestedUrls = [];
      const counter = await counterFor(Ed25519KeyIdentity.generate(), { retryTimes: 0 });
      const before = backend.count;
      await expect(counter.increment()).resolves.toBe(before + 1n);
      const calls = pathsOf(requestedUrls).filter((path) => path.endsWith('/call'));
      expect(calls.length).toBe(2); // refused for its expiry, then sent again after the agent read /time
    } finally {
      backend.clockOffsetNanos = 0n;
    }
  });

  it('does not sync the clock for queries: a signed query fails until the agent syncs', async () => {
    backend.clockOffsetNanos = 10n * 60n * 1_000_000_000n;
    try {
      const agent = await agentFor(Ed25519KeyIdentity.generate(), { retryTimes: 0 });
      const counter: Counter = Actor.createActor(idlFactory, { agent, canisterId: COUNTER });
      const error = await rejectionOf(counter.read());
      expect(error.message).toMatch(/Invalid request expiry/);
      await agent.syncTime(COUNTER);
      await expect(counter.read()).resolves.toBe(backend.count);
    } finally {
      backend.clockOffsetNanos = 0n;
    }
  });
});

describe('refused requests never reach the canister', () => {
  /** Runs `action` and checks that the backend neither inspected nor executed anything meanwhile. */
  async function refusedWithoutRunning(action: () => Promise<unknown>): Promise<AgentError> {
    const before = { inspections: backend.inspections, updates: backend.updates, queries: backend.queries, count: backend.count };
    const error = await rejectionOf(action());
    expect({ inspections: backend.inspections, updates: backend.updates, queries: backend.queries, count: backend.count }).toEqual(
      before
    );
    return error;
  }

  function httpStatusOf(error: AgentError): number | undefined {
    const code = error.code as { status?: number };
    return code.status;
  }

  it('refuses a tampered signature with 400', async () => {
    const counter = await counterFor(new TamperingIdentity(Ed25519KeyIdentity.generate()), { retryTimes: 0 });
    const error = await refusedWithoutRunning(() => counter.increment());
    expect(httpStatusOf(error)).toBe(400);
    expect(error.message).toMatch(/Invalid signature: Invalid basic signature/);
  });

  it('refuses an expired ingress_expiry with 400 and the replica wording agent-js looks for', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const content = {
      request_type: 'call',
      canister_id: COUNTER,
      method_name: 'increment',
      arg: IDL.encode([], []),
      sender: identity.getPrincipal(),
      ingress_expiry: expiryAt(BigInt(Date.now() - 60_000) * 1_000_000n),
      nonce: randomBytes(16)
    };
    const signed = (await identity.transformRequest({
      request: {},
      endpoint: Endpoint.Call,
      body: content as unknown as CallRequest
    })) as { body: object };
    const before = { inspections: backend.inspections, updates: backend.updates };
    for (const version of ['v2', 'v3']) {
      const response = await fetch(`${server.url}/api/${version}/canister/${COUNTER.toText()}/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/cbor' },
        body: new Uint8Array(Cbor.encode(signed.body))
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toMatch(/^Invalid request expiry: Specified ingress_expiry not within expected range/);
    }
    expect({ inspections: backend.inspections, updates: backend.updates }).toEqual(before);
  });

  it('refuses an expired delegation with 400', async () => {
    const session = Ed25519KeyIdentity.generate();
    const chain = await DelegationChain.create(Ed25519KeyIdentity.generate(), session.getPublicKey(), new Date(Date.now() - 60_000));
    const counter = await counterFor(DelegationIdentity.fromDelegation(session, chain), { retryTimes: 0 });
    const error = await refusedWithoutRunning(() => counter.increment());
    expect(httpStatusOf(error)).toBe(400);
    expect(error.message).toMatch(/Invalid delegation expiry: Specified sender delegation has expired/);
  });

  it('refuses a delegation whose targets exclude the canister with 400', async () => {
    const session = Ed25519KeyIdentity.generate();
    const chain = await DelegationChain.create(Ed25519KeyIdentity.generate(), session.getPublicKey(), new Date(Date.now() + 60_000), {
      targets: [OTHER_CANISTER]
    });
    const counter = await counterFor(DelegationIdentity.fromDelegation(session, chain), { retryTimes: 0 });
    const error = await refusedWithoutRunning(() => counter.increment());
    expect(httpStatusOf(error)).toBe(400);
    expect(error.message).toMatch(new RegExp(`Canister '${COUNTER.toText()}' is not one of the delegation targets`));
    const queryError = await refusedWithoutRunning(() => counter.read());
    expect(queryError.message).toMatch(/is not one of the delegation targets/);
  });

  it("refuses to show one sender's request status to another with 403", async () => {
    const owner = await agentFor(Ed25519KeyIdentity.generate());
    const { requestId } = await owner.call(COUNTER, { methodName: 'whoami', arg: IDL.encode([], []) });
    const snoop = await agentFor(Ed25519KeyIdentity.generate(), { retryTimes: 0 });
    const path = [new TextEncoder().encode('request_status'), requestId];
    const error = await rejectionOf(snoop.readState(COUNTER, { paths: [path] }));
    expect(httpStatusOf(error)).toBe(403);
    expect(error.message).toMatch(/not signed by the caller/);
    const ownResponse = await owner.readState(COUNTER, { paths: [path] });
    const certificate = await Certificate.create({ certificate: ownResponse.certificate, rootKey: api.rootKeyDer, canisterId: COUNTER });
    expect(new TextDecoder().decode(lookupResultToBuffer(certificate.lookup_path([...path, 'status'])))).toBe('replied');
  });

  it('refuses a query to another canister than the URL names with 400', async () => {
    const agent = await agentFor(new AnonymousIdentity(), { retryTimes: 0 });
    const error = await rejectionOf(
      agent.query(OTHER_CANISTER, { methodName: 'read', arg: IDL.encode([], []), effectiveCanisterId: COUNTER })
    );
    expect(error.message).toMatch(/does not match effective canister id in URL/);
  });
});
