import { Principal } from '@dfinity/principal';
import { canisterIdFromIndex, MANAGEMENT_CANISTER_ID } from '../shared/ids';
import type { CallResult } from '../shared/call_result';
import { RejectCode } from '../shared/rejections';
import { authenticateRequest } from './authentication';
import type { CallRejection, CertifiedCanister, IngressCall, ReplicaBackend } from './backend';
import { Certifier } from './certificate';
import { encodeCbor, type CborEncodable } from './cbor';
import { decodeEnvelope, type CallContent, type Envelope, type QueryContent } from './envelope';
import { errorCodeOf } from './error_codes';
import { EffectiveCanisterIdError } from './errors';
import { HashTreeBuilder } from './hash_tree';
import { NetworkKeys } from './network_keys';
import { signedQueryResponse } from './query_response';
import { authorizeCanisterPaths, authorizeSubnetPaths, type ApiGeneration } from './read_state';
import { RequestStatusStore, type TrackedRequest } from './request_status';
import { compareBytes } from './request_id';
import { buildStateTree, type CanisterRange, type SubnetDescription } from './state_tree';

/**
 * The IC HTTP interface of one local network (interface spec, "HTTPS
 * Interface"), without sockets: each method takes a request body and
 * returns the reply the replica would give. Malformed or unauthenticated
 * requests throw an HttpInterfaceError before the backend is asked anything.
 */

export interface HttpReply {
  readonly status: number;
  readonly contentType?: string;
  readonly body: Uint8Array | string;
}

export interface IcHttpInterfaceOptions {
  readonly backend: ReplicaBackend;
  /** 32 bytes from generateNetworkSecret(), kept in (and reloaded from) the network's state folder. */
  readonly networkSecret: Uint8Array;
  /** The canister ids this network's subnet hosts; by default every opaque 10-byte canister id. */
  readonly canisterRanges?: readonly CanisterRange[];
  /** How long a synchronous (v3, v4) call waits for its result before answering 202; the replica's default is 10 s. */
  readonly syncCallTimeoutMs?: number;
}

export const CBOR_CONTENT_TYPE = 'application/cbor';
/** The `ic_api_version` the status endpoint reports. */
export const IC_API_VERSION = '0.18.0';
const DEFAULT_SYNC_CALL_TIMEOUT_MS = 10_000;
const ALL_CANISTER_IDS: CanisterRange = [canisterIdFromIndex(0n), canisterIdFromIndex((1n << 64n) - 1n)];

/** v2: asynchronous; v3 (deprecated) and v4: synchronous, with the certificate in the reply. */
export type CallVersion = 'v2' | 'v3' | 'v4';

interface StateOverride {
  readonly timeNanos?: bigint;
  readonly certifiedData?: { readonly canisterId: Principal; readonly data: Uint8Array };
}

export class IcHttpInterface {
  readonly keys: NetworkKeys;
  private readonly backend: ReplicaBackend;
  private readonly certifier: Certifier;
  private readonly requests = new RequestStatusStore();
  private readonly subnet: SubnetDescription;
  private readonly syncCallTimeoutMs: number;

  constructor(options: IcHttpInterfaceOptions) {
    this.backend = options.backend;
    this.keys = NetworkKeys.fromSecret(options.networkSecret);
    this.certifier = new Certifier(this.keys);
    this.syncCallTimeoutMs = options.syncCallTimeoutMs ?? DEFAULT_SYNC_CALL_TIMEOUT_MS;
    this.subnet = {
      subnetId: this.keys.subnetId,
      publicKeyDer: this.keys.rootPublicKeyDer,
      canisterRanges: options.canisterRanges ?? [ALL_CANISTER_IDS],
      nodes: [{ nodeId: this.keys.nodeId, publicKeyDer: this.keys.nodePublicKeyDer }]
    };
  }

  /** The DER root key agents get from `/api/v2/status` (and `fetchRootKey()`). */
  get rootKeyDer(): Uint8Array {
    return this.keys.rootPublicKeyDer;
  }

