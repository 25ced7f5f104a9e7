import {
  AnonymousIdentity,
  Cbor,
  Endpoint,
  Expiry,
  SignIdentity,
  type CallRequest,
  type DerEncodedPublicKey,
  type PublicKey,
  type Signature
} from '@dfinity/agent';
import { DelegationChain, ECDSAKeyIdentity, Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticateRequest,
  decodeEnvelope,
  generateNetworkSecret,
  HttpInterfaceError,
  IcHttpInterface,
  MalformedRequestError,
  RequestValidationError,
  routeRequest,
  startReplicaServer,
  type CertifiedCanister,
  type ReplicaBackend,
  type RequestType,
  type RunningReplicaServer
} from '../../packages/local-ic/src/http_interface';

const CANISTER = Principal.fromText('auamu-4x777-77775-aaaaa-cai');
const OTHER = Principal.fromText('bd3sg-teaaa-aaaaa-qaaba-cai');
const NOW = BigInt(Date.now()) * 1_000_000n;
const MINUTE = 60n * 1_000_000_000n;

type Content = Record<string, unknown>;

/** agent-js keeps Expiry's constructor private; its JSON form is the public way to state an exact expiry. */
function expiryAt(nanos: bigint): Expiry {
  return Expiry.fromJSON(JSON.stringify({ __expiry__: nanos.toString() }));
}


function callContent(sender: Principal, overrides: Content = {}): Content {
  return {
    request_type: 'call',
    canister_id: CANISTER,
    method_name: 'm',
    arg: new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0, 0]),
    sender,
    ingress_expiry: expiryAt(NOW + 4n * MINUTE),
    ...overrides
  };
}

async function signedBody(identity: SignIdentity | AnonymousIdentity, content: Content): Promise<Uint8Array<ArrayBuffer>> {
  const transformed = (await identity.transformRequest({
    request: {},
    endpoint: Endpoint.Call,
    body: content as CallRequest
  })) as { body: object };
  return new Uint8Array(Cbor.encode(transformed.body));
}

async function validate(identity: SignIdentity | AnonymousIdentity, content: Content, now = NOW): Promise<void> {
  const type = content['request_type'] as RequestType;
  authenticateRequest(decodeEnvelope(await signedBody(identity, content), type), now);
}

async function refusal(action: Promise<unknown>): Promise<RequestValidationError> {
  try {
    await action;
  } catch (error) {
    if (error instanceof RequestValidationError) return error;
    throw error;
  }
  throw new Error('expected a RequestValidationError');
}

/** An ECDSA identity over `curve` that can be told to send the high-s twin of its signatures. */
class EcdsaTestIdentity extends SignIdentity {
  private readonly secretKey: Uint8Array;
  private readonly publicKey: PublicKey;

  constructor(
    private readonly curve: typeof p256 | typeof secp256k1,
    derPrefix: string,
    private readonly highS: boolean
  ) {
    super();
    this.secretKey = curve.utils.randomPrivateKey();
    const der = concatBytes(hexToBytes(derPrefix), curve.getPublicKey(this.secretKey, false));
    this.publicKey = { toDer: () => der as DerEncodedPublicKey };
  }

  getPublicKey(): PublicKey {
    return this.publicKey;
  }

  sign(blob: Uint8Array): Promise<Signature> {
    const low = this.curve.sign(sha256(blob), this.secretKey, { lowS: true });
    const signature = this.highS ? new this.curve.Signature(low.r, this.curve.Point.Fn.neg(low.s)) : low;
    return Promise.resolve(signature.toCompactRawBytes() as Signature);
  }
}

const P256_PREFIX = '3059301306072a8648ce3d020106082a8648ce3d030107034200';
const SECP256K1_PREFIX = '3056301006072a8648ce3d020106052b8104000a034200';

