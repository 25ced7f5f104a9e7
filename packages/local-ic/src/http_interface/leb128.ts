/** LEB128 encodings used by the representation-independent hash and the state tree (naturals as unsigned LEB128). */

export function encodeUnsignedLeb128(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError(`unsigned LEB128 cannot encode ${value}`);
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return Uint8Array.from(bytes);
}

export function encodeSignedLeb128(value: bigint): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  for (;;) {
    const low = Number(rest & 0x7fn);
    rest >>= 7n; // arithmetic shift: keeps the sign
    const done = (rest === 0n && (low & 0x40) === 0) || (rest === -1n && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return Uint8Array.from(bytes);
  }
}

export function decodeUnsignedLeb128(bytes: Uint8Array): bigint {
  let value = 0n;
  let shift = 0n;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    value |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if ((byte & 0x80) === 0) {
      if (i !== bytes.length - 1) throw new RangeError('trailing bytes after unsigned LEB128 value');
      return value;
    }
  }
  throw new RangeError('truncated unsigned LEB128 value');
}
