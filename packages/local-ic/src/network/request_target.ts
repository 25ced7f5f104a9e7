// The URL the gateway hands to a canister and verifies the answer against.
//
// The public gateway (ic-gateway with the ic-http-gateway crate) forwards the request's path
// and query as received, and its verifier (ic-response-verification) percent-decodes the path
// strictly into UTF-8. So on icp0.io a target with characters a URI may not hold ("/<$>") is
// refused by the HTTP parser (400), and a path whose escapes are not UTF-8 ("/%C0%AF") fails
// verification whatever the canister answers (500): no certified answer exists for it.
//
// The local gateway instead writes such targets the one way every party reads alike, the way
// a browser would have sent them: characters outside the URI syntax are percent-encoded, and
// the '%' of an escape that is not part of valid UTF-8 is itself escaped ("%C0" -> "%25C0"),
// so that byte stays literal text. The canister then routes exactly the path the verifier
// checks, and the gateway serves what the canister certified for it. Replies say so in
// x-local-ic-rewritten-url, since icp0.io would refuse the original.

const URI_CHARACTER = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/;
const ESCAPE = /%([0-9A-Fa-f]{2})/y;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface RequestTarget {
  readonly url: string;
  readonly rewritten: boolean;
}

export function gatewayRequestTarget(target: string): RequestTarget {
  const queryStart = target.indexOf('?');
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  const query = queryStart === -1 ? '' : target.slice(queryStart);
  const url = escapeUndecodableBytes(encodeNonUriCharacters(path)) + encodeNonUriCharacters(query);
  return { url, rewritten: url !== target };
}

/** Percent-encodes every character that may not appear in a URI, as UTF-8 (Node hands over non-ASCII request bytes as latin1 characters). */
function encodeNonUriCharacters(text: string): string {
  let out = '';
  for (const character of text) {
    if (URI_CHARACTER.test(character)) out += character;
    else out += percentEncode(character.charCodeAt(0) <= 0xff ? [character.charCodeAt(0)] : [...new TextEncoder().encode(character)]);
  }
  return out;
}

function percentEncode(bytes: readonly number[]): string {
  return bytes.map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** Escapes the '%' of every escape whose byte is not part of a valid UTF-8 sequence among its neighbours. */
function escapeUndecodableBytes(path: string): string {
  let out = '';
  let index = 0;
  while (index < path.length) {
    const run = escapeRunAt(path, index);
    if (run.length === 0) {
      out += path[index];
      index += 1;
      continue;
    }
    const valid = validUtf8Bytes(run.map((escape) => escape.byte));
    run.forEach((escape, position) => (out += valid[position] === true ? escape.text : `%25${escape.text.slice(1)}`));
    index += run.length * 3;
  }
  return out;
}

function escapeRunAt(path: string, start: number): { text: string; byte: number }[] {
  const run: { text: string; byte: number }[] = [];
  for (let at = start; ; at += 3) {
    ESCAPE.lastIndex = at;
    const match = ESCAPE.exec(path);
    if (match === null) return run;
    run.push({ text: match[0], byte: Number.parseInt(match[1]!, 16) });
  }
}

/** Which bytes belong to a well-formed UTF-8 sequence (no overlong forms, surrogates or stray continuation bytes). */
function validUtf8Bytes(bytes: readonly number[]): boolean[] {
  const valid = bytes.map(() => false);
  let index = 0;
  while (index < bytes.length) {
    const length = sequenceLength(bytes[index]!);
    if (length > 0 && index + length <= bytes.length && decodes(bytes.slice(index, index + length))) {
      for (let i = index; i < index + length; i++) valid[i] = true;
      index += length;
    } else {
      index += 1;
    }
  }
  return valid;
}

function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

function decodes(bytes: readonly number[]): boolean {
  try {
    strictUtf8.decode(Uint8Array.from(bytes));
    return true;
  } catch {
    return false;
  }
}
