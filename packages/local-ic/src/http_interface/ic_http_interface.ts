import { Principal } from '@dfinity/principal';
import { bytesToHex } from '@noble/hashes/utils.js';
import { MANAGEMENT_CANISTER_ID } from '../shared/ids';
import { defaultSubnetKind, principalRange, ROOT_SUBNET_KIND, rootSubnetKind, SUBNET_LAYOUT, subnetKindOfCanister, type SubnetKind, type SubnetLayout } from '../topology/layout';
import type { CallResult } from '../shared/call_result';
import { RejectCode } from '../shared/rejections';
import { authenticateRequest } from './authentication';
import type { CallRejection, CertifiedCanister, IngressCall, ReplicaBackend } from './backend';
import { Certifier, type Delegation } from './certificate';
import { encodeCbor, type CborEncodable } from './cbor';
import { delegationContent, LEGACY_RANGES, NO_RANGES, type DelegatedRanges } from './delegated_ranges';
import { decodeEnvelope, type CallContent, type Envelope, type QueryContent } from './envelope';
import { errorCodeOf } from './error_codes';
import { EffectiveCanisterIdError } from './errors';
import { HashTreeBuilder } from './hash_tree';
import { NetworkKeys, type SubnetKeys } from './network_keys';
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
  /** The network's subnets (topology/layout.ts `subnetLayout`; default: all five). */
  readonly subnets?: readonly SubnetLayout[];
  /**
   * Instead of `subnets`: a network of one subnet, the root subnet, hosting
   * these ranges, to which every canister id routes.
   */
  readonly canisterRanges?: readonly CanisterRange[];
  /** How long a synchronous (v3, v4) call waits for its result before answering 202; the replica's default is 10 s. */
  readonly syncCallTimeoutMs?: number;
}

export const CBOR_CONTENT_TYPE = 'application/cbor';
/** The `ic_api_version` the status endpoint reports. */
export const IC_API_VERSION = '0.18.0';
const DEFAULT_SYNC_CALL_TIMEOUT_MS = 10_000;
/**
 * A canister's data certificate is checked by whatever library its reader
 * has (agent-js 3.4 and @dfinity/response-verification 3.0.3 read only the
 * legacy `/subnet/<id>/canister_ranges`; @icp-sdk/core 6 falls back to it),
 * so unless a v3 query asks for it, its delegation carries the ranges in that form.
 */
const DATA_CERTIFICATE_GENERATION: ApiGeneration = 'deprecated';
/** A delegation is re-signed once the network's time is this far past the one it certifies. */
const DELEGATION_REFRESH_NANOS = 60_000_000_000n;

/** v2: asynchronous; v3 (deprecated) and v4: synchronous, with the certificate in the reply. */
export type CallVersion = 'v2' | 'v3' | 'v4';

interface StateOverride {
  readonly timeNanos?: bigint;
  readonly certifiedData?: { readonly canisterId: Principal; readonly data: Uint8Array };
}

interface HostedSubnet {
  readonly kind: SubnetKind;
  readonly keys: SubnetKeys;
  readonly description: SubnetDescription;
  readonly certifier: Certifier;
}

/** What a certificate is for: which subnet signs it and which canister ranges its delegation reveals. */
/** Data certificates kept for the queries of one certified state (oldest dropped first). */
const KEPT_DATA_CERTIFICATES = 64;
/** How long a data certificate serves queries: about one block of an application subnet. */
const CERTIFIED_STATE_INTERVAL_NANOS = 1_000_000_000n;

interface CertificateScope {
  readonly subnet: HostedSubnet;
  readonly ranges: DelegatedRanges;
}

export class IcHttpInterface {
  readonly keys: NetworkKeys;
  private readonly backend: ReplicaBackend;
  private readonly requests = new RequestStatusStore();
  private readonly subnets: readonly HostedSubnet[];
  private readonly root: HostedSubnet;
  private readonly layout: readonly SubnetLayout[];
  /** Where the management canister's own id routes: the subnet canisters are created on unless asked otherwise. */
  private readonly defaultKind: SubnetKind;
  /** A network of one subnet (the `canisterRanges` option): every canister id routes to it. */
  private readonly singleSubnet: boolean;
  private readonly delegations = new Map<string, { readonly timeNanos: bigint; readonly delegation: Delegation }>();
  private readonly dataCertificates = new Map<string, { readonly timeNanos: bigint; readonly certificate: Uint8Array }>();
  private readonly syncCallTimeoutMs: number;