describe('request authentication', () => {
  it('accepts anonymous requests and requests signed with each supported scheme', async () => {
    await validate(new AnonymousIdentity(), callContent(Principal.anonymous()));
    for (const identity of [
      Ed25519KeyIdentity.generate(),
      await ECDSAKeyIdentity.generate(),
      new EcdsaTestIdentity(p256, P256_PREFIX, false),
      new EcdsaTestIdentity(secp256k1, SECP256K1_PREFIX, false)
    ]) {
      await validate(identity, callContent(identity.getPrincipal()));
    }
  });

  it('accepts ECDSA signatures with a high s, as the replica does', async () => {
    for (const identity of [new EcdsaTestIdentity(p256, P256_PREFIX, true), new EcdsaTestIdentity(secp256k1, SECP256K1_PREFIX, true)]) {
      await validate(identity, callContent(identity.getPrincipal()));
    }
  });

  it('enforces the ingress expiry window: not past, at most 5 minutes and 30 seconds ahead', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const at = (expiry: bigint): Content => callContent(identity.getPrincipal(), { ingress_expiry: expiryAt(expiry) });
    await validate(identity, at(NOW));
    await validate(identity, at(NOW + 5n * MINUTE + 30n * 1_000_000_000n));
    for (const expiry of [NOW - 1n, NOW + 5n * MINUTE + 31n * 1_000_000_000n]) {
      const error = await refusal(validate(identity, at(expiry)));
      expect(error.reason).toBe('invalid_request_expiry');
      expect(error.httpStatus).toBe(400);
      expect(error.message).toMatch(/^Invalid request expiry: /);
    }
  });

  it('lets anonymous queries and read_state requests carry any expiry, but not calls', async () => {
    const anonymous = new AnonymousIdentity();
    const stale = expiryAt(NOW - 60n * MINUTE);
    await validate(anonymous, { ...callContent(Principal.anonymous(), { ingress_expiry: stale }), request_type: 'query' });
    await validate(anonymous, { request_type: 'read_state', paths: [], sender: Principal.anonymous(), ingress_expiry: stale });
    await expect(validate(anonymous, callContent(Principal.anonymous(), { ingress_expiry: stale }))).rejects.toThrow(
      /Invalid request expiry/
    );
    const signed = Ed25519KeyIdentity.generate();
    await expect(
      validate(signed, { ...callContent(signed.getPrincipal(), { ingress_expiry: stale }), request_type: 'query' })
    ).rejects.toThrow(/Invalid request expiry/);
  });

  it('refuses a nonce longer than 32 bytes', async () => {
    const identity = Ed25519KeyIdentity.generate();
    await validate(identity, callContent(identity.getPrincipal(), { nonce: randomBytes(32) }));
    const error = await refusal(validate(identity, callContent(identity.getPrincipal(), { nonce: randomBytes(33) })));
    expect(error.message).toBe('Nonce in request is too big: got 33 bytes, but at most 32 are allowed.');
  });

  it('refuses a sender that is not the principal of the public key', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const error = await refusal(validate(identity, callContent(Ed25519KeyIdentity.generate().getPrincipal())));
    expect(error.reason).toBe('user_id_mismatch');
  });

  it('refuses an unsigned request from a non-anonymous sender, and a signed one from the anonymous sender', async () => {
    const missing = await refusal(validate(new AnonymousIdentity(), callContent(Ed25519KeyIdentity.generate().getPrincipal())));
    expect(missing.reason).toBe('missing_signature');
    const identity = Ed25519KeyIdentity.generate();
    const body = await signedBody(identity, callContent(Principal.anonymous()));
    expect(() => authenticateRequest(decodeEnvelope(body, 'call'), NOW)).toThrow(/not allowed for the anonymous user/);
  });

  it('refuses a public key without its signature', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const body = Cbor.encode({ content: callContent(identity.getPrincipal()), sender_pubkey: identity.getPublicKey().toDer() });
    expect(() => authenticateRequest(decodeEnvelope(body, 'call'), NOW)).toThrow(MalformedRequestError);
  });

  it('declares canister signatures (Internet Identity) unsupported', async () => {
    // SubjectPublicKeyInfo with OID 1.3.6.1.4.1.56387.1.2 and |canister_id| · canister_id · seed
    const keyBits = concatBytes(Uint8Array.of(0, CANISTER.toUint8Array().length), CANISTER.toUint8Array(), new Uint8Array([1, 2]));
    const algorithm = hexToBytes('300c060a2b0601040183b8430102');
    const canisterSigKey = concatBytes(
      Uint8Array.of(0x30, algorithm.length + 2 + keyBits.length),
      algorithm,
      Uint8Array.of(0x03, keyBits.length),
      keyBits
    );
    const body = Cbor.encode({
      content: callContent(Principal.selfAuthenticating(canisterSigKey)),
      sender_pubkey: canisterSigKey,
      sender_sig: new Uint8Array(64)
    });
    expect(() => authenticateRequest(decodeEnvelope(body, 'call'), NOW)).toThrow(
      /canister signatures \(as used by Internet Identity\) are not supported/
    );
  });

  describe('delegations', () => {
    async function chainOf(length: number, options: { targets?: Principal[]; expiration?: Date } = {}) {
      const keys = Array.from({ length: length + 1 }, () => Ed25519KeyIdentity.generate());
      let chain: DelegationChain | undefined;
      for (let i = 0; i < length; i++) {
        const from = keys[i] as Ed25519KeyIdentity;
        const to = keys[i + 1] as Ed25519KeyIdentity;
        chain = await DelegationChain.create(from, to.getPublicKey(), options.expiration ?? new Date(Date.now() + 60_000), {
          previous: chain,
          targets: i === 0 ? options.targets : undefined
        });
      }
      return { root: keys[0] as Ed25519KeyIdentity, session: keys[length] as Ed25519KeyIdentity, chain: chain as DelegationChain };
    }

    function delegatedBody(
      chain: DelegationChain,
      sessionSignature: (requestId: Uint8Array) => Promise<Uint8Array>,
      content: Content
    ): Promise<Uint8Array> {
      const body = { content, sender_pubkey: chain.publicKey, sender_delegation: chain.delegations };
      return sign(body, sessionSignature);
    }

    async function sign(body: { content: Content } & Content, signer: (requestId: Uint8Array) => Promise<Uint8Array>): Promise<Uint8Array> {
      const unsigned = decodeEnvelope(Cbor.encode(body), body.content['request_type'] as RequestType);
      const signature = await signer(concatBytes(new TextEncoder().encode('\x0Aic-request'), unsigned.requestId));
      return Cbor.encode({ ...body, sender_sig: signature });
    }

    it('accept a chain of 20 and refuse a chain of 21', async () => {
      for (const [length, accepted] of [
        [20, true],
        [21, false]
      ] as const) {
        const { root, session, chain } = await chainOf(length);
        const body = await delegatedBody(chain, (m) => session.sign(m), callContent(root.getPrincipal()));
        const attempt = (): unknown => authenticateRequest(decodeEnvelope(body, 'call'), NOW);
        if (accepted) expect(attempt).not.toThrow();
        else expect(attempt).toThrow(/Chain of delegations is too long: got 21 delegations, but at most 20/);
      }
    });

    it('restrict the canisters to the intersection of their targets', async () => {
      const { root, session, chain } = await chainOf(1, { targets: [CANISTER, OTHER] });
      const body = await delegatedBody(chain, (m) => session.sign(m), callContent(root.getPrincipal()));
      const targets = authenticateRequest(decodeEnvelope(body, 'call'), NOW);
      expect(targets.contains(OTHER)).toBe(true);
      expect(targets.contains(Principal.fromText('aaaaa-aa'))).toBe(false);
    });

    it('refuse more than 1000 targets in one delegation', async () => {
      const targets = Array.from({ length: 1001 }, (_, i) => Principal.fromUint8Array(Uint8Array.of(i >> 8, i & 0xff, 1, 1)));
      const { root, session, chain } = await chainOf(1, { targets: [CANISTER, ...targets.slice(1)] });
      const body = await delegatedBody(chain, (m) => session.sign(m), callContent(root.getPrincipal()));
      expect(() => authenticateRequest(decodeEnvelope(body, 'call'), NOW)).toThrow(/at most 1000 targets per delegation, but got 1001/);
    });

    it('refuse a chain in which a key repeats', async () => {
      const root = Ed25519KeyIdentity.generate();
      const session = Ed25519KeyIdentity.generate();
      const first = await DelegationChain.create(root, session.getPublicKey(), new Date(Date.now() + 60_000));
      const cycle = await DelegationChain.create(session, root.getPublicKey(), new Date(Date.now() + 60_000), { previous: first });
      const body = await delegatedBody(cycle, (m) => root.sign(m), callContent(root.getPrincipal()));
      expect(() => authenticateRequest(decodeEnvelope(body, 'call'), NOW)).toThrow(/contains at least one cycle/);
    });

    it('refuse a delegation signed by the wrong key, and a request signed by the delegating key', async () => {
      const { root, session, chain } = await chainOf(1);
      const forged = DelegationChain.fromDelegations(
        [{ ...(chain.delegations[0] as DelegationChain['delegations'][number]), signature: (await session.sign(new Uint8Array([1]))) as Signature }],
        chain.publicKey
      );
      const forgedBody = await delegatedBody(forged, (m) => session.sign(m), callContent(root.getPrincipal()));
      expect(() => authenticateRequest(decodeEnvelope(forgedBody, 'call'), NOW)).toThrow(/^Invalid delegation: Invalid basic signature/);
      const wrongSigner = await delegatedBody(chain, (m) => root.sign(m), callContent(root.getPrincipal()));
      expect(() => authenticateRequest(decodeEnvelope(wrongSigner, 'call'), NOW)).toThrow(/^Invalid signature: /);
    });

    it('refuse an expired delegation at the network time, not the wall clock', async () => {
      const { root, session, chain } = await chainOf(1, { expiration: new Date(Date.now() + 60_000) });
      const body = await delegatedBody(chain, (m) => session.sign(m), callContent(root.getPrincipal(), { ingress_expiry: expiryAt(NOW + 3n * MINUTE) }));
      expect(() => authenticateRequest(decodeEnvelope(body, 'call'), NOW)).not.toThrow();
      expect(() => authenticateRequest(decodeEnvelope(body, 'call'), NOW + 2n * MINUTE)).toThrow(/^Invalid delegation expiry: /);
    });
  });
});

