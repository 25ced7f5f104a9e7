// Internet Identity's client authentication protocol, seen from the identity provider's side:
// the messages exchanged with the dapp window (@dfinity/auth-client) and their validation.
// Pure: no DOM, no storage, no clock.

const NANOS_PER_HOUR = 3_600_000_000_000n;

/** What @dfinity/auth-client asks for when the dapp gives no maxTimeToLive. */
export const DEFAULT_MAX_TIME_TO_LIVE = 8n * NANOS_PER_HOUR;

/** Internet Identity's upper bound on a client delegation's lifetime. */
export const MAX_TIME_TO_LIVE = 30n * 24n * NANOS_PER_HOUR;

/** The largest session public key (DER SubjectPublicKeyInfo) accepted; RSA-4096 keys are ~550 bytes. */
const MAX_SESSION_KEY_BYTES = 1024;

const DER_SEQUENCE_TAG = 0x30;

export interface ReadyMessage {
  kind: 'authorize-ready';
}

export const READY_MESSAGE: ReadyMessage = { kind: 'authorize-ready' };

/** The dapp's `authorize-client` request, validated. */
export interface AuthorizeRequest {
  sessionPublicKey: Uint8Array;
  maxTimeToLive: bigint | undefined;
  derivationOrigin: string | undefined;
}

export interface SignedDelegation {
  delegation: { pubkey: Uint8Array; expiration: bigint };
  signature: Uint8Array;
}

/** `authnMethod` is one of 'passkey' | 'pin' | 'recovery'; a key kept in the browser is II's 'pin' kind. */
export interface SuccessMessage {
  kind: 'authorize-client-success';
  delegations: SignedDelegation[];
  userPublicKey: Uint8Array;
  authnMethod: 'pin';
}

export interface FailureMessage {
  kind: 'authorize-client-failure';
  text: string;
}

export type ParsedRequest = { ok: true; request: AuthorizeRequest } | { ok: false; reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** True for messages that claim to be an `authorize-client` request (valid or not). */
export function isAuthorizeClientMessage(data: unknown): boolean {
  return isRecord(data) && data['kind'] === 'authorize-client';
}

/**
 * Validates an `authorize-client` request. Fields the dev provider does not use
 * (allowPinAuthentication, autoSelectionPrincipal, custom values) are ignored.
 */
export function parseAuthorizeClient(data: unknown): ParsedRequest {
  if (!isRecord(data) || data['kind'] !== 'authorize-client') {
    return { ok: false, reason: 'the message is not an authorize-client request' };
  }
  const sessionPublicKey = data['sessionPublicKey'];
  if (!(sessionPublicKey instanceof Uint8Array)) {
    return { ok: false, reason: 'sessionPublicKey must be a Uint8Array holding a DER-encoded public key' };
  }
  if (sessionPublicKey.length === 0 || sessionPublicKey.length > MAX_SESSION_KEY_BYTES || sessionPublicKey[0] !== DER_SEQUENCE_TAG) {
    return { ok: false, reason: `sessionPublicKey is not a DER SubjectPublicKeyInfo of at most ${MAX_SESSION_KEY_BYTES} bytes` };
  }
  const maxTimeToLive = data['maxTimeToLive'];
  if (maxTimeToLive !== undefined && (typeof maxTimeToLive !== 'bigint' || maxTimeToLive <= 0n)) {
    return { ok: false, reason: 'maxTimeToLive must be a positive bigint (nanoseconds) when given' };
  }
  const derivationOrigin = data['derivationOrigin'];
  if (derivationOrigin !== undefined && (typeof derivationOrigin !== 'string' || !isOrigin(derivationOrigin))) {
    return { ok: false, reason: `derivationOrigin must be an origin such as https://example.org (got ${JSON.stringify(derivationOrigin)})` };
  }
  return { ok: true, request: { sessionPublicKey, maxTimeToLive, derivationOrigin } };
}

/** An http(s) origin in its serialized form: scheme, host and non-default port, nothing else. */
export function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

/** The delegation's lifetime: what the dapp asked for, at most {@link MAX_TIME_TO_LIVE}. */
export function delegationTimeToLive(requested: bigint | undefined): bigint {
  const wanted = requested ?? DEFAULT_MAX_TIME_TO_LIVE;
  return wanted < MAX_TIME_TO_LIVE ? wanted : MAX_TIME_TO_LIVE;
}

export function delegationExpiration(nowNanos: bigint, requested: bigint | undefined): bigint {
  return nowNanos + delegationTimeToLive(requested);
}

/**
 * The origin a principal is derived for: the dapp's own origin, or the derivationOrigin it names.
 * Internet Identity accepts a derivationOrigin only when that origin's
 * /.well-known/ii-alternative-origins lists the dapp's origin; this development provider does not
 * check, so any dapp can ask for any other dapp's principals.
 */
export function principalOrigin(clientOrigin: string, request: AuthorizeRequest): string {
  return request.derivationOrigin ?? clientOrigin;
}

export function successMessage(signed: SignedDelegation, userPublicKey: Uint8Array): SuccessMessage {
  return { kind: 'authorize-client-success', delegations: [signed], userPublicKey, authnMethod: 'pin' };
}

export function failureMessage(text: string): FailureMessage {
  return { kind: 'authorize-client-failure', text };
}
