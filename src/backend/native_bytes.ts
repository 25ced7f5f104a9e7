// Bytes of a binary string (one character per byte) through Azle's native Candid encoder: the
// string becomes a Candid `blob` literal (a native regular-expression pass escapes quotes,
// backslashes, control and non-ASCII bytes) that Azle's Rust parser encodes. For the 200 KB
// authorization page this costs 0.15 B instructions where a JavaScript loop in the interpreter
// costs 0.68 B (bench/instruction_breakdown.ts, canister_init).
import { candidEncode } from 'azle';

/** `DIDL`, one type (vec nat8), one value of type 0: then the blob's LEB128 length and bytes. */
const BLOB_ARGUMENT_HEADER = [0x44, 0x49, 0x44, 0x4c, 0x01, 0x6d, 0x7b, 0x01, 0x00];
const NEEDS_ESCAPE = /[^ !#-[\]-~]/g;

export function nativeBinaryStringBytes(binary: string): Uint8Array {
  if (/[^\x00-\xff]/.test(binary)) throw new RangeError('not a binary string: a character is over U+00FF');
  const escaped = binary.replace(NEEDS_ESCAPE, (character) => `\\${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
  const encoded = candidEncode(`(blob "${escaped}")`);
  if (BLOB_ARGUMENT_HEADER.some((byte, i) => encoded[i] !== byte)) throw new Error('candidEncode wrote something other than one blob');
  let at = BLOB_ARGUMENT_HEADER.length;
  while (encoded[at]! & 0x80) at++;
  return encoded.subarray(at + 1);
}
