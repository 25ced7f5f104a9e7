// The Candid interface: the contract with every caller. Converts between Candid
// values and the core's types; decodes arguments that a caller may omit.
import { IDL } from '@dfinity/candid';

import { concatBytes, unsignedLeb128, utf8 } from './bytes';
import { encodeCandidValue } from './candid_value_writer';
import type { IssueOptions } from './claims';
import type { JwsAlgorithm } from './algorithms';
import type { Config, ConfigInput } from './config';
import type { KeyName } from './fees';
import type { HttpRequest, HttpResponse } from './http';
import type { IssuedJwtBytes } from './issuance';
import type { IssueError, IssueErrorKind } from './issue_error';
import type { AuthorizationError, AuthorizationRequest } from './oidc/authorization';
import type { OidcClient } from './oidc/clients';
import type { SigningKeyStatus } from './signing_key_status';

const RateLimit = IDL.Record({ capacity: IDL.Nat32, refill_interval_seconds: IDL.Nat32 });

export const ConfigType = IDL.Record({
  key_name: IDL.Text,
  issuer: IDL.Text,
  audiences: IDL.Vec(IDL.Text),
  default_audience: IDL.Text,
  default_ttl_seconds: IDL.Nat32,
  max_ttl_seconds: IDL.Nat32,
  rate_limit: RateLimit,
  global_limit_per_minute: IDL.Nat32,
  cycle_floor: IDL.Nat,
  algorithms: IDL.Vec(IDL.Text),
  default_algorithm: IDL.Text,
  allowed_extra_claims: IDL.Vec(IDL.Text)
});

export const ConfigInputType = IDL.Record({
  key_name: IDL.Opt(IDL.Text),
  issuer: IDL.Opt(IDL.Text),
  audiences: IDL.Opt(IDL.Vec(IDL.Text)),
  default_audience: IDL.Opt(IDL.Text),
  default_ttl_seconds: IDL.Opt(IDL.Nat32),
  max_ttl_seconds: IDL.Opt(IDL.Nat32),
  rate_limit: IDL.Opt(RateLimit),
  global_limit_per_minute: IDL.Opt(IDL.Nat32),
  cycle_floor: IDL.Opt(IDL.Nat),
  algorithms: IDL.Opt(IDL.Vec(IDL.Text)),
  default_algorithm: IDL.Opt(IDL.Text),
  allowed_extra_claims: IDL.Opt(IDL.Vec(IDL.Text))
});

export const IssueOptionsType = IDL.Record({
  audience: IDL.Opt(IDL.Text),
  ttl_seconds: IDL.Opt(IDL.Nat32),
  extra_claims: IDL.Opt(IDL.Text),
  algorithm: IDL.Opt(IDL.Text)
});

export const IssuedJwtType = IDL.Record({ token: IDL.Text, expires_at: IDL.Nat64, kid: IDL.Text });

export const SigningKeyStatusType = IDL.Variant({
  Ready: IDL.Null,
  Fetching: IDL.Null,
  Failed: IDL.Record({ reject_code: IDL.Nat32, message: IDL.Text, attempts: IDL.Nat32, next_retry_at: IDL.Nat64 })
});

export const IssueErrorType = IDL.Variant({
  AnonymousCaller: IDL.Null,
  AudienceNotAllowed: IDL.Record({ audience: IDL.Text, allowed: IDL.Vec(IDL.Text) }),
  TtlOutOfRange: IDL.Record({ requested: IDL.Nat32, min: IDL.Nat32, max: IDL.Nat32 }),
  ClaimsInvalid: IDL.Record({ reason: IDL.Text }),
  RateLimited: IDL.Record({
    scope: IDL.Variant({ Caller: IDL.Null, Global: IDL.Null }),
    retry_after_seconds: IDL.Nat32
  }),
  AlgorithmNotEnabled: IDL.Record({ algorithm: IDL.Text, enabled: IDL.Vec(IDL.Text) }),
  SigningKeyNotReady: IDL.Record({ algorithm: IDL.Text, status: SigningKeyStatusType }),
  SigningFailed: IDL.Record({ reject_code: IDL.Nat32, message: IDL.Text }),
  CyclesBelowFloor: IDL.Record({ balance: IDL.Nat, floor: IDL.Nat, fee: IDL.Nat })
});

