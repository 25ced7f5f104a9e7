import { Principal } from '@dfinity/principal';
import { MAX_PRINCIPAL_LENGTH } from '../shared/ids';
import { CborDecodeError, decodeCbor, type CborMap, type CborValue } from './cbor';
import { MalformedRequestError } from './errors';
import { hashCborValue, requestIdOf } from './request_id';

/**
 * The authentication envelope of a request (interface spec,
 * "Authentication"): `{content, sender_pubkey?, sender_sig?,
 * sender_delegation?}`, CBOR-encoded, usually behind the self-describe tag.
 */

export type RequestType = 'call' | 'query' | 'read_state';

interface CommonContent {
  readonly sender: Principal;
  readonly ingressExpiry: bigint;
  readonly nonce: Uint8Array | undefined;
}

export interface CanisterCallContent extends CommonContent {
  readonly canisterId: Principal;
  readonly methodName: string;
  readonly arg: Uint8Array;
}

export interface CallContent extends CanisterCallContent {
  readonly requestType: 'call';
}

export interface QueryContent extends CanisterCallContent {
  readonly requestType: 'query';
}

export interface ReadStateContent extends CommonContent {
  readonly requestType: 'read_state';
  readonly paths: readonly (readonly Uint8Array[])[];
}

export type ContentOf<T extends RequestType> = T extends 'call'
  ? CallContent
  : T extends 'query'
    ? QueryContent
    : ReadStateContent;

export interface Delegation {
  readonly pubkey: Uint8Array;
  readonly expiration: bigint;
  /** Absent when the delegation is not restricted to some canisters. */
  readonly targets: readonly Principal[] | undefined;
}

export interface SignedDelegation {
  readonly delegation: Delegation;
  /** The representation-independent hash of the `delegation` map as sent (what its signature covers). */
  readonly delegationHash: Uint8Array;
  readonly signature: Uint8Array;
}

export interface Envelope<C> {
  readonly content: C;
  /** The representation-independent hash of `content` exactly as sent. */
  readonly requestId: Uint8Array;
  readonly senderPubkey: Uint8Array | undefined;
  readonly senderSig: Uint8Array | undefined;
  readonly senderDelegation: readonly SignedDelegation[] | undefined;
  /** Bytes of the CBOR body it came in: the IC charges an ingress message's induction by them. */
  readonly byteLength: number;
}

export function decodeEnvelope<T extends RequestType>(body: Uint8Array, requestType: T): Envelope<ContentOf<T>> {
  let decoded: CborValue;
  try {
    decoded = decodeCbor(body);
  } catch (error) {
    if (error instanceof CborDecodeError) {
      throw new MalformedRequestError(`Failed to deserialize cbor request: ${error.message}`);
    }
    throw error;
  }
  const envelope = asMap(decoded, 'the request envelope');
  const contentValue = envelope.entries.get('content');
  if (contentValue === undefined) throw new MalformedRequestError('Malformed request: the envelope has no content');
  const contentMap = asMap(contentValue, 'content');
  const senderPubkey = optionalBytes(envelope, 'sender_pubkey');
  const senderSig = optionalBytes(envelope, 'sender_sig');
  const delegations = envelope.entries.get('sender_delegation');
  return {
    content: decodeContent(contentMap, requestType),
    requestId: requestIdOf(contentMap),
    senderPubkey,
    senderSig,
    senderDelegation: delegations === undefined ? undefined : decodeDelegations(delegations),
    byteLength: body.length
  };
}

