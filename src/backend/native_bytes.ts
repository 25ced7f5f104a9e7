// Bytes of a Candid blob literal's text through Azle's native Candid encoder, which Azle's Rust
// parser encodes in a few million instructions for the 200 KB authorization page (its text is
// escaped when the page is built). Decoding it in the interpreter costs hundreds of millions
// (bench/instruction_breakdown.ts, canister_init).
import { candidEncode } from 'azle';

/** `DIDL`, one type (vec nat8), one value of type 0: then the blob's LEB128 length and bytes. */
const BLOB_ARGUMENT_HEADER = [0x44, 0x49, 0x44, 0x4c, 0x01, 0x6d, 0x7b, 0x01, 0x00];

/** The bytes `(blob "<text>")` stands for; `text` is a blob literal's content, as the page's generated module carries it. */
export function nativeCandidBlobBytes(text: string): Uint8Array {
  const encoded = candidEncode(`(blob "${text}")`);
  if (BLOB_ARGUMENT_HEADER.some((byte, i) => encoded[i] !== byte)) throw new Error('candidEncode wrote something other than one blob');
  let at = BLOB_ARGUMENT_HEADER.length;
  while (encoded[at]! & 0x80) at++;
  return encoded.subarray(at + 1);
}
