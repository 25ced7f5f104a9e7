import { describe, expect, it } from 'vitest';

import { binaryStringBytes, utf8 } from '../../src/backend/core/bytes';

describe('utf8', () => {
  it('gives the bytes node:util TextEncoder gives, for ASCII and for everything else', () => {
    const samples = ['', 'a', '{"iss":"https://x.example","exp":1}', '\u007f', '\u0080', 'é', 'ascii then é', '€𝄞', '\ud800 lone', 'x'.repeat(5_000)];
    for (const text of samples) expect(utf8(text), JSON.stringify(text.slice(0, 20))).toEqual(new TextEncoder().encode(text));
  });
});

describe('binaryStringBytes', () => {
  it('gives each character as one byte, as Node reads a latin1 string', () => {
    const binary = Buffer.from('<p>\u2026 \u03bc \u2192</p>\n', 'utf8').toString('latin1') + '\x00\xff';
    expect(binaryStringBytes(binary)).toEqual(new Uint8Array(Buffer.from(binary, 'latin1')));
    expect(binaryStringBytes('')).toEqual(new Uint8Array());
  });

  it('refuses a character that is not a byte, naming it', () => {
    expect(() => binaryStringBytes('ab\u0100')).toThrow('not a binary string: character 2 is U+0100');
    expect(() => binaryStringBytes('\u2026')).toThrow(RangeError);
  });
});