function decodeContent<T extends RequestType>(content: CborMap, expected: T): ContentOf<T> {
  const requestType = requiredText(content, 'request_type');
  if (requestType !== expected) {
    throw new MalformedRequestError(
      `Malformed request: expected request_type "${expected}" at this endpoint, got "${requestType}"`
    );
  }
  const common: CommonContent = {
    sender: principal(requiredBytes(content, 'sender'), 'sender'),
    ingressExpiry: requiredNat(content, 'ingress_expiry'),
    nonce: optionalBytes(content, 'nonce')
  };
  if (expected === 'read_state') {
    const readState: ReadStateContent = { ...common, requestType: 'read_state', paths: decodePaths(content) };
    return readState as ContentOf<T>;
  }
  const call: CanisterCallContent = {
    ...common,
    canisterId: principal(requiredBytes(content, 'canister_id'), 'canister_id'),
    methodName: requiredText(content, 'method_name'),
    arg: requiredBytes(content, 'arg')
  };
  return { ...call, requestType: expected } as ContentOf<T>;
}

function decodePaths(content: CborMap): Uint8Array[][] {
  const paths = content.entries.get('paths');
  if (paths === undefined) throw missing('paths');
  return asArray(paths, 'paths').map((path) =>
    asArray(path, 'a path').map((label) => {
      if (label.type !== 'bytes') throw new MalformedRequestError('Malformed request: path labels must be blobs');
      return label.value;
    })
  );
}

function decodeDelegations(value: CborValue): SignedDelegation[] {
  return asArray(value, 'sender_delegation').map((item) => {
    const signed = asMap(item, 'a signed delegation');
    const delegationValue = signed.entries.get('delegation');
    if (delegationValue === undefined) throw missing('delegation');
    const delegation = asMap(delegationValue, 'delegation');
    const targets = delegation.entries.get('targets');
    return {
      delegation: {
        pubkey: requiredBytes(delegation, 'pubkey'),
        expiration: requiredNat(delegation, 'expiration'),
        targets:
          targets === undefined
            ? undefined
            : asArray(targets, 'targets').map((target) => {
                if (target.type !== 'bytes') throw new MalformedRequestError('Malformed request: targets must be blobs');
                return principal(target.value, 'a delegation target');
              })
      },
      delegationHash: hashCborValue(delegation),
      signature: requiredBytes(signed, 'signature')
    };
  });
}

function principal(bytes: Uint8Array, field: string): Principal {
  if (bytes.length > MAX_PRINCIPAL_LENGTH) {
    throw new MalformedRequestError(
      `Malformed request: ${field} has ${bytes.length} bytes, but principals have at most ${MAX_PRINCIPAL_LENGTH}`
    );
  }
  return Principal.fromUint8Array(bytes);
}

function missing(field: string): MalformedRequestError {
  return new MalformedRequestError(`Malformed request: missing field ${field}`);
}

function asMap(value: CborValue, what: string): CborMap {
  if (value.type !== 'map') throw new MalformedRequestError(`Malformed request: ${what} must be a map`);
  return value;
}

function asArray(value: CborValue, what: string): readonly CborValue[] {
  if (value.type !== 'array') throw new MalformedRequestError(`Malformed request: ${what} must be an array`);
  return value.items;
}

function requiredBytes(map: CborMap, field: string): Uint8Array {
  const value = optionalBytes(map, field);
  if (value === undefined) throw missing(field);
  return value;
}

function optionalBytes(map: CborMap, field: string): Uint8Array | undefined {
  const value = map.entries.get(field);
  if (value === undefined) return undefined;
  if (value.type !== 'bytes') throw new MalformedRequestError(`Malformed request: ${field} must be a blob`);
  return value.value;
}

function requiredText(map: CborMap, field: string): string {
  const value = map.entries.get(field);
  if (value === undefined) throw missing(field);
  if (value.type !== 'text') throw new MalformedRequestError(`Malformed request: ${field} must be text`);
  return value.value;
}

const MAX_U64 = (1n << 64n) - 1n;

function requiredNat(map: CborMap, field: string): bigint {
  const value = map.entries.get(field);
  if (value === undefined) throw missing(field);
  // The replica reads timestamps as u64 nanoseconds.
  if (value.type !== 'unsigned' || value.value > MAX_U64) {
    throw new MalformedRequestError(`Malformed request: ${field} must be a natural number below 2^64`);
  }
  return value.value;
}
