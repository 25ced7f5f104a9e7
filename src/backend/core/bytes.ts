export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new Error(`not a hex string of whole bytes: ${JSON.stringify(hex.slice(0, 16))}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + bytesToHex(bytes));
}

export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(8 * length)) {
    throw new RangeError(`value does not fit in ${length} bytes`);
  }
  return hexToBytes(value.toString(16).padStart(2 * length, '0'));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * UTF-8 bytes of `text`. ASCII text (headers, JSON, base64) is copied code unit by code unit:
 * Azle's TextEncoder is a JavaScript polyfill that costs thousands of instructions per character
 * in the canister (bench/instruction_breakdown.ts); anything else goes through TextEncoder.
 */
export function utf8(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x80) return new TextEncoder().encode(text);
    out[i] = unit;
  }
  return out;
}

/** Characters per String.fromCharCode call: well under any engine's limit on arguments. */
const ASCII_CHUNK = 4096;

/** The text of ASCII bytes (each byte one character), built natively a chunk at a time. */
export function asciiString(bytes: Uint8Array): string {
  let text = '';
  for (let at = 0; at < bytes.length; at += ASCII_CHUNK) text += String.fromCharCode(...bytes.subarray(at, at + ASCII_CHUNK));
  return text;
}

/**
 * The bytes of a Candid blob literal's text as generated modules carry it: printable ASCII as it
 * is, any byte as `\hh` (two hex digits). Candid's other escapes (`\n`, `\u{...}`) are refused:
 * the generator never writes them.
 */
export function candidBlobTextBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0x5c) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new RangeError(`not a \\hh escape at character ${i}: "${text.slice(i, i + 3)}"`);
      out[length++] = parseInt(hex, 16);
      i += 2;
    } else if (unit >= 0x20 && unit <= 0x7e && unit !== 0x22) {
      out[length++] = unit;
    } else {
      throw new RangeError(`character ${i} (U+${unit.toString(16).padStart(4, '0')}) must be written as an escape`);
    }
  }
  return out.slice(0, length);
}

export function u32BigEndian(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

/** LEB128 of a non-negative integer (Candid's lengths and `nat`). */
export function unsignedLeb128(value: number): Uint8Array {
  const out: number[] = [];
  do {
    const low = value & 0x7f;
    value = Math.floor(value / 128);
    out.push(value === 0 ? low : low | 0x80);
  } while (value !== 0);
  return Uint8Array.from(out);
}