export const IssueResultType = IDL.Variant({ Ok: IssuedJwtType, Err: IssueErrorType });

export const ConfigErrorType = IDL.Variant({
  NotController: IDL.Record({ caller: IDL.Principal }),
  InvalidConfig: IDL.Record({ field: IDL.Text, reason: IDL.Text })
});

export const UpdateConfigResultType = IDL.Variant({ Ok: ConfigType, Err: ConfigErrorType });

/** A key published ahead of signing; it signs from `activates_at` (seconds since the epoch). */
const PendingKeyType = IDL.Record({ algorithm: IDL.Text, kid: IDL.Text, activates_at: IDL.Nat64 });

export const MetricsType = IDL.Record({
  tokens_issued: IDL.Nat64,
  signatures_requested: IDL.Nat64,
  rejections: IDL.Vec(IDL.Record({ reason: IDL.Text, count: IDL.Nat64 })),
  cycle_balance: IDL.Nat,
  active_kid: IDL.Opt(IDL.Text),
  key_version: IDL.Nat32,
  active_keys: IDL.Vec(IDL.Record({ algorithm: IDL.Text, kid: IDL.Text })),
  pending_keys: IDL.Vec(PendingKeyType),
  signing_keys: IDL.Vec(IDL.Record({ algorithm: IDL.Text, status: SigningKeyStatusType })),
  authorization_codes: IDL.Nat64,
  instructions: IDL.Vec(IDL.Record({ message: IDL.Text, count: IDL.Nat64, last: IDL.Nat64, max: IDL.Nat64, total: IDL.Nat64 }))
});

/** A value of MetricsType, for building its encoder. */
const METRICS_SAMPLE = {
  tokens_issued: 0n,
  signatures_requested: 0n,
  rejections: [],
  cycle_balance: 0n,
  active_kid: [],
  key_version: 0,
  active_keys: [],
  pending_keys: [],
  signing_keys: [],
  authorization_codes: 0n,
  instructions: []
};

/**
 * A Candid encoder for replies of one type that builds the type table once: IDL.encode builds
 * it on every call, which in the canister's JavaScript interpreter costs several times the
 * encoding of the value itself. A query cannot cache it (its heap changes are discarded), so
 * the table is built when the encoder is made: at module load, in install and upgrade.
 * `sample` is any value of `type` (`header`, when given, is its candidHeader). The output is
 * byte for byte what IDL.encode gives.
 */
export function candidReplyEncoder<T>(type: IDL.Type<T>, sample: T, header = candidHeader(type, sample)): (value: T) => Uint8Array {
  return (value) => {
    type.covariant(value); // throws, naming the field, as IDL.encode does
    return concatBytes(header, encodeCandidValue(type, value));
  };
}

export const encodeMetrics = candidReplyEncoder(MetricsType, METRICS_SAMPLE);

/** A one-value Candid message's bytes before the value: magic, type table, the value's type. */
export function candidHeader<T>(type: IDL.Type<T>, sample: T): Uint8Array {
  const sampleMessage = new Uint8Array(IDL.encode([type], [sample]));
  return sampleMessage.slice(0, sampleMessage.length - type.encodeValue(sample).length);
}

const ISSUE_RESULT_OK_SAMPLE = { Ok: { token: '', expires_at: 0n, kid: '' } };

/** Built once for both encoders below: IDL.encode of the sample costs ~33 M instructions at every install and upgrade. */
const issueResultHeader = candidHeader(IssueResultType, ISSUE_RESULT_OK_SAMPLE);

