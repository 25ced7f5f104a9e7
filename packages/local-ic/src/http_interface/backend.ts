import type { Principal } from '@dfinity/principal';
import type { CallResult } from '../shared/call_result';

export type { CallResult } from '../shared/call_result';
export type CallRejection = Extract<CallResult, { kind: 'rejected' }>;

/**
 * What the HTTP interface needs from the execution engine. The interface
 * authenticates every request before it reaches these methods: `caller` is
 * always a verified principal (or the anonymous one), and nothing is called
 * for a request that failed validation.
 */
export interface ReplicaBackend {
  /** The network's time in nanoseconds since 1970-01-01; it never goes backwards. */
  nowNanos(): bigint;

  /**
   * The checks an honest replica makes before it accepts a call (interface
   * spec, "Asynchronous canister calling", step 1): the canister exists, is
   * not empty, is running and not frozen, and its `canister_inspect_message`
   * accepts; for the management canister, the method may be called by users,
   * `effectiveCanisterId` is the `canister_id` (or `target_canister` for
   * install_chunked_code) in the Candid argument, and the caller controls
   * that canister (provisional_create_canister_with_cycles excepted).
   * Return a rejection to refuse the call (the client gets it without a
   * certificate), or undefined to accept it.
   */
  inspectIngress(call: IngressCall): Promise<CallRejection | undefined>;

  /** Executes an accepted update call to completion (replicated execution). */
  update(call: IngressCall): Promise<CallResult>;

  /**
   * Executes a query call (non-replicated). For the management canister the
   * backend must check `effectiveCanisterId` itself, as for `inspectIngress`.
   * The canister gets `call.dataCertificate()` from `ic0.data_certificate_copy`.
   */
  query(call: QueryCall): Promise<CallResult>;

  /**
   * Every canister of the network with what the state tree certifies about
   * it (interface spec, "The system state tree", `/canister/<id>/...`).
   */
  certifiedCanisters(): Iterable<CertifiedCanister>;
}

export interface CanisterCall {
  readonly canisterId: Principal;
  readonly methodName: string;
  readonly arg: Uint8Array;
  /** The authenticated sender: the principal of the outermost key of a delegation chain. */
  readonly caller: Principal;
  /** The effective canister id of the URL; equal to `canisterId` unless the call goes to the management canister. */
  readonly effectiveCanisterId: Principal;
}

export interface IngressCall extends CanisterCall {
  readonly requestId: Uint8Array;
  readonly ingressExpiry: bigint;
  /** Bytes of the signed message as received: what its induction fee is charged by. */
  readonly messageBytes: number;
}

export interface QueryCall extends CanisterCall {
  /**
   * The certificate a canister sees in this query: `/time` and
   * `/canister/<canisterId>/certified_data`, signed by the root key. It is
   * made (and BLS-signed) on first use only.
   */
  dataCertificate(): Uint8Array;
  /** The same for an engine that knows the certified data and time of the state its query runs on. */
  dataCertificateAt(certifiedData: Uint8Array, timeNanos: bigint): Uint8Array;
}

export interface CertifiedCanister {
  readonly id: Principal;
  /** At most 32 bytes, as set by `ic0.certified_data_set`. */
  readonly certifiedData: Uint8Array;
  /** SHA-256 of the installed module; undefined for an empty canister. */
  readonly moduleHash: Uint8Array | undefined;
  readonly controllers: readonly Principal[];
  /** `icp:public <name>` and `icp:private <name>` custom sections of the module, by name. */
  readonly metadata?: ReadonlyMap<string, CanisterMetadataSection>;
}

export interface CanisterMetadataSection {
  readonly visibility: 'public' | 'private';
  readonly content: Uint8Array;
}