function backendWith(canister: CertifiedCanister): ReplicaBackend {
  return {
    nowNanos: () => BigInt(Date.now()) * 1_000_000n,
    inspectIngress: () => Promise.resolve(undefined),
    update: () => Promise.resolve({ kind: 'replied', reply: new Uint8Array([1]) }),
    query: () => Promise.resolve({ kind: 'replied', reply: new Uint8Array([1]) }),
    certifiedCanisters: () => [canister]
  };
}

describe('read_state paths', () => {
  const controller = Ed25519KeyIdentity.generate();
  const api = new IcHttpInterface({
    backend: backendWith({
      id: CANISTER,
      certifiedData: new Uint8Array(),
      moduleHash: undefined,
      controllers: [controller.getPrincipal()],
      metadata: new Map([
        ['candid:service', { visibility: 'public', content: new TextEncoder().encode('service : {}') }],
        ['secret', { visibility: 'private', content: new Uint8Array([7]) }]
      ])
    }),
    networkSecret: generateNetworkSecret()
  });
  const label = (text: string): Uint8Array => new TextEncoder().encode(text);

  async function readState(paths: Uint8Array[][], identity: SignIdentity | AnonymousIdentity = new AnonymousIdentity()) {
    const sender = identity.getPrincipal();
    const body = await signedBody(identity, {
      request_type: 'read_state',
      paths,
      sender,
      ingress_expiry: expiryAt(BigInt(Date.now()) * 1_000_000n + 4n * MINUTE)
    });
    try {
      return api.readCanisterState('deprecated', CANISTER, body).status;
    } catch (error) {
      if (error instanceof HttpInterfaceError) return error.httpStatus;
      throw error;
    }
  }

  it('serves time, subnet, canister information and public metadata', async () => {
    const subnet = api.keys.subnetId.toUint8Array();
    expect(await readState([[label('time')]])).toBe(200);
    expect(await readState([[label('subnet')], [label('subnet'), subnet, label('node')]])).toBe(200);
    expect(await readState([[label('canister'), CANISTER.toUint8Array(), label('module_hash')]])).toBe(200);
    expect(await readState([[label('canister'), CANISTER.toUint8Array(), label('metadata'), label('candid:service')]])).toBe(200);
    expect(await readState([[label('request_status'), randomBytes(32)]])).toBe(200);
  });

  it('answers as the replica: 404 for unknown paths, 400 for malformed ones, 403 for private ones', async () => {
    expect(await readState([[label('canister'), CANISTER.toUint8Array(), label('certified_data')]])).toBe(404);
    expect(await readState([[label('nonsense')]])).toBe(404);
    expect(await readState([[label('canister'), OTHER.toUint8Array(), label('controllers')]])).toBe(400);
    expect(await readState([[label('request_status'), randomBytes(31)]])).toBe(400);
    expect(await readState([[label('request_status'), randomBytes(32)], [label('request_status'), randomBytes(32)]])).toBe(400);
    const secret = [[label('canister'), CANISTER.toUint8Array(), label('metadata'), label('secret')]];
    expect(await readState(secret)).toBe(403);
    expect(await readState(secret, controller)).toBe(200);
  });

  it('refuse more than 1000 paths and paths deeper than 127 labels', async () => {
    expect(await readState(Array.from({ length: 1001 }, () => [label('time')]))).toBe(400);
    expect(await readState([Array.from({ length: 128 }, () => label('subnet'))])).toBe(400);
  });
});