/** issue_jwt's reply: IssueError's type table made most of the reply half's instructions. */
export const encodeIssueResult = candidReplyEncoder(IssueResultType, ISSUE_RESULT_OK_SAMPLE, issueResultHeader);
const issueResultOk = Uint8Array.of(0); // Ok sorts before Err (by field hash): variant index 0

/**
 * `Ok` of issue_jwt's reply, byte for byte encodeIssueResult's, with the token given as bytes.
 * IssuedJwt's fields go in the order of their hashes: kid, token, expires_at (nat64, little-endian).
 */
export function encodeIssuedJwtReply(issued: IssuedJwtBytes): Uint8Array {
  const kid = utf8(issued.kid);
  const expiresAt = new Uint8Array(8);
  new DataView(expiresAt.buffer).setBigUint64(0, BigInt(issued.expiresAt), true);
  return concatBytes(issueResultHeader, issueResultOk, unsignedLeb128(kid.length), kid, unsignedLeb128(issued.token.length), issued.token, expiresAt);
}

export const RotationErrorType = IDL.Variant({
  NotController: IDL.Record({ caller: IDL.Principal }),
  KeyFetchFailed: IDL.Record({ algorithm: IDL.Text, reject_code: IDL.Nat32, message: IDL.Text }),
  RotationInProgress: IDL.Null
});

/** `active_keys` keep signing until the `pending_keys` activate. */
export const RotationType = IDL.Record({
  key_version: IDL.Nat32,
  active_keys: IDL.Vec(IDL.Record({ algorithm: IDL.Text, kid: IDL.Text })),
  pending_keys: IDL.Vec(PendingKeyType)
});

export const RotateKeysResultType = IDL.Variant({ Ok: RotationType, Err: RotationErrorType });

const HeaderField = IDL.Tuple(IDL.Text, IDL.Text);

export const HttpRequestType = IDL.Record({
  method: IDL.Text,
  url: IDL.Text,
  headers: IDL.Vec(HeaderField),
  body: IDL.Vec(IDL.Nat8),
  certificate_version: IDL.Opt(IDL.Nat16)
});

export const HttpResponseType = IDL.Record({
  status_code: IDL.Nat16,
  headers: IDL.Vec(HeaderField),
  body: IDL.Vec(IDL.Nat8),
  upgrade: IDL.Opt(IDL.Bool)
});

export const HttpUpdateRequestType = IDL.Record({
  method: IDL.Text,
  url: IDL.Text,
  headers: IDL.Vec(HeaderField),
  body: IDL.Vec(IDL.Nat8)
});

export const OidcClientType = IDL.Record({
  client_id: IDL.Text,
  kind: IDL.Variant({ Native: IDL.Null, Web: IDL.Null }),
  redirect_uris: IDL.Vec(IDL.Text),
  id_token_algorithm: IDL.Text,
  access_token_audience: IDL.Text,
  subject_type: IDL.Variant({ Public: IDL.Null, Pairwise: IDL.Null })
});

export const ClientResultType = IDL.Variant({
  Ok: IDL.Null,
  Err: IDL.Variant({
    NotController: IDL.Record({ caller: IDL.Principal }),
    InvalidClient: IDL.Record({ field: IDL.Text, reason: IDL.Text }),
    UnknownClient: IDL.Record({ client_id: IDL.Text }),
    TooManyClients: IDL.Record({ max: IDL.Nat32 })
  })
});

export const AuthorizationRequestType = IDL.Record({
  response_type: IDL.Text,
  client_id: IDL.Text,
  redirect_uri: IDL.Text,
  scope: IDL.Text,
  state: IDL.Text,
  nonce: IDL.Text,
  code_challenge: IDL.Text,
  code_challenge_method: IDL.Text
});

const AuthorizationErrorType = IDL.Record({ error: IDL.Text, error_description: IDL.Text, redirect_to: IDL.Opt(IDL.Text) });

