// A hand-written test canister for the gateway's upgrade path (HTTP Gateway Protocol, "Upgrade
// to Update Calls"). Its http_request query serves one certified response (GET /) and asks the
// gateway to upgrade every other request; its http_request_update counts the calls it commits
// and echoes the request. The WebAssembly text below is the source; the fixed parts of its
// replies (Candid framing, the certification tree) are computed here and placed in its data.
import { IDL } from '@dfinity/candid';

import { certifyResponses, type CertifiableResponse } from '../../../src/backend/core/certification';
import { CERTIFICATE_EXPRESSION_HEADER } from '../../../src/backend/core/certification/cel_expression';
import { watToWasm } from '../../localnet/support/wat';

export const CERTIFIED_PATH = '/';
export const CERTIFIED_BODY = 'certified hello\n';
/** For this URL, http_request_update answers with `upgrade = opt true` too (which the gateway ignores). */
export const UPGRADE_AGAIN_PATH = '/again';
/** For this URL, http_request_update rejects the call (msg_reject) with REJECT_MESSAGE. */
export const REJECT_PATH = '/reject';
export const REJECT_MESSAGE = 'rejected by the test canister';
/** The status and body of the upgrade request's own reply, which the gateway must ignore. */
export const IGNORED_QUERY_STATUS = 418;
export const IGNORED_QUERY_BODY = 'the query reply of an upgrade request';
export const UPDATE_STATUS = 201;
export const UPDATE_HEADER: [string, string] = ['x-served-by', 'http_request_update'];

const HeaderField = IDL.Tuple(IDL.Text, IDL.Text);
const HttpResponse = IDL.Record({
  status_code: IDL.Nat16,
  headers: IDL.Vec(HeaderField),
  body: IDL.Vec(IDL.Nat8),
  upgrade: IDL.Opt(IDL.Bool)
});
/** What ic-http-certification's HttpUpdateResponse encodes: no `upgrade` field at all. */
const HttpUpdateResponse = IDL.Record({ status_code: IDL.Nat16, headers: IDL.Vec(HeaderField), body: IDL.Vec(IDL.Nat8) });

const encoder = new TextEncoder();
const MARKER = '\u0001upgrade-canister-marker\u0001';

/** A Candid reply split around one text or blob value, so that the canister supplies the value. */
interface ReplyTemplate {
  readonly prefix: Uint8Array;
  readonly suffix: Uint8Array;
}