describe('HTTP routing', () => {
  const api = new IcHttpInterface({
    backend: backendWith({ id: CANISTER, certifiedData: new Uint8Array(), moduleHash: undefined, controllers: [] }),
    networkSecret: generateNetworkSecret()
  });
  let server: RunningReplicaServer;

  beforeAll(async () => {
    server = await startReplicaServer({ api, port: 0, maxRequestBytes: 1024 });
  });

  afterAll(async () => {
    await server.close();
  });

  const route = (method: string, url: string, contentType?: string, body = new Uint8Array()) =>
    routeRequest(api, { method, url, contentType, body }, { syncCallEndpoint: true });

  it('listens on 127.0.0.1 and serves the status as CBOR with CORS headers', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.url}/api/v2/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/cbor');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const status = Cbor.decode<{ root_key: Uint8Array; replica_health_status: string }>(new Uint8Array(await response.arrayBuffer()));
    expect(status.replica_health_status).toBe('healthy');
    expect(status.root_key).toEqual(api.rootKeyDer);
  });

  it('refuses bodies over the limit with 413', async () => {
    const response = await fetch(`${server.url}/api/v2/canister/${CANISTER.toText()}/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/cbor' },
      body: new Uint8Array(2048)
    });
    expect(response.status).toBe(413);
  });

  it('answers preflight requests', async () => {
    const response = await fetch(`${server.url}/api/v2/canister/${CANISTER.toText()}/query`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Content-Type/);
  });

  it('answers unknown paths 404, wrong methods 405, other content types and bad principals 400', async () => {
    expect((await route('GET', '/api/v1/status')).status).toBe(404);
    for (const unknown of ['/api/v4/canister/aaaaa-aa/query', '/api/v2/subnet/aaaaa-aa/call', '/api/v4/subnet/aaaaa-aa/read_state']) {
      expect((await route('POST', unknown, 'application/cbor')).status).toBe(404);
    }
    expect((await route('GET', `/api/v2/canister/${CANISTER.toText()}/call`)).status).toBe(405);
    const json = await route('POST', `/api/v2/canister/${CANISTER.toText()}/call`, 'application/json');
    expect(json).toMatchObject({ status: 400, body: 'Unexpected content-type, expected application/cbor.' });
    expect((await route('POST', '/api/v2/canister/not-a-principal/call', 'application/cbor')).status).toBe(400);
    const garbage = await route('POST', `/api/v2/canister/${CANISTER.toText()}/call`, 'application/cbor', new Uint8Array([0xff]));
    expect(garbage.status).toBe(400);
    expect(String(garbage.body)).toMatch(/^Failed to deserialize cbor request/);
  });

  it('reads subnet state at /api/v2/subnet/<subnet_id>/read_state', async () => {
    const body = await signedBody(new AnonymousIdentity(), {
      request_type: 'read_state',
      paths: [[new TextEncoder().encode('subnet')]],
      sender: Principal.anonymous(),
      ingress_expiry: expiryAt(NOW)
    });
    expect((await route('POST', `/api/v2/subnet/${api.keys.subnetId.toText()}/read_state`, 'application/cbor', body)).status).toBe(200);
    expect((await route('POST', `/api/v2/subnet/${CANISTER.toText()}/read_state`, 'application/cbor', body)).status).toBe(400);
  });
});