  /** GET /api/v2/status */
  status(): HttpReply {
    return cborReply(200, {
      ic_api_version: IC_API_VERSION,
      root_key: this.keys.rootPublicKeyDer,
      replica_health_status: 'healthy'
    });
  }

  /** POST /api/v2/canister/<effective_canister_id>/query and /api/v3/... (same reply) */
  async query(effectiveCanisterId: Principal, body: Uint8Array): Promise<HttpReply> {
    const envelope = decodeEnvelope(body, 'query');
    requireEffectiveCanisterId(envelope.content.canisterId, effectiveCanisterId);
    return this.runQuery(envelope, effectiveCanisterId);
  }

  /** POST /api/v3/subnet/<effective_subnet_id>/query: a query to a canister of that subnet. */
  async subnetQuery(subnetId: Principal, body: Uint8Array): Promise<HttpReply> {
    this.requireOwnSubnet(subnetId);
    const envelope = decodeEnvelope(body, 'query');
    return this.runQuery(envelope, this.effectiveCanisterOnSubnet(envelope.content.canisterId));
  }

  private async runQuery(envelope: Envelope<QueryContent>, effectiveCanisterId: Principal): Promise<HttpReply> {
    const { content } = envelope;
    const now = this.backend.nowNanos();
    authenticateRequest(envelope, now);
    let dataCertificate: Uint8Array | undefined;
    const result = await this.backend.query({
      canisterId: content.canisterId,
      methodName: content.methodName,
      arg: content.arg,
      caller: content.sender,
      effectiveCanisterId,
      dataCertificate: () => (dataCertificate ??= this.dataCertificate(content.canisterId))
    });
    return cborReply(200, signedQueryResponse(this.keys, result, envelope.requestId, now));
  }

  /** POST /api/v2/canister/<effective_canister_id>/call (asynchronous), /api/v3/... and /api/v4/... (synchronous). */
  async call(version: CallVersion, effectiveCanisterId: Principal, body: Uint8Array): Promise<HttpReply> {
    const envelope = decodeEnvelope(body, 'call');
    requireEffectiveCanisterId(envelope.content.canisterId, effectiveCanisterId);
    return this.runCall(version, envelope, effectiveCanisterId);
  }

  /** POST /api/v4/subnet/<effective_subnet_id>/call (synchronous): a call to a canister of that subnet. */
  async subnetCall(subnetId: Principal, body: Uint8Array): Promise<HttpReply> {
    this.requireOwnSubnet(subnetId);
    const envelope = decodeEnvelope(body, 'call');
    return this.runCall('v4', envelope, this.effectiveCanisterOnSubnet(envelope.content.canisterId));
  }

  private async runCall(version: CallVersion, envelope: Envelope<CallContent>, effectiveCanisterId: Principal): Promise<HttpReply> {
    const now = this.backend.nowNanos();
    this.requests.prune(now);
    authenticateRequest(envelope, now);
    const accepted = await this.accept(envelope, effectiveCanisterId);
    if ('rejection' in accepted) return nonReplicatedRejection(version, accepted.rejection);
    if (version === 'v2') return { status: 202, body: new Uint8Array() };
    const finished = await settlesWithin(accepted.request.finished, this.syncCallTimeoutMs);
    if (!finished) {
      return {
        status: 202,
        contentType: 'text/plain; charset=utf-8',
        body: 'Message did not complete execution and certification within the replica defined timeout.'
      };
    }
    const certificate = this.certificate([['request_status', envelope.requestId]]);
    return cborReply(200, { status: 'replied', certificate });
  }