function splitAtMarker(encoded: ArrayBuffer | Uint8Array): ReplyTemplate {
  const bytes = new Uint8Array(encoded);
  const marker = encoder.encode(MARKER);
  const at = indexOf(bytes, marker);
  if (at < 1 || bytes[at - 1] !== marker.length || indexOf(bytes.subarray(at + 1), marker) !== -1) {
    throw new Error('the reply template must hold the marker exactly once, after its one-byte length');
  }
  return { prefix: bytes.slice(0, at - 1), suffix: bytes.slice(at + marker.length) };
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function certifiedResponse(): { rootHash: Uint8Array; headerStart: string; headerTail: string; reply: ReplyTemplate } {
  const served: CertifiableResponse = {
    statusCode: 200,
    headers: [['content-type', 'text/plain; charset=utf-8'], [...CERTIFICATE_EXPRESSION_HEADER]],
    body: encoder.encode(CERTIFIED_BODY)
  };
  const notFound: CertifiableResponse = { statusCode: 404, headers: [[...CERTIFICATE_EXPRESSION_HEADER]], body: encoder.encode('not found\n') };
  const certified = certifyResponses({ exact: new Map([[CERTIFIED_PATH, [served]]]), fallback: notFound });
  // The header is `certificate=:<base64 of the data certificate>:, <tail>`; the canister fills in the middle.
  const [, emptyCertificate] = certified.certificateHeader(CERTIFIED_PATH, served, new Uint8Array());
  const headerStart = 'certificate=:';
  if (!emptyCertificate.startsWith(`${headerStart}:`)) throw new Error(`unexpected IC-Certificate layout: ${emptyCertificate}`);
  const reply = IDL.encode([HttpResponse], [
    { status_code: served.statusCode, headers: [...served.headers, ['ic-certificate', MARKER]], body: served.body, upgrade: [] }
  ]);
  return { rootHash: certified.rootHash, headerStart, headerTail: emptyCertificate.slice(headerStart.length), reply: splitAtMarker(reply) };
}

function updateReply(upgradeAgain: boolean): ReplyTemplate {
  const fields = { status_code: UPDATE_STATUS, headers: [['content-type', 'text/plain; charset=utf-8'], UPDATE_HEADER], body: encoder.encode(MARKER) };
  return splitAtMarker(upgradeAgain ? IDL.encode([HttpResponse], [{ ...fields, upgrade: [true] }]) : IDL.encode([HttpUpdateResponse], [fields]));
}

interface Place {
  readonly at: number;
  readonly length: number;
}

/** A place as the (address, length) arguments of a WebAssembly call. */
function pair(place: Place): string {
  return `(i32.const ${place.at}) (i32.const ${place.length})`;
}

/** Lays byte strings out from `start`, as WebAssembly data segments, and names their places. */
class DataLayout {
  private next: number;
  readonly segments: string[] = [];
  constructor(start: number) {
    this.next = start;
  }
  place(bytes: Uint8Array): Place {
    const at = this.next;
    const escaped = Array.from(bytes, (byte) => `\\${byte.toString(16).padStart(2, '0')}`).join('');
    this.segments.push(`(data (i32.const ${at}) "${escaped}")`);
    this.next += bytes.length;
    return { at, length: bytes.length };
  }
  get end(): number {
    return this.next;
  }
}

export interface UpgradeCanisterOptions {
  /** Leave out http_request_update, as a canister that asks for an upgrade it cannot serve. */
  readonly withUpdateMethod: boolean;
}

export function upgradeCanisterWat({ withUpdateMethod }: UpgradeCanisterOptions): string {
  const certified = certifiedResponse();
  const layout = new DataLayout(1024);
  const text = (value: string) => layout.place(encoder.encode(value));
  const rootHash = layout.place(certified.rootHash);
  const certPrefix = layout.place(certified.reply.prefix);
  const certSuffix = layout.place(certified.reply.suffix);
  const headerStart = text(certified.headerStart);
  const headerTail = text(certified.headerTail);
  const upgradeReply = layout.place(
    new Uint8Array(IDL.encode([HttpResponse], [{ status_code: IGNORED_QUERY_STATUS, headers: [], body: encoder.encode(IGNORED_QUERY_BODY), upgrade: [true] }]))
  );
  const plain = updateReply(false);
  const again = updateReply(true);
  const plainPrefix = layout.place(plain.prefix);
  const plainSuffix = layout.place(plain.suffix);
  const againPrefix = layout.place(again.prefix);
  const againSuffix = layout.place(again.suffix);
  const get = text('GET');
  const certifiedPath = text(CERTIFIED_PATH);
  const againPath = text(UPGRADE_AGAIN_PATH);
  const rejectPath = text(REJECT_PATH);
  const rejectMessage = text(REJECT_MESSAGE);
  const countLabel = text('count=');
  const alphabet = text('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
  const didl = text('DIDL');
  const badCandid = text('unsupported or malformed Candid request');
  const tooLarge = text('request too large');
  if (layout.end > ARG_AT) throw new Error(`data segments overflow into the request buffer: ${layout.end}`);
  return `(module
  (import "ic0" "msg_arg_data_size" (func $arg_size (result i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "msg_reply_data_append" (func $reply_append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "trap" (func $trap (param i32 i32)))
  (import "ic0" "msg_reject" (func $reject (param i32 i32)))
  (import "ic0" "certified_data_set" (func $certify (param i32 i32)))
  (import "ic0" "data_certificate_size" (func $cert_size (result i32)))
  (import "ic0" "data_certificate_copy" (func $cert_copy (param i32 i32 i32)))
  (memory (export "memory") 6)
  ;; 0: the counter. ${ARG_AT}: the request. ${OUT_AT}: the reply being built. ${SCRATCH_AT}: certificate or body.
  ${layout.segments.join('\n  ')}
  (global $pos (mut i32) (i32.const 0))
  (global $span_len (mut i32) (i32.const 0))
  (global $end (mut i32) (i32.const 0))
  (global $out (mut i32) (i32.const 0))
  (global $url (mut i32) (i32.const 0))
  (global $url_len (mut i32) (i32.const 0))
  (global $method (mut i32) (i32.const 0))
  (global $method_len (mut i32) (i32.const 0))
  (global $body (mut i32) (i32.const 0))
  (global $body_len (mut i32) (i32.const 0))

  (func $fail (call $trap (i32.const ${badCandid.at}) (i32.const ${badCandid.length})))
  (func $byte (result i32)
    (if (i32.ge_u (global.get $pos) (global.get $end)) (then (call $fail)))
    (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
    (i32.load8_u (i32.sub (global.get $pos) (i32.const 1))))
  ;; Unsigned LEB128 up to 2^28, enough for any length or count in a request below 64 KiB.
  (func $leb (result i32) (local $value i32) (local $shift i32) (local $b i32)
    (loop $more
      (local.set $b (call $byte))
      (if (i32.gt_u (local.get $shift) (i32.const 21)) (then (call $fail)))
      (local.set $value (i32.or (local.get $value) (i32.shl (i32.and (local.get $b) (i32.const 127)) (local.get $shift))))
      (local.set $shift (i32.add (local.get $shift) (i32.const 7)))
      (br_if $more (i32.and (local.get $b) (i32.const 128))))
    (local.get $value))
  (func $skip_leb (loop $more (br_if $more (i32.and (call $byte) (i32.const 128)))))
  ;; A text or blob inside the request: returns where it starts, leaves its length in $span_len.
  (func $span (result i32) (local $at i32)
    (global.set $span_len (call $leb))
    (local.set $at (global.get $pos))
    (if (i32.gt_u (global.get $span_len) (i32.sub (global.get $end) (local.get $at))) (then (call $fail)))
    (global.set $pos (i32.add (local.get $at) (global.get $span_len)))
    (local.get $at))
  ;; Reads the request record's url, method and body: the first three values in field-hash order.
  (func $read_request (local $size i32) (local $n i32) (local $op i32)
    (local.set $size (call $arg_size))
    (if (i32.gt_u (local.get $size) (i32.const 65536)) (then (call $trap (i32.const ${tooLarge.at}) (i32.const ${tooLarge.length}))))
    (call $arg_copy (i32.const ${ARG_AT}) (i32.const 0) (local.get $size))
    (global.set $pos (i32.const ${ARG_AT}))
    (global.set $end (i32.add (i32.const ${ARG_AT}) (local.get $size)))
    (if (i32.or (i32.lt_u (local.get $size) (i32.const 4)) (i32.ne (i32.load (i32.const ${ARG_AT})) (i32.load (i32.const ${didl.at})))) (then (call $fail)))
    (global.set $pos (i32.add (global.get $pos) (i32.const 4)))
    (local.set $n (call $leb))
    (block $done (loop $types
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (local.set $op (call $byte))
      (if (i32.eq (local.get $op) (i32.const 0x6c)) ;; record: field count, then (hash, type) pairs
        (then (local.set $op (call $leb))
          (block $fields_done (loop $fields
            (br_if $fields_done (i32.eqz (local.get $op)))
            (call $skip_leb) (call $skip_leb)
            (local.set $op (i32.sub (local.get $op) (i32.const 1)))
            (br $fields))))
        (else (if (i32.or (i32.eq (local.get $op) (i32.const 0x6d)) (i32.eq (local.get $op) (i32.const 0x6e))) ;; vec, opt
          (then (call $skip_leb))
          (else (call $fail)))))
      (br $types)))
    (if (i32.ne (call $leb) (i32.const 1)) (then (call $fail)))
    (call $skip_leb)
    (global.set $url (call $span)) (global.set $url_len (global.get $span_len))
    (global.set $method (call $span)) (global.set $method_len (global.get $span_len))
    (global.set $body (call $span)) (global.set $body_len (global.get $span_len)))

  (func $equal (param $a i32) (param $a_len i32) (param $b i32) (param $b_len i32) (result i32) (local $i i32)
    (if (i32.ne (local.get $a_len) (local.get $b_len)) (then (return (i32.const 0))))
    (block $differ (loop $next
      (if (i32.eq (local.get $i) (local.get $a_len)) (then (return (i32.const 1))))
      (br_if $differ (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $i))) (i32.load8_u (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.const 0))

  (func $put_byte (param $b i32)
    (i32.store8 (global.get $out) (local.get $b))
    (global.set $out (i32.add (global.get $out) (i32.const 1))))
  (func $put (param $at i32) (param $len i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.eq (local.get $i) (local.get $len)))
      (call $put_byte (i32.load8_u (i32.add (local.get $at) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  (func $put_leb (param $v i32)
    (loop $more
      (if (i32.ge_u (local.get $v) (i32.const 128))
        (then (call $put_byte (i32.or (i32.and (local.get $v) (i32.const 127)) (i32.const 128)))
          (local.set $v (i32.shr_u (local.get $v) (i32.const 7)))
          (br $more)))
      (call $put_byte (local.get $v))))
  (func $put_decimal (param $v i32)
    (if (i32.ge_u (local.get $v) (i32.const 10)) (then (call $put_decimal (i32.div_u (local.get $v) (i32.const 10)))))
    (call $put_byte (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10)))))
  (func $sextet (param $v i32) (call $put_byte (i32.load8_u (i32.add (i32.const ${alphabet.at}) (i32.and (local.get $v) (i32.const 63))))))
  ;; Standard base64 with padding, as the IC-Certificate header carries the certificate.
  (func $put_base64 (param $at i32) (param $len i32) (local $i i32) (local $rest i32) (local $v i32)
    (block $done (loop $next
      (local.set $rest (i32.sub (local.get $len) (local.get $i)))
      (br_if $done (i32.eqz (local.get $rest)))
      (local.set $v (i32.shl (i32.load8_u (i32.add (local.get $at) (local.get $i))) (i32.const 16)))
      (if (i32.gt_u (local.get $rest) (i32.const 1)) (then (local.set $v (i32.or (local.get $v) (i32.shl (i32.load8_u (i32.add (local.get $at) (i32.add (local.get $i) (i32.const 1)))) (i32.const 8))))))
      (if (i32.gt_u (local.get $rest) (i32.const 2)) (then (local.set $v (i32.or (local.get $v) (i32.load8_u (i32.add (local.get $at) (i32.add (local.get $i) (i32.const 2))))))))
      (call $sextet (i32.shr_u (local.get $v) (i32.const 18)))
      (call $sextet (i32.shr_u (local.get $v) (i32.const 12)))
      (if (i32.gt_u (local.get $rest) (i32.const 1)) (then (call $sextet (i32.shr_u (local.get $v) (i32.const 6)))) (else (call $put_byte (i32.const 61))))
      (if (i32.gt_u (local.get $rest) (i32.const 2)) (then (call $sextet (local.get $v))) (else (call $put_byte (i32.const 61))))
      (local.set $i (i32.add (local.get $i) (select (i32.const 3) (local.get $rest) (i32.gt_u (local.get $rest) (i32.const 3)))))
      (br $next))))
  (func $send
    (call $reply_append (i32.const ${OUT_AT}) (i32.sub (global.get $out) (i32.const ${OUT_AT})))
    (call $reply))

  (func (export "canister_init") (call $certify ${pair(rootHash)}))
  (func (export "canister_post_upgrade") (call $certify ${pair(rootHash)}))

  (func (export "canister_query http_request") (local $size i32)
    (call $read_request)
    (global.set $out (i32.const ${OUT_AT}))
    (if (i32.and (call $equal (global.get $method) (global.get $method_len) ${pair(get)})
                 (call $equal (global.get $url) (global.get $url_len) ${pair(certifiedPath)}))
      (then
        (local.set $size (call $cert_size))
        (call $cert_copy (i32.const ${SCRATCH_AT}) (i32.const 0) (local.get $size))
        (call $put ${pair(certPrefix)})
        (call $put_leb (i32.add (i32.const ${headerStart.length + headerTail.length})
          (i32.mul (i32.const 4) (i32.div_u (i32.add (local.get $size) (i32.const 2)) (i32.const 3)))))
        (call $put ${pair(headerStart)})
        (call $put_base64 (i32.const ${SCRATCH_AT}) (local.get $size))
        (call $put ${pair(headerTail)})
        (call $put ${pair(certSuffix)}))
      (else (call $put ${pair(upgradeReply)})))
    (call $send))
${withUpdateMethod ? updateMethod({ plainPrefix, plainSuffix, againPrefix, againSuffix, againPath, countLabel, rejectPath, rejectMessage }) : ''})`;
}

interface UpdatePlaces {
  readonly plainPrefix: Place;
  readonly plainSuffix: Place;
  readonly againPrefix: Place;
  readonly againSuffix: Place;
  readonly againPath: Place;
  readonly countLabel: Place;
  readonly rejectPath: Place;
  readonly rejectMessage: Place;
}

function updateMethod(places: UpdatePlaces): string {
  return `
  ;; Commits one more count and answers "count=<n>\\n<method> <url>\\n<request body>".
  (func (export "canister_update http_request_update") (local $again i32)
    (call $read_request)
    (if (call $equal (global.get $url) (global.get $url_len) ${pair(places.rejectPath)})
      (then (call $reject ${pair(places.rejectMessage)}) (return)))
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    (global.set $out (i32.const ${SCRATCH_AT}))
    (call $put ${pair(places.countLabel)})
    (call $put_decimal (i32.load (i32.const 0)))
    (call $put_byte (i32.const 10))
    (call $put (global.get $method) (global.get $method_len))
    (call $put_byte (i32.const 32))
    (call $put (global.get $url) (global.get $url_len))
    (call $put_byte (i32.const 10))
    (call $put (global.get $body) (global.get $body_len))
    (local.set $again (call $equal (global.get $url) (global.get $url_len) ${pair(places.againPath)}))
    (global.set $body_len (i32.sub (global.get $out) (i32.const ${SCRATCH_AT})))
    (global.set $out (i32.const ${OUT_AT}))
    (if (local.get $again) (then (call $put ${pair(places.againPrefix)})) (else (call $put ${pair(places.plainPrefix)})))
    (call $put_leb (global.get $body_len))
    (call $put (i32.const ${SCRATCH_AT}) (global.get $body_len))
    (if (local.get $again) (then (call $put ${pair(places.againSuffix)})) (else (call $put ${pair(places.plainSuffix)})))
    (call $send))`;
}

// Each area holds 64 KiB (a request) or 128 KiB (a reply, or an echoed request with its framing).
const ARG_AT = 65536;
const SCRATCH_AT = 131072;
const OUT_AT = 262144;

export function upgradeCanisterWasm(options: UpgradeCanisterOptions): Uint8Array {
  return watToWasm(upgradeCanisterWat(options));
}