export const CheckAuthorizationResultType = IDL.Variant({ Ok: IDL.Record({ client_id: IDL.Text }), Err: AuthorizationErrorType });

export const AuthorizeResultType = IDL.Variant({ Ok: IDL.Record({ redirect_to: IDL.Text }), Err: AuthorizationErrorType });

export interface CandidOidcClient {
  client_id: string;
  kind: { Native: null } | { Web: null };
  redirect_uris: string[];
  id_token_algorithm: string;
  access_token_audience: string;
  subject_type: { Public: null } | { Pairwise: null };
}

export function oidcClientFromCandid(value: CandidOidcClient): Omit<OidcClient, 'idTokenAlgorithm'> & { idTokenAlgorithm: string } {
  return {
    clientId: value.client_id,
    kind: 'Native' in value.kind ? 'Native' : 'Web',
    redirectUris: [...value.redirect_uris],
    idTokenAlgorithm: value.id_token_algorithm,
    accessTokenAudience: value.access_token_audience,
    subjectType: 'Public' in value.subject_type ? 'Public' : 'Pairwise'
  };
}

export function oidcClientToCandid(client: OidcClient): CandidOidcClient {
  return {
    client_id: client.clientId,
    kind: client.kind === 'Native' ? { Native: null } : { Web: null },
    redirect_uris: [...client.redirectUris],
    id_token_algorithm: client.idTokenAlgorithm,
    access_token_audience: client.accessTokenAudience,
    subject_type: client.subjectType === 'Public' ? { Public: null } : { Pairwise: null }
  };
}

export interface CandidAuthorizationRequest {
  response_type: string;
  client_id: string;
  redirect_uri: string;
  scope: string;
  state: string;
  nonce: string;
  code_challenge: string;
  code_challenge_method: string;
}

export function authorizationRequestFromCandid(value: CandidAuthorizationRequest): AuthorizationRequest {
  return {
    responseType: value.response_type,
    clientId: value.client_id,
    redirectUri: value.redirect_uri,
    scope: value.scope,
    state: value.state,
    nonce: value.nonce,
    codeChallenge: value.code_challenge,
    codeChallengeMethod: value.code_challenge_method
  };
}

export function authorizationErrorToCandid(error: AuthorizationError): { error: string; error_description: string; redirect_to: Opt<string> } {
  return { error: error.error, error_description: error.errorDescription, redirect_to: some(error.redirectTo) };
}

/** Arguments larger than this are refused before decoding. */
export const MAX_ARGUMENT_BYTES = 8 * 1024;

export class ArgumentError extends Error {
  readonly code = 'ERR_ARGUMENT';
}

type Opt<T> = [] | [T];

const opt = <T>(value: Opt<T>): T | undefined => (value.length === 0 ? undefined : value[0]);
const some = <T>(value: T | undefined): Opt<T> => (value === undefined ? [] : [value]);

/**
 * Decodes a method's single `opt T` argument, accepting a message with no argument
 * at all (which Candid allows for a trailing opt). Returns null when absent.
 */
export function decodeOptionalArgument<T>(type: IDL.Type, bytes: Uint8Array, what: string): T | null {
  if (bytes.length > MAX_ARGUMENT_BYTES) {
    throw new ArgumentError(`${what}: the argument is ${bytes.length} bytes; the limit is ${MAX_ARGUMENT_BYTES}`);
  }
  try {
    const [value] = IDL.decode([IDL.Opt(type)], bytes) as [Opt<T>];
    return opt(value) ?? null;
  } catch (cause) {
    if (hasNoArguments(bytes)) return null;
    throw new ArgumentError(`${what}: the argument is not valid Candid for (opt ${type.display()}): ${(cause as Error).message}`);
  }
}

function hasNoArguments(bytes: Uint8Array): boolean {
  try {
    IDL.decode([], bytes);
  } catch {
    return false;
  }
  try {
    IDL.decode([IDL.Reserved], bytes);
    return false;
  } catch {
    return true;
  }
}

