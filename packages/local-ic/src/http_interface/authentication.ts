import { Principal } from '@dfinity/principal';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import type { ContentOf, Envelope, RequestType, SignedDelegation } from './envelope';
import { MalformedRequestError, RequestValidationError } from './errors';
import { parseUserPublicKey, PublicKeyError, verifyUserSignature, type UserPublicKey } from './public_keys';

/**
 * Request validation as the replica's ingress validator does it (interface
 * spec, "Authentication" and "Envelope Authentication"): ingress expiry,
 * nonce size, read_state path limits, sender authentication by a
 * self-authenticating principal, the request signature and the delegation
 * chain with its expirations and canister targets. Everything here runs
 * before any canister code; a failure throws a RequestValidationError.
 */

/** Limits from the spec; the replica refuses requests above them without checking signatures. */
export const MAX_INGRESS_TTL_NANOS = 5n * 60n * 1_000_000_000n;
/** The replica admits expiries this much beyond MAX_INGRESS_TTL, for clients whose clock runs slightly ahead. */
export const PERMITTED_DRIFT_AT_VALIDATOR_NANOS = 30n * 1_000_000_000n;
export const MAX_DELEGATIONS = 20;
export const MAX_TARGETS_PER_DELEGATION = 1_000;
export const MAX_NONCE_BYTES = 32;
export const MAX_READ_STATE_PATHS = 1_000;
export const MAX_LABELS_PER_PATH = 127;

/** Domain separators (interface spec, "Authentication"); the first byte is the length of the rest. */
export const REQUEST_DOMAIN_SEPARATOR = new TextEncoder().encode('\x0Aic-request');
export const DELEGATION_DOMAIN_SEPARATOR = new TextEncoder().encode('\x1Aic-request-auth-delegation');

/** The canisters a request may act on after its delegations have been applied. */
export class DelegationTargets {
  private constructor(private readonly canisters: ReadonlySet<string> | undefined) {}

  static all(): DelegationTargets {
    return new DelegationTargets(undefined);
  }

  static of(targets: readonly Principal[]): DelegationTargets {
    return new DelegationTargets(new Set(targets.map((target) => target.toHex())));
  }

  contains(canister: Principal): boolean {
    return this.canisters === undefined || this.canisters.has(canister.toHex());
  }

  intersect(other: DelegationTargets): DelegationTargets {
    if (this.canisters === undefined) return other;
    if (other.canisters === undefined) return this;
    const theirs = other.canisters;
    return new DelegationTargets(new Set([...this.canisters].filter((canister) => theirs.has(canister))));
  }
}

/**
 * Validates a decoded request at network time `now` and returns the
 * canisters its delegations allow. For call and query requests it also
 * checks that the addressed canister is among them.
 */
export function authenticateRequest<T extends RequestType>(envelope: Envelope<ContentOf<T>>, now: bigint): DelegationTargets {
  const content = envelope.content;
  if (content.requestType === 'read_state') checkPathLimits(content.paths);
  // Anonymous queries and read_state requests may carry any expiry (spec, "Authentication").
  if (content.requestType === 'call' || !content.sender.isAnonymous()) checkIngressExpiry(content.ingressExpiry, now);
  if (content.nonce !== undefined && content.nonce.length > MAX_NONCE_BYTES) {
    throw new RequestValidationError(
      'nonce_too_big',
      `Nonce in request is too big: got ${content.nonce.length} bytes, but at most ${MAX_NONCE_BYTES} are allowed.`
    );
  }
  const targets = authenticateSender(envelope, now);
  if (content.requestType !== 'read_state' && !targets.contains(content.canisterId)) {
    throw new RequestValidationError(
      'not_in_delegation_targets',
      `Canister '${content.canisterId.toText()}' is not one of the delegation targets.`
    );
  }
  return targets;
}

export function checkIngressExpiry(expiry: bigint, now: bigint): void {
  const latest = now + MAX_INGRESS_TTL_NANOS + PERMITTED_DRIFT_AT_VALIDATOR_NANOS;
  if (expiry < now || expiry > latest) {
    throw new RequestValidationError(
      'invalid_request_expiry',
      'Invalid request expiry: Specified ingress_expiry not within expected range: ' +
        `Minimum allowed expiry: ${formatNanos(now)}, Maximum allowed expiry: ${formatNanos(latest)}, ` +
        `Provided expiry: ${formatNanos(expiry)}`
    );
  }
}

function checkPathLimits(paths: readonly (readonly Uint8Array[])[]): void {
  if (paths.length > MAX_READ_STATE_PATHS) {
    throw new RequestValidationError(
      'too_many_paths',
      `Too many paths in read state request: got ${paths.length} paths, but at most ${MAX_READ_STATE_PATHS} are allowed.`
    );
  }
  for (const path of paths) {
    if (path.length > MAX_LABELS_PER_PATH) {
      throw new RequestValidationError(
        'path_too_long',
        `At least one path in read state request is too deep: got ${path.length} labels, but at most ${MAX_LABELS_PER_PATH} are allowed.`
      );
    }
  }
}

