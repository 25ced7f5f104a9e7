import { describe, expect, it } from 'vitest';

import { asciiFastPath } from '../../src/backend/core/ascii_text_codec';

const { Encoder, Decoder } = asciiFastPath(TextEncoder, TextDecoder);
const texts = ['', 'a', 'DIDL', '{"kid":"x","exp":1}', '\u007f', '\u0080', 'é', 'then é', '€𝄞', '\ud800 lone', 'x'.repeat(10_000)];

describe('the ASCII fast path of TextEncoder and TextDecoder', () => {
  it('encodes as the base class does', () => {
    for (const text of texts) expect(new Encoder().encode(text), JSON.stringify(text.slice(0, 12))).toEqual(new TextEncoder().encode(text));
  });

  it('decodes as the base class does, from views, buffers and offsets', () => {
    for (const text of texts) {
      const bytes = new TextEncoder().encode(text);
      expect(new Decoder().decode(bytes)).toBe(new TextDecoder().decode(bytes));
      expect(new Decoder().decode(bytes.buffer)).toBe(text.replace('\ud800', '\ufffd'));
      const padded = new Uint8Array([0x41, ...bytes, 0x42]);
      expect(new Decoder().decode(padded.subarray(1, padded.length - 1))).toBe(new TextDecoder().decode(bytes));
    }
  });

  it('keeps the base class rules for what is not ASCII: fatal errors, the BOM, streaming', () => {
    expect(() => new Decoder('utf8', { fatal: true }).decode(Uint8Array.of(0x41, 0xff))).toThrow(TypeError);
    expect(new Decoder().decode(Uint8Array.of(0x41, 0xff))).toBe('A\ufffd');
    expect(new Decoder().decode(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41))).toBe('A');
    const streaming = new Decoder();
    expect(streaming.decode(Uint8Array.of(0x41, 0xc3), { stream: true }) + streaming.decode(Uint8Array.of(0xa9))).toBe('Aé');
    expect(new Decoder().decode()).toBe('');
  });
});
