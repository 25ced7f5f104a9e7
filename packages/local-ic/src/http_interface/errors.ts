import { LocalIcError } from '../errors';

/**
 * A request the HTTP interface refuses before anything runs. The server
 * answers it with `httpStatus` and the message as plain text, as the
 * replica's HTTP endpoints do.
 */
export class HttpInterfaceError extends LocalIcError {
  readonly httpStatus: number;

  constructor(code: string, httpStatus: number, message: string) {
    super(code, message);
    this.httpStatus = httpStatus;
  }
}

/** The body is not CBOR, or not CBOR of the expected shape. */
export class MalformedRequestError extends HttpInterfaceError {
  constructor(message: string) {
    super('malformed_request', 400, message);
  }
}

/** The request is not sent as `application/cbor`. */
export class UnsupportedContentTypeError extends HttpInterfaceError {
  constructor() {
    super('unsupported_content_type', 400, 'Unexpected content-type, expected application/cbor.');
  }
}

/** The body is larger than this network accepts. */
export class PayloadTooLargeError extends HttpInterfaceError {
  /** `lowerBound`: the body was cut off at `size` bytes, so it is at least that large. */
  constructor(size: number, maximum: number, options: { lowerBound?: boolean } = {}) {
    const what = options.lowerBound === true ? `of at least ${size} bytes` : `of ${size} bytes`;
    super('payload_too_large', 413, `Request body ${what} is larger than the maximum of ${maximum} bytes.`);
  }
}

/** The URL's effective canister id does not fit the request or this network. */
export class EffectiveCanisterIdError extends HttpInterfaceError {
  constructor(message: string) {
    super('invalid_effective_canister_id', 400, message);
  }
}

/** Why the replica's request validator refused a request. */
export type RequestValidationReason =
  | 'invalid_request_expiry'
  | 'invalid_delegation_expiry'
  | 'user_id_mismatch'
  | 'invalid_signature'
  | 'invalid_delegation'
  | 'missing_signature'
  | 'anonymous_signature'
  | 'not_in_delegation_targets'
  | 'nonce_too_big'
  | 'too_many_paths'
  | 'path_too_long';

/**
 * The request failed authentication or validity checks (expiry, signature,
 * delegations, limits). Like the replica, the server answers 400 with this
 * message; agent-js recognises the `Invalid request expiry: ` prefix and then
 * synchronises its clock with the network.
 */
export class RequestValidationError extends HttpInterfaceError {
  readonly reason: RequestValidationReason;

  constructor(reason: RequestValidationReason, message: string) {
    super(reason, 400, message);
    this.reason = reason;
  }
}

/** A read_state path asks for something the sender may not read. */
export class ReadStateForbiddenError extends HttpInterfaceError {
  constructor(message: string) {
    super('read_state_forbidden', 403, message);
  }
}

/** A read_state path is not one the interface serves. */
export class InvalidReadStatePathError extends HttpInterfaceError {
  constructor(httpStatus: 400 | 404, message: string) {
    super('invalid_read_state_path', httpStatus, message);
  }
}