function authenticateSender<T extends RequestType>(envelope: Envelope<ContentOf<T>>, now: bigint): DelegationTargets {
  const { senderPubkey, senderSig, senderDelegation } = envelope;
  const sender = envelope.content.sender;
  if (senderPubkey === undefined && senderSig === undefined) {
    if (senderDelegation !== undefined) {
      throw new MalformedRequestError('Malformed request: sender_delegation without sender_pubkey and sender_sig');
    }
    if (sender.isAnonymous()) return DelegationTargets.all();
    throw new RequestValidationError('missing_signature', `Missing signature from user: ${sender.toText()}`);
  }
  if (senderPubkey === undefined || senderSig === undefined) {
    throw new MalformedRequestError('Malformed request: sender_pubkey and sender_sig must be given together');
  }
  if (sender.isAnonymous()) {
    throw new RequestValidationError('anonymous_signature', 'Signature is not allowed for the anonymous user.');
  }
  // The sender must be the self-authenticating principal of the outermost key, never of a delegated key.
  if (Principal.selfAuthenticating(senderPubkey).toHex() !== sender.toHex()) {
    throw new RequestValidationError(
      'user_id_mismatch',
      `The user id '${sender.toText()}' does not match the public key '${bytesToHex(senderPubkey)}'`
    );
  }
  const delegations = senderDelegation ?? [];
  checkDelegationLimits(senderPubkey, delegations, now);
  let signingKey = senderPubkey;
  let targets = DelegationTargets.all();
  for (const signed of delegations) {
    verifyDelegationSignature(signingKey, signed);
    if (signed.delegation.targets !== undefined) targets = targets.intersect(DelegationTargets.of(signed.delegation.targets));
    signingKey = signed.delegation.pubkey;
  }
  const key = publicKeyOrThrow(signingKey, 'invalid_signature', 'Invalid signature');
  const message = concatBytes(REQUEST_DOMAIN_SEPARATOR, envelope.requestId);
  if (!verifyUserSignature(key, message, senderSig)) {
    throw new RequestValidationError(
      'invalid_signature',
      `Invalid signature: Invalid basic signature: the ${key.scheme} signature does not verify request id ` +
        `0x${bytesToHex(envelope.requestId)} under public key ${bytesToHex(signingKey)}`
    );
  }
  return targets;
}

function checkDelegationLimits(senderPubkey: Uint8Array, delegations: readonly SignedDelegation[], now: bigint): void {
  if (delegations.length > MAX_DELEGATIONS) {
    throw new RequestValidationError(
      'invalid_delegation',
      `Invalid delegation: Chain of delegations is too long: got ${delegations.length} delegations, but at most ${MAX_DELEGATIONS} are allowed.`
    );
  }
  for (const { delegation } of delegations) {
    if (delegation.expiration < now) {
      throw new RequestValidationError(
        'invalid_delegation_expiry',
        'Invalid delegation expiry: Specified sender delegation has expired: ' +
          `Provided expiry: ${formatNanos(delegation.expiration)}, Local replica time: ${formatNanos(now)}`
      );
    }
  }
  // A key may appear only once: no cycles and no self-delegation (spec, "Authentication").
  const seen = new Set<string>([bytesToHex(senderPubkey)]);
  for (const { delegation } of delegations) {
    const key = bytesToHex(delegation.pubkey);
    if (seen.has(key)) {
      throw new RequestValidationError(
        'invalid_delegation',
        `Invalid delegation: Chain of delegations contains at least one cycle: first repeating public key encountered ${key}`
      );
    }
    seen.add(key);
  }
  for (const { delegation } of delegations) {
    const count = new Set(delegation.targets?.map((target) => target.toHex())).size;
    if (count > MAX_TARGETS_PER_DELEGATION) {
      throw new RequestValidationError(
        'invalid_delegation',
        `Invalid delegation: Delegation target error: expected at most ${MAX_TARGETS_PER_DELEGATION} targets per delegation, but got ${count}`
      );
    }
  }
}

function verifyDelegationSignature(signerDer: Uint8Array, signed: SignedDelegation): void {
  const signer = publicKeyOrThrow(signerDer, 'invalid_delegation', 'Invalid delegation');
  const message = concatBytes(DELEGATION_DOMAIN_SEPARATOR, signed.delegationHash);
  if (!verifyUserSignature(signer, message, signed.signature)) {
    throw new RequestValidationError(
      'invalid_delegation',
      `Invalid delegation: Invalid basic signature: the ${signer.scheme} signature on the delegation to ` +
        `${bytesToHex(signed.delegation.pubkey)} does not verify under public key ${bytesToHex(signerDer)}`
    );
  }
}

function publicKeyOrThrow(
  der: Uint8Array,
  reason: 'invalid_signature' | 'invalid_delegation',
  prefix: string
): UserPublicKey {
  try {
    return parseUserPublicKey(der);
  } catch (error) {
    if (error instanceof PublicKeyError) {
      throw new RequestValidationError(reason, `${prefix}: Invalid public key: ${error.message}`);
    }
    throw error;
  }
}

/** RFC 3339 with nanoseconds, e.g. 2025-01-31T12:00:00.123456789Z. */
export function formatNanos(nanos: bigint): string {
  const millis = nanos / 1_000_000n;
  if (millis < -8_640_000_000_000_000n || millis > 8_640_000_000_000_000n) return `${nanos} ns since the epoch`;
  const iso = new Date(Number(millis)).toISOString();
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${fraction}Z`;
}