export function decodeSingleArgument<T>(type: IDL.Type, bytes: Uint8Array, what: string): T {
  if (bytes.length > MAX_ARGUMENT_BYTES) {
    throw new ArgumentError(`${what}: the argument is ${bytes.length} bytes; the limit is ${MAX_ARGUMENT_BYTES}`);
  }
  try {
    return (IDL.decode([type], bytes) as [T])[0];
  } catch (cause) {
    throw new ArgumentError(`${what}: the argument is not valid Candid for (${type.display()}): ${(cause as Error).message}`);
  }
}

export interface CandidIssueOptions {
  audience: Opt<string>;
  ttl_seconds: Opt<number>;
  extra_claims: Opt<string>;
  algorithm: Opt<string>;
}

export function issueOptionsFromCandid(value: CandidIssueOptions | null): IssueOptions {
  if (value === null) return {};
  return {
    audience: opt(value.audience),
    ttlSeconds: opt(value.ttl_seconds),
    extraClaims: opt(value.extra_claims),
    // An older client's record has no algorithm field.
    algorithm: opt(value.algorithm ?? [])
  };
}

export interface CandidConfig {
  key_name: string;
  issuer: string;
  audiences: string[];
  default_audience: string;
  default_ttl_seconds: number;
  max_ttl_seconds: number;
  rate_limit: { capacity: number; refill_interval_seconds: number };
  global_limit_per_minute: number;
  cycle_floor: bigint;
  algorithms: string[];
  default_algorithm: string;
  allowed_extra_claims: string[];
}

export type CandidConfigInput = { [K in keyof CandidConfig]: Opt<CandidConfig[K]> };

export function configToCandid(config: Config): CandidConfig {
  return {
    key_name: config.keyName,
    issuer: config.issuer,
    audiences: [...config.audiences],
    default_audience: config.defaultAudience,
    default_ttl_seconds: config.defaultTtlSeconds,
    max_ttl_seconds: config.maxTtlSeconds,
    rate_limit: {
      capacity: config.rateLimit.capacity,
      refill_interval_seconds: config.rateLimit.refillIntervalSeconds
    },
    global_limit_per_minute: config.globalLimitPerMinute,
    cycle_floor: config.cycleFloor,
    algorithms: [...config.algorithms],
    default_algorithm: config.defaultAlgorithm,
    allowed_extra_claims: [...config.allowedExtraClaims]
  };
}

export function configInputFromCandid(input: CandidConfigInput | null): ConfigInput {
  if (input === null) return {};
  const rateLimit = opt(input.rate_limit);
  const result: ConfigInput = {
    // The key name is checked against the known names by validateConfig.
    keyName: opt(input.key_name) as KeyName | undefined,
    issuer: opt(input.issuer),
    audiences: opt(input.audiences),
    defaultAudience: opt(input.default_audience),
    defaultTtlSeconds: opt(input.default_ttl_seconds),
    maxTtlSeconds: opt(input.max_ttl_seconds),
    rateLimit:
      rateLimit === undefined
        ? undefined
        : { capacity: rateLimit.capacity, refillIntervalSeconds: rateLimit.refill_interval_seconds },
    globalLimitPerMinute: opt(input.global_limit_per_minute),
    cycleFloor: opt(input.cycle_floor),
    // Checked against the known algorithms by validateConfig.
    algorithms: opt(input.algorithms ?? []) as JwsAlgorithm[] | undefined,
    defaultAlgorithm: opt(input.default_algorithm ?? []) as JwsAlgorithm | undefined,
    allowedExtraClaims: opt(input.allowed_extra_claims ?? [])
  };
  return Object.fromEntries(Object.entries(result).filter(([, value]) => value !== undefined)) as ConfigInput;
}

