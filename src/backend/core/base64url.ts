// Base64url without padding (RFC 4648 §5), as JOSE requires (RFC 7515 §2), and standard base64.
import { utf8 } from './bytes';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE_TABLE = new Map([...ALPHABET].map((char, index) => [char, index]));

export class Base64UrlError extends Error {
  readonly code = 'ERR_BASE64URL';
}

const STANDARD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

export function base64UrlEncode(bytes: Uint8Array): string {
  return encode(bytes, ALPHABET, false);
}

/** Standard base64 with padding (RFC 4648 §4), as the IC-Certificate header fields require. */
export function base64Encode(bytes: Uint8Array): string {
  return encode(bytes, STANDARD_ALPHABET, true);
}

export function base64UrlEncodeText(text: string): string {
  return base64UrlEncode(utf8(text));
}

/** Strict decoding: no padding, no whitespace, no standard-alphabet characters, canonical trailing bits. */
export function base64UrlDecode(text: string): Uint8Array {
  if (text.length % 4 === 1) {
    throw new Base64UrlError(`base64url text of length ${text.length} cannot be valid`);
  }
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let bitCount = 0;
  let written = 0;
  for (let i = 0; i < text.length; i++) {
    const value = DECODE_TABLE.get(text[i]!);
    if (value === undefined) {
      throw new Base64UrlError(`invalid base64url character ${JSON.stringify(text[i])} at offset ${i}`);
    }
    bits = (bits << 6) | value;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out[written++] = (bits >> bitCount) & 0xff;
      bits &= (1 << bitCount) - 1;
    }
  }
  if (bits !== 0) {
    throw new Base64UrlError('base64url text has non-zero trailing bits (not canonical)');
  }
  return out;
}