  /** POST /api/v2/canister/<effective_canister_id>/read_state (deprecated) and /api/v3/... (current). */
  readCanisterState(generation: ApiGeneration, effectiveCanisterId: Principal, body: Uint8Array): HttpReply {
    const envelope = decodeEnvelope(body, 'read_state');
    const now = this.backend.nowNanos();
    this.requests.prune(now);
    const targets = authenticateRequest(envelope, now);
    authorizeCanisterPaths(envelope.content.paths, {
      generation,
      rootSubnetId: this.keys.subnetId,
      effectiveCanisterId,
      sender: envelope.content.sender,
      targets,
      requests: this.requests,
      findCanister: (id) => this.findCanister(id)
    });
    return cborReply(200, { certificate: this.certificate(envelope.content.paths) });
  }

  /** POST /api/v2/subnet/<subnet_id>/read_state (deprecated) and /api/v3/... (current). */
  readSubnetState(generation: ApiGeneration, subnetId: Principal, body: Uint8Array): HttpReply {
    this.requireOwnSubnet(subnetId);
    const envelope = decodeEnvelope(body, 'read_state');
    authenticateRequest(envelope, this.backend.nowNanos());
    authorizeSubnetPaths(envelope.content.paths, { generation, rootSubnetId: this.keys.subnetId });
    return cborReply(200, { certificate: this.certificate(envelope.content.paths) });
  }

  /**
   * The certificate a canister sees in a non-replicated query
   * (`ic0.data_certificate_copy`): `/time` and
   * `/canister/<canisterId>/certified_data` at the network's current time.
   */
  dataCertificate(canisterId: Principal): Uint8Array {
    return this.certificate([['canister', canisterId.toUint8Array(), 'certified_data']]);
  }

  /**
   * The same, for an engine that already holds the canister's certified data
   * and the time of the state its query runs on (the shape of the engine's
   * `CertificateProvider`): those values replace what the backend reports.
   */
  dataCertificateAt(canisterId: Principal, certifiedData: Uint8Array, timeNanos: bigint): Uint8Array {
    return this.certificate([['canister', canisterId.toUint8Array(), 'certified_data']], {
      timeNanos,
      certifiedData: { canisterId, data: certifiedData }
    });
  }

  /** A certificate of the current state revealing `paths` (and always `/time`), everything else pruned. */
  certificate(
    paths: readonly (readonly (Uint8Array | string)[])[],
    override: StateOverride = {}
  ): Uint8Array {
    const tree = buildStateTree({
      time: override.timeNanos ?? this.backend.nowNanos(),
      subnet: this.subnet,
      requests: this.requests.all(),
      canisters: withCertifiedData(this.backend.certifiedCanisters(), override.certifiedData)
    });
    const encoder = new TextEncoder();
    const labels = [...paths, ['time']].map((path) =>
      path.map((label) => (typeof label === 'string' ? encoder.encode(label) : label))
    );
    return this.certifier.certify(new HashTreeBuilder().witness(tree, labels));
  }

  /**
   * Accepts a call into the request status store and starts it, unless the
   * backend's ingress checks refuse it. A request id the network already
   * knows is not executed again (replay protection); the caller gets the
   * known request's outcome.
   */
  private async accept(
    envelope: Envelope<CallContent>,
    effectiveCanisterId: Principal
  ): Promise<{ request: TrackedRequest } | { rejection: CallRejection }> {
    const known = this.requests.get(envelope.requestId);
    if (known !== undefined) return { request: known };
    const { content } = envelope;
    const call: IngressCall = {
      canisterId: content.canisterId,
      methodName: content.methodName,
      arg: content.arg,
      caller: content.sender,
      effectiveCanisterId,
      requestId: envelope.requestId,
      ingressExpiry: content.ingressExpiry
    };
    const rejection = await this.backend.inspectIngress(call);
    if (rejection !== undefined) return { rejection };
    const raced = this.requests.get(envelope.requestId); // the same request may have arrived meanwhile
    if (raced !== undefined) return { request: raced };
    const request = this.requests.receive({
      requestId: envelope.requestId,
      sender: content.sender,
      canisterId: content.canisterId,
      effectiveCanisterId,
      ingressExpiry: content.ingressExpiry
    });
    void this.execute(call);
    return { request };
  }

