// http_request's reply as Candid bytes, mostly prebuilt. In the canister's JavaScript
// interpreter, IDL.encode of an HttpResponse carrying the IC-Certificate header (a few KB of
// text) cost more than everything else in the query (bench/instruction_breakdown.ts). Every
// served response is fixed between key or config changes, and a query adds only the
// IC-Certificate header as its last header: so each response's reply is encoded once, when the
// responses are built, and split around that header's value. The output is byte for byte what
// IDL.encode([HttpResponseType], ...) gives for the response with the header appended.
import { concatBytes, unsignedLeb128 } from './bytes';
import { encodeHttpResponse } from './candid';
import type { HttpResponse } from './http';

/** A response's encoded reply with the value of one last header missing. */
export interface ReplyAroundLastHeader {
  /** Through the last header's name (the value's length comes next). */
  readonly before: Uint8Array;
  /** Everything after the value. */
  readonly after: Uint8Array;
}

export function replyAroundLastHeader(response: HttpResponse, headerName: string): ReplyAroundLastHeader {
  // The body (the authorization page is a large one) is spliced in as bytes: Candid's encoding
  // of a blob in the interpreter costs thousands of instructions per byte, this runs at every
  // key or config change. Candid writes a blob as its LEB128 length and its bytes, a text likewise.
  const withParts = (body: Uint8Array, value: string) =>
    encodeHttpResponse({ ...response, body, headers: [...response.headers, [headerName, value]] });
  const base = withParts(new Uint8Array(), '');
  const bodyAt = firstDifference(base, withParts(Uint8Array.of(0), ''));
  const valueAt = firstDifference(base, withParts(new Uint8Array(), 'x'));
  const body = concatBytes(unsignedLeb128(response.body.length), response.body);
  if (bodyAt < valueAt) {
    return { before: concatBytes(base.subarray(0, bodyAt), body, base.subarray(bodyAt + 1, valueAt)), after: base.slice(valueAt + 1) };
  }
  return { before: base.slice(0, valueAt), after: concatBytes(base.subarray(valueAt + 1, bodyAt), body, base.subarray(bodyAt + 1)) };
}

/** Where two encodings that differ in one length byte (0 in `a`, 1 in `b`) first differ. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  let at = 0;
  while (a[at] === b[at]) at++;
  return at;
}

/** The reply with `value` (UTF-8 bytes) as the last header's value. */
export function completeReply(reply: ReplyAroundLastHeader, value: Uint8Array): Uint8Array {
  return concatBytes(reply.before, unsignedLeb128(value.length), value, reply.after);
}
