// Strict base64url (RFC 7515 §2): URL alphabet, no padding, no whitespace, canonical
// trailing bits. Security: lenient decoders map several strings to the same bytes, so a
// token's signature part could be rewritten without invalidating it; we accept only
// the one canonical spelling of each byte string. Plain JavaScript: no Buffer, no atob.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE_OF = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE_OF[ALPHABET.charCodeAt(i)] = i;

/** The decoded bytes, or undefined when `text` is not canonical base64url. */
export function decodeBase64UrlStrict(text: string): Uint8Array | undefined {
  const tail = text.length % 4;
  if (tail === 1) return undefined;
  const bytes = new Uint8Array((text.length * 3) >> 2);
  const whole = text.length - tail;
  let out = 0;
  for (let i = 0; i < whole; i += 4) {
    const n = (value(text, i) << 18) | (value(text, i + 1) << 12) | (value(text, i + 2) << 6) | value(text, i + 3);
    // A character outside the alphabet is -1, which sets the sign bit.
    if (n < 0) return undefined;
    bytes[out++] = n >> 16;
    bytes[out++] = (n >> 8) & 0xff;
    bytes[out++] = n & 0xff;
  }
  if (tail === 0) return bytes;
  const n = (value(text, whole) << 18) | (value(text, whole + 1) << 12) | (tail === 3 ? value(text, whole + 2) << 6 : 0);
  if (n < 0) return undefined;
  bytes[out++] = n >> 16;
  if (tail === 3) bytes[out] = (n >> 8) & 0xff;
  // The last character's bits that make no whole byte must be zero, or other strings would decode alike.
  return (n & (tail === 3 ? 0xff : 0xffff)) === 0 ? bytes : undefined;
}

/** A character's 6-bit value, or -1 (all bits set) outside the alphabet. */
function value(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? VALUE_OF[code]! : -1;
}

export function encodeBase64Url(bytes: Uint8Array): string {
  let text = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    text += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const left = bytes.length - i;
  if (left === 1) {
    const n = bytes[i]!;
    text += ALPHABET[n >> 2]! + ALPHABET[(n & 3) << 4]!;
  } else if (left === 2) {
    const n = (bytes[i]! << 8) | bytes[i + 1]!;
    text += ALPHABET[n >> 10]! + ALPHABET[(n >> 4) & 63]! + ALPHABET[(n & 15) << 2]!;
  }
  return text;
}
