// http_request's reply as Candid bytes, mostly prebuilt. In the canister's JavaScript
// interpreter, IDL.encode of an HttpResponse carrying the IC-Certificate header (a few KB of
// text) cost more than everything else in the query (bench/instruction_breakdown.ts). Every
// served response is fixed between key or config changes, and a query adds only the
// IC-Certificate header as its last header: so each response's reply is encoded once, when the
// responses are built, and split around that header's value. The output is byte for byte what
// IDL.encode([HttpResponseType], ...) gives for the response with the header appended.
import { concatBytes } from './bytes';
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
  const withValue = (value: string) => encodeHttpResponse({ ...response, headers: [...response.headers, [headerName, value]] });
  const empty = withValue('');
  const oneByte = withValue('x');
  // The two encodings first differ at the value's length: 0 in one, 1 in the other.
  let at = 0;
  while (empty[at] === oneByte[at]) at++;
  return { before: empty.slice(0, at), after: empty.slice(at + 1) };
}

/** The reply with `value` (UTF-8 bytes) as the last header's value. */
export function completeReply(reply: ReplyAroundLastHeader, value: Uint8Array): Uint8Array {
  return concatBytes(reply.before, unsignedLeb128(value.length), value, reply.after);
}

function unsignedLeb128(value: number): Uint8Array {
  const out: number[] = [];
  do {
    const low = value & 0x7f;
    value = Math.floor(value / 128);
    out.push(value === 0 ? low : low | 0x80);
  } while (value !== 0);
  return Uint8Array.from(out);
}