export function configInputToCandid(input: ConfigInput): CandidConfigInput {
  return {
    key_name: some(input.keyName),
    issuer: some(input.issuer),
    audiences: some(input.audiences),
    default_audience: some(input.defaultAudience),
    default_ttl_seconds: some(input.defaultTtlSeconds),
    max_ttl_seconds: some(input.maxTtlSeconds),
    rate_limit: some(
      input.rateLimit === undefined
        ? undefined
        : { capacity: input.rateLimit.capacity, refill_interval_seconds: input.rateLimit.refillIntervalSeconds }
    ),
    global_limit_per_minute: some(input.globalLimitPerMinute),
    cycle_floor: some(input.cycleFloor),
    algorithms: some(input.algorithms),
    default_algorithm: some(input.defaultAlgorithm),
    allowed_extra_claims: some(input.allowedExtraClaims)
  };
}

export function issueErrorToCandid(error: IssueError): Record<string, unknown> {
  switch (error.kind) {
    case 'AnonymousCaller':
      return { [error.kind]: null };
    case 'SigningKeyNotReady':
      return { SigningKeyNotReady: { algorithm: error.algorithm, status: signingKeyStatusToCandid(error.status) } };
    case 'AudienceNotAllowed':
      return { AudienceNotAllowed: { audience: error.audience, allowed: error.allowed } };
    case 'TtlOutOfRange':
      return { TtlOutOfRange: { requested: error.requested, min: error.min, max: error.max } };
    case 'ClaimsInvalid':
      return { ClaimsInvalid: { reason: error.reason } };
    case 'RateLimited':
      return { RateLimited: { scope: { [error.scope]: null }, retry_after_seconds: error.retryAfterSeconds } };
    case 'AlgorithmNotEnabled':
      return { AlgorithmNotEnabled: { algorithm: error.algorithm, enabled: error.enabled } };
    case 'SigningFailed':
      return { SigningFailed: { reject_code: error.rejectCode, message: error.message } };
    case 'CyclesBelowFloor':
      return { CyclesBelowFloor: { balance: error.balance, floor: error.floor, fee: error.fee } };
  }
}

export type CandidSigningKeyStatus =
  | { Ready: null }
  | { Fetching: null }
  | { Failed: { reject_code: number; message: string; attempts: number; next_retry_at: bigint } };

export function signingKeyStatusToCandid(status: SigningKeyStatus): CandidSigningKeyStatus {
  if (status.kind === 'Ready') return { Ready: null };
  if (status.kind === 'Fetching') return { Fetching: null };
  return {
    Failed: {
      reject_code: status.rejectCode,
      message: status.message,
      attempts: status.attempts,
      next_retry_at: BigInt(status.nextRetryAtSeconds)
    }
  };
}

export function httpRequestFromCandid(value: {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array | number[];
}): HttpRequest {
  return { method: value.method, url: value.url, headers: value.headers, body: Uint8Array.from(value.body) };
}

export function httpResponseToCandid(response: HttpResponse): {
  status_code: number;
  headers: [string, string][];
  body: Uint8Array;
  upgrade: Opt<boolean>;
} {
  return { status_code: response.statusCode, headers: response.headers, body: response.body, upgrade: response.upgrade === true ? [true] : [] };
}

export type { IssueErrorKind };

const encodeHttpResponseReply = candidReplyEncoder(HttpResponseType, { status_code: 200, headers: [], body: new Uint8Array(), upgrade: [] });

/** http_request's reply: what IDL.encode([HttpResponseType], [httpResponseToCandid(response)]) gives. */
export function encodeHttpResponse(response: HttpResponse): Uint8Array {
  return encodeHttpResponseReply(httpResponseToCandid(response));
}

/** http_request's argument (manual mode): throws on bytes that are not one HttpRequest. */
export function decodeHttpRequest(bytes: Uint8Array): HttpRequest {
  const [value] = IDL.decode([HttpRequestType], bytes) as unknown as [Parameters<typeof httpRequestFromCandid>[0]];
  return httpRequestFromCandid(value);
}