  constructor(options: IcHttpInterfaceOptions) {
    this.backend = options.backend;
    const { canisterRanges } = options;
    this.singleSubnet = canisterRanges !== undefined;
    this.layout = options.subnets ?? SUBNET_LAYOUT;
    const rootKind = this.singleSubnet ? ROOT_SUBNET_KIND : rootSubnetKind(this.layout);
    this.defaultKind = this.singleSubnet ? ROOT_SUBNET_KIND : defaultSubnetKind(this.layout);
    this.keys = NetworkKeys.fromSecret(options.networkSecret, rootKind);
    this.syncCallTimeoutMs = options.syncCallTimeoutMs ?? DEFAULT_SYNC_CALL_TIMEOUT_MS;
    const layouts =
      canisterRanges === undefined
        ? this.layout.map((layout) => ({ kind: layout.kind, ranges: layout.ranges.map(principalRange) }))
        : [{ kind: ROOT_SUBNET_KIND, ranges: canisterRanges }];
    this.subnets = layouts.map(({ kind, ranges }) => {
      const keys = this.keys.subnet(kind);
      return {
        kind,
        keys,
        certifier: new Certifier(keys),
        description: {
          subnetId: keys.subnetId,
          publicKeyDer: keys.publicKeyDer,
          canisterRanges: ranges,
          nodes: [{ nodeId: keys.nodeId, publicKeyDer: keys.nodePublicKeyDer }]
        }
      };
    });
    this.root = this.subnetOfKind(rootKind);
  }

