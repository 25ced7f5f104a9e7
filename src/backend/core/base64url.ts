// Base64url without padding (RFC 4648 §5), as JOSE requires (RFC 7515 §2), and standard base64.
import { asciiString, utf8 } from './bytes';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE_TABLE = new Map([...ALPHABET].map((char, index) => [char, index]));

export class Base64UrlError extends Error {
  readonly code = 'ERR_BASE64URL';
}

const STANDARD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const ALPHABET_CODES = asciiCodes(ALPHABET);
const STANDARD_ALPHABET_CODES = asciiCodes(STANDARD_ALPHABET);
const PAD = 0x3d; // '='

function asciiCodes(alphabet: string): Uint8Array {
  return Uint8Array.from(alphabet, (char) => char.charCodeAt(0));
}

/**
 * Base64 as ASCII bytes: written into one typed array, since in the canister's interpreter a
 * string built character by character, and its UTF-8 bytes after, cost thousands of
 * instructions per character.
 */
function encodeAscii(bytes: Uint8Array, alphabet: Uint8Array, pad: boolean): Uint8Array {
  const whole = bytes.length - (bytes.length % 3);
  const rest = bytes.length - whole;
  const out = new Uint8Array((whole / 3) * 4 + (rest === 0 ? 0 : pad ? 4 : rest + 1));
  let o = 0;
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = alphabet[n >> 18]!;
    out[o++] = alphabet[(n >> 12) & 63]!;
    out[o++] = alphabet[(n >> 6) & 63]!;
    out[o++] = alphabet[n & 63]!;
  }
  if (rest > 0) {
    const n = (bytes[whole]! << 16) | (rest === 2 ? bytes[whole + 1]! << 8 : 0);
    out[o++] = alphabet[n >> 18]!;
    out[o++] = alphabet[(n >> 12) & 63]!;
    if (rest === 2) out[o++] = alphabet[(n >> 6) & 63]!;
    else if (pad) out[o++] = PAD;
    if (pad) out[o++] = PAD;
  }
  return out;
}

function encode(bytes: Uint8Array, alphabet: Uint8Array, pad: boolean): string {
  return asciiString(encodeAscii(bytes, alphabet, pad));
}

export function base64UrlEncode(bytes: Uint8Array): string {
  return encode(bytes, ALPHABET_CODES, false);
}

/** Standard base64 with padding (RFC 4648 §4), as the IC-Certificate header fields require. */
export function base64Encode(bytes: Uint8Array): string {
  return encode(bytes, STANDARD_ALPHABET_CODES, true);
}

/** base64Encode's text as ASCII bytes. */
export function base64EncodeAscii(bytes: Uint8Array): Uint8Array {
  return encodeAscii(bytes, STANDARD_ALPHABET_CODES, true);
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
