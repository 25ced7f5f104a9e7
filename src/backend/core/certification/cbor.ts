// The CBOR (RFC 8949) that certification sends: unsigned integers, byte strings, text strings,
// arrays and the self-described tag. Heads are always in their shortest form, lengths definite.
const MAJOR_UNSIGNED = 0;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_TAG = 6;

/** RFC 8949 §3.4.6: lets a reader recognise CBOR by its first three bytes (d9 d9 f7). */
const SELF_DESCRIBED_TAG = 55799;

export type CborValue = number | string | Uint8Array | readonly CborValue[];

export class CborEncodingError extends Error {
  readonly code = 'ERR_CBOR_ENCODING';
}

export function encodeCbor(value: CborValue): Uint8Array {
  const chunks: Uint8Array[] = [];
  write(value, chunks);
  return joinChunks(chunks);
}

export function encodeSelfDescribedCbor(value: CborValue): Uint8Array {
  const chunks: Uint8Array[] = [head(MAJOR_TAG, SELF_DESCRIBED_TAG)];
  write(value, chunks);
  return joinChunks(chunks);
}

function write(value: CborValue, chunks: Uint8Array[]): void {
  if (typeof value === 'number') {
    chunks.push(head(MAJOR_UNSIGNED, value));
  } else if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value);
    chunks.push(head(MAJOR_TEXT, bytes.length), bytes);
  } else if (value instanceof Uint8Array) {
    chunks.push(head(MAJOR_BYTES, value.length), value);
  } else {
    chunks.push(head(MAJOR_ARRAY, value.length));
    for (const item of value) write(item, chunks);
  }
}

function head(major: number, argument: number): Uint8Array {
  if (!Number.isSafeInteger(argument) || argument < 0) {
    throw new CborEncodingError(`not an unsigned integer CBOR can carry here: ${argument}`);
  }
  const type = major << 5;
  if (argument < 24) return Uint8Array.of(type | argument);
  if (argument < 0x100) return Uint8Array.of(type | 24, argument);
  if (argument < 0x10000) return Uint8Array.of(type | 25, argument >> 8, argument & 0xff);
  const out = new Uint8Array(argument < 0x1_0000_0000 ? 5 : 9);
  const view = new DataView(out.buffer);
  if (out.length === 5) {
    out[0] = type | 26;
    view.setUint32(1, argument);
  } else {
    out[0] = type | 27;
    view.setUint32(1, Math.floor(argument / 0x1_0000_0000));
    view.setUint32(5, argument >>> 0);
  }
  return out;
}

function joinChunks(chunks: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