  /** The subnets of the network: kind, id, public key, ranges and nodes. */
  get subnetDescriptions(): readonly (SubnetDescription & { readonly kind: SubnetKind })[] {
    return this.subnets.map((subnet) => ({ kind: subnet.kind, ...subnet.description }));
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

  /** POST /api/v2/canister/<effective_canister_id>/query (deprecated) and /api/v3/... (current); the same reply. */
  async query(effectiveCanisterId: Principal, body: Uint8Array, generation: ApiGeneration = 'current'): Promise<HttpReply> {
    const envelope = decodeEnvelope(body, 'query');
    requireEffectiveCanisterId(envelope.content.canisterId, effectiveCanisterId);
    return this.runQuery(envelope, effectiveCanisterId, generation);
  }

  /** POST /api/v3/subnet/<effective_subnet_id>/query: a query to a canister of that subnet. */
  async subnetQuery(subnetId: Principal, body: Uint8Array): Promise<HttpReply> {
    const subnet = this.requireSubnet(subnetId);
    const envelope = decodeEnvelope(body, 'query');
    return this.runQuery(envelope, this.effectiveCanisterOnSubnet(envelope.content.canisterId, subnet), 'current');
  }

  private async runQuery(envelope: Envelope<QueryContent>, effectiveCanisterId: Principal, generation: ApiGeneration): Promise<HttpReply> {
    const { content } = envelope;
    const subnet = this.subnetOfCanister(effectiveCanisterId);
    const now = this.backend.nowNanos();
    authenticateRequest(envelope, now);
    let dataCertificate: Uint8Array | undefined;
    const certificateScope = { subnet, ranges: rangesOf(generation, effectiveCanisterId) };
    const result = await this.backend.query({
      canisterId: content.canisterId,
      methodName: content.methodName,
      arg: content.arg,
      caller: content.sender,
      effectiveCanisterId,
      dataCertificate: () => (dataCertificate ??= this.certify([certifiedDataPath(content.canisterId)], {}, certificateScope)),
      dataCertificateAt: (certifiedData, timeNanos) => this.dataCertificateIn(certificateScope, content.canisterId, certifiedData, timeNanos)
    });
    return cborReply(200, signedQueryResponse(subnet.keys, result, envelope.requestId, now));
  }

  /** POST /api/v2/canister/<effective_canister_id>/call (asynchronous), /api/v3/... and /api/v4/... (synchronous). */
  async call(version: CallVersion, effectiveCanisterId: Principal, body: Uint8Array): Promise<HttpReply> {
    const envelope = decodeEnvelope(body, 'call');
    requireEffectiveCanisterId(envelope.content.canisterId, effectiveCanisterId);
    // The deprecated v3 call answers in the shape of the deprecated endpoints (legacy routing table in the delegation).
    return this.runCall(version, envelope, effectiveCanisterId, version === 'v4' ? canisterShard(effectiveCanisterId) : LEGACY_RANGES);
  }

  /** POST /api/v4/subnet/<effective_subnet_id>/call (synchronous): a call to a canister of that subnet. */
  async subnetCall(subnetId: Principal, body: Uint8Array): Promise<HttpReply> {
    const subnet = this.requireSubnet(subnetId);
    const envelope = decodeEnvelope(body, 'call');
    return this.runCall('v4', envelope, this.effectiveCanisterOnSubnet(envelope.content.canisterId, subnet), NO_RANGES);
  }

  private async runCall(
    version: CallVersion,
    envelope: Envelope<CallContent>,
    effectiveCanisterId: Principal,
    ranges: DelegatedRanges
  ): Promise<HttpReply> {
    const subnet = this.subnetOfCanister(effectiveCanisterId);
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
    const certificate = this.certify([['request_status', envelope.requestId]], {}, { subnet, ranges });
    return cborReply(200, { status: 'replied', certificate });
  }

  /** POST /api/v2/canister/<effective_canister_id>/read_state (deprecated) and /api/v3/... (current). */
  readCanisterState(generation: ApiGeneration, effectiveCanisterId: Principal, body: Uint8Array): HttpReply {
    const envelope = decodeEnvelope(body, 'read_state');
    const subnet = this.subnetOfCanister(effectiveCanisterId);
    const now = this.backend.nowNanos();
    this.requests.prune(now);
    const targets = authenticateRequest(envelope, now);
    authorizeCanisterPaths(envelope.content.paths, {
      generation,
      rootSubnetId: this.root.keys.subnetId,
      effectiveCanisterId,
      sender: envelope.content.sender,
      targets,
      requests: this.requests,
      findCanister: (id) => this.findCanister(id)
    });
    const ranges = rangesOf(generation, effectiveCanisterId);
    return cborReply(200, { certificate: this.certify(envelope.content.paths, {}, { subnet, ranges }) });
  }

  /** POST /api/v2/subnet/<subnet_id>/read_state (deprecated) and /api/v3/... (current). */
  readSubnetState(generation: ApiGeneration, subnetId: Principal, body: Uint8Array): HttpReply {
    const subnet = this.requireSubnet(subnetId);
    const envelope = decodeEnvelope(body, 'read_state');
    authenticateRequest(envelope, this.backend.nowNanos());
    authorizeSubnetPaths(envelope.content.paths, { generation, rootSubnetId: this.root.keys.subnetId });
    const ranges = generation === 'deprecated' ? LEGACY_RANGES : NO_RANGES;
    return cborReply(200, { certificate: this.certify(envelope.content.paths, {}, { subnet, ranges }) });
  }

  /**
   * The certificate a canister sees in a non-replicated query
   * (`ic0.data_certificate_copy`): `/time` and
   * `/canister/<canisterId>/certified_data` at the network's current time.
   */
  dataCertificate(canisterId: Principal, generation: ApiGeneration = DATA_CERTIFICATE_GENERATION): Uint8Array {
    return this.certificate([certifiedDataPath(canisterId)], {}, { canisterId, generation });
  }

  /**
   * The same, for an engine that already holds the canister's certified data
   * and the time of the state its query runs on (the shape of the engine's
   * `CertificateProvider`): those values replace what the backend reports.
   */
  dataCertificateAt(canisterId: Principal, certifiedData: Uint8Array, timeNanos: bigint): Uint8Array {
    const scope = { subnet: this.subnetOfCanister(canisterId), ranges: rangesOf(DATA_CERTIFICATE_GENERATION, canisterId) };
    return this.dataCertificateIn(scope, canisterId, certifiedData, timeNanos);
  }

  /**
   * The certificate of a canister's certified data for a query at time
   * `timeNanos`. On the replica a query gets the certificate of the latest
   * certified state, made once per block, so queries within a block share it
   * and its time trails theirs. Here a certificate is kept and handed to the
   * queries of the next CERTIFIED_STATE_INTERVAL_NANOS while the certified
   * data stays the same.
   */
  private dataCertificateIn(scope: CertificateScope, canisterId: Principal, certifiedData: Uint8Array, timeNanos: bigint): Uint8Array {
    const ranges = scope.ranges.kind === 'shard' ? `shard ${scope.ranges.canisterId.toText()}` : scope.ranges.kind;
    const key = `${scope.subnet.kind} ${ranges} ${canisterId.toText()} ${bytesToHex(certifiedData)}`;
    const kept = this.dataCertificates.get(key);
    if (kept !== undefined && timeNanos >= kept.timeNanos && timeNanos - kept.timeNanos < CERTIFIED_STATE_INTERVAL_NANOS) return kept.certificate;
    const certificate = this.certify([certifiedDataPath(canisterId)], { timeNanos, certifiedData: { canisterId, data: certifiedData } }, scope);
    this.dataCertificates.delete(key);
    if (this.dataCertificates.size >= KEPT_DATA_CERTIFICATES) this.dataCertificates.delete(this.dataCertificates.keys().next().value!);
    this.dataCertificates.set(key, { timeNanos, certificate });
    return certificate;
  }

  /**
   * A certificate of a subnet's current state revealing `paths` (and always
   * `/time`), everything else pruned: that of `canisterId`'s subnet, or of
   * the root subnet. A subnet's state holds its own canisters and requests
   * and every subnet's public key and ranges; a non-root subnet's
   * certificate carries the root subnet's delegation.
   */
  certificate(
    paths: readonly (readonly (Uint8Array | string)[])[],
    override: StateOverride = {},
    where: { readonly canisterId?: Principal; readonly generation?: ApiGeneration } = {}
  ): Uint8Array {
    if (where.canisterId === undefined) return this.certify(paths, override, { subnet: this.root, ranges: NO_RANGES });
    const subnet = this.subnetOfCanister(where.canisterId);
    return this.certify(paths, override, { subnet, ranges: rangesOf(where.generation ?? 'current', where.canisterId) });
  }

  private certify(paths: readonly (readonly (Uint8Array | string)[])[], override: StateOverride, scope: CertificateScope): Uint8Array {
    const { subnet } = scope;
    const time = override.timeNanos ?? this.backend.nowNanos();
    const tree = buildStateTree({
      time,
      subnets: this.subnets.map((entry) => entry.description),
      requests: [...this.requests.all()].filter((request) => this.hostedBy(request.effectiveCanisterId, subnet)),
      canisters: [...withCertifiedData(this.backend.certifiedCanisters(), override.certifiedData)].filter((canister) =>
        this.hostedBy(canister.id, subnet)
      )
    });
    const delegation = subnet === this.root ? undefined : this.delegationFor(subnet, scope.ranges);
    return subnet.certifier.certify(new HashTreeBuilder().witness(tree, toLabels([...paths, ['time']])), delegation);
  }

  /**
   * The root subnet's certificate of `subnet`'s public key and of the
   * canister ranges the endpoint reveals (spec, "Delegation";
   * delegated_ranges.ts). Re-signed when the network's time has moved on by
   * a minute.
   */
  private delegationFor(subnet: HostedSubnet, ranges: DelegatedRanges): Delegation {
    const now = this.backend.nowNanos();
    const content = delegationContent(subnet.description, ranges);
    const key = `${subnet.kind} ${content.key}`;
    const cached = this.delegations.get(key);
    if (cached !== undefined && now >= cached.timeNanos && now - cached.timeNanos < DELEGATION_REFRESH_NANOS) return cached.delegation;
    const tree = buildStateTree({ time: now, subnets: this.subnets.map((entry) => entry.description), requests: [], canisters: [] });
    const witness = new HashTreeBuilder().witness(tree, toLabels(content.paths));
    const delegation = { subnetId: subnet.keys.subnetId, certificate: this.root.certifier.certify(witness) };
    this.delegations.set(key, { timeNanos: now, delegation });
    return delegation;
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
      ingressExpiry: content.ingressExpiry,
      messageBytes: envelope.byteLength
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

  private requireSubnet(subnetId: Principal): HostedSubnet {
    const subnet = this.subnets.find((entry) => entry.keys.subnetId.toHex() === subnetId.toHex());
    if (subnet === undefined) {
      const known = this.subnets.map((entry) => entry.keys.subnetId.toText()).join(', ');
      throw new EffectiveCanisterIdError(`Subnet ${subnetId.toText()} is not part of this network; its subnets are ${known}.`);
    }
    return subnet;
  }

  private subnetOfKind(kind: SubnetKind): HostedSubnet {
    const subnet = this.subnets.find((entry) => entry.kind === kind);
    if (subnet === undefined) throw new RangeError(`this network has no ${kind} subnet`);
    return subnet;
  }

  /**
   * The subnet an effective canister id routes to: the one whose ranges hold
   * it; the management canister's own id routes to the default (application)
   * subnet, where canisters are created unless a subnet is asked for.
   */
  private subnetOfCanister(canisterId: Principal): HostedSubnet {
    if (this.singleSubnet) return this.root;
    if (canisterId.toHex() === MANAGEMENT_CANISTER_ID.toHex()) return this.subnetOfKind(this.defaultKind);
    const kind = subnetKindOfCanister(canisterId, this.layout);
    if (kind === undefined) {
      throw new EffectiveCanisterIdError(`Canister ${canisterId.toText()} does not belong to any subnet of this network.`);
    }
    return this.subnetOfKind(kind);
  }

  private hostedBy(canisterId: Principal, subnet: HostedSubnet): boolean {
    if (this.singleSubnet) return true;
    if (canisterId.toHex() === MANAGEMENT_CANISTER_ID.toHex()) return subnet.kind === this.defaultKind;
    return inRanges(canisterId, subnet.description.canisterRanges);
  }

  /**
   * At a subnet endpoint the called canister is its own effective canister
   * id and must lie in the subnet's ranges; the management canister is
   * addressed as itself, so the backend refuses its methods that need an
   * effective canister id other than its own.
   */
  private effectiveCanisterOnSubnet(canisterId: Principal, subnet: HostedSubnet): Principal {
    if (canisterId.toHex() === MANAGEMENT_CANISTER_ID.toHex()) return canisterId;
    if (!inRanges(canisterId, subnet.description.canisterRanges)) {
      throw new EffectiveCanisterIdError(`Canister ${canisterId.toText()} is not hosted by subnet ${subnet.keys.subnetId.toText()}.`);
    }
    return canisterId;
  }

  private findCanister(id: Principal): CertifiedCanister | undefined {
    for (const canister of this.backend.certifiedCanisters()) if (canister.id.toHex() === id.toHex()) return canister;
    return undefined;
  }
}

function inRanges(canisterId: Principal, ranges: readonly CanisterRange[]): boolean {
  const bytes = canisterId.toUint8Array();
  return ranges.some(([low, high]) => compareBytes(low.toUint8Array(), bytes) <= 0 && compareBytes(bytes, high.toUint8Array()) <= 0);
}

/** The ranges a delegation reveals on an endpoint of `generation` for `effectiveCanisterId`. */
function rangesOf(generation: ApiGeneration, effectiveCanisterId: Principal): DelegatedRanges {
  return generation === 'deprecated' ? LEGACY_RANGES : canisterShard(effectiveCanisterId);
}

function canisterShard(canisterId: Principal): DelegatedRanges {
  return { kind: 'shard', canisterId };
}

function certifiedDataPath(canisterId: Principal): readonly (Uint8Array | string)[] {
  return ['canister', canisterId.toUint8Array(), 'certified_data'];
}

function toLabels(paths: readonly (readonly (Uint8Array | string)[])[]): Uint8Array[][] {
  const encoder = new TextEncoder();
  return paths.map((path) => path.map((label) => (typeof label === 'string' ? encoder.encode(label) : label)));
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