  private async execute(call: IngressCall): Promise<void> {
    this.requests.startProcessing(call.requestId);
    let result: CallResult;
    try {
      result = await this.backend.update(call);
    } catch (error) {
      // The call was accepted, so it must end; an engine failure is reported like a system error.
      const reason = error instanceof Error ? error.message : String(error);
      result = { kind: 'rejected', code: RejectCode.SysFatal, message: `The local IC failed to execute the call: ${reason}` };
    }
    this.requests.finish(call.requestId, result, this.backend.nowNanos());
  }

  private requireOwnSubnet(subnetId: Principal): void {
    if (subnetId.toHex() !== this.keys.subnetId.toHex()) {
      throw new EffectiveCanisterIdError(
        `Subnet ${subnetId.toText()} is not part of this network; its only subnet is ${this.keys.subnetId.toText()}.`
      );
    }
  }

  /**
   * At a subnet endpoint the called canister is its own effective canister
   * id and must lie in the subnet's ranges; the management canister is
   * addressed as itself, so the backend refuses its methods that need an
   * effective canister id other than its own.
   */
  private effectiveCanisterOnSubnet(canisterId: Principal): Principal {
    if (canisterId.toHex() === MANAGEMENT_CANISTER_ID.toHex()) return canisterId;
    const bytes = canisterId.toUint8Array();
    const hosted = this.subnet.canisterRanges.some(
      ([low, high]) => compareBytes(low.toUint8Array(), bytes) <= 0 && compareBytes(bytes, high.toUint8Array()) <= 0
    );
    if (!hosted) {
      throw new EffectiveCanisterIdError(
        `Canister ${canisterId.toText()} is not hosted by subnet ${this.keys.subnetId.toText()}.`
      );
    }
    return canisterId;
  }

  private findCanister(id: Principal): CertifiedCanister | undefined {
    for (const canister of this.backend.certifiedCanisters()) if (canister.id.toHex() === id.toHex()) return canister;
    return undefined;
  }
}

function* withCertifiedData(
  canisters: Iterable<CertifiedCanister>,
  certifiedData: StateOverride['certifiedData']
): Iterable<CertifiedCanister> {
  let seen = false;
  for (const canister of canisters) {
    if (certifiedData !== undefined && canister.id.toHex() === certifiedData.canisterId.toHex()) {
      seen = true;
      yield { ...canister, certifiedData: certifiedData.data };
    } else {
      yield canister;
    }
  }
  if (certifiedData !== undefined && !seen) {
    yield { id: certifiedData.canisterId, certifiedData: certifiedData.data, moduleHash: undefined, controllers: [] };
  }
}

/** Except for calls to the management canister, the URL must name the called canister (the replica checks this). */
function requireEffectiveCanisterId(canisterId: Principal, effectiveCanisterId: Principal): void {
  if (canisterId.toHex() !== MANAGEMENT_CANISTER_ID.toHex() && canisterId.toHex() !== effectiveCanisterId.toHex()) {
    throw new EffectiveCanisterIdError(
      `Specified CanisterId ${canisterId.toText()} does not match effective canister id in URL ${effectiveCanisterId.toText()}`
    );
  }
}

/** A call refused before it entered the state: answered 200 without a certificate (spec, "Request: Call"). */
function nonReplicatedRejection(version: CallVersion, rejection: CallRejection): HttpReply {
  const fields = { reject_code: rejection.code, reject_message: rejection.message, error_code: errorCodeOf(rejection) };
  return cborReply(200, version === 'v2' ? fields : { status: 'non_replicated_rejection', ...fields });
}

function cborReply(status: number, value: CborEncodable): HttpReply {
  return { status, contentType: CBOR_CONTENT_TYPE, body: encodeCbor(value, { selfDescribe: true }) };
}

async function settlesWithin(promise: Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
