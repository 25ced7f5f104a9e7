import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { candidBlobTextBytes, utf8 } from '../../src/backend/core/bytes';

describe('utf8', () => {
  it('gives the bytes node:util TextEncoder gives, for ASCII and for everything else', () => {
    const samples = ['', 'a', '{"iss":"https://x.example","exp":1}', '\u007f', '\u0080', 'é', 'ascii then é', '€𝄞', '\ud800 lone', 'x'.repeat(5_000)];
    for (const text of samples) expect(utf8(text), JSON.stringify(text.slice(0, 20))).toEqual(new TextEncoder().encode(text));
  });
});

describe('candidBlobTextBytes', () => {
  /** Candid's text form of a blob: printable ASCII as is, except `"` and `\\`, which like every other byte are written \\hh. */
  const blobText = (bytes: Uint8Array): string =>
    Buffer.from(bytes).toString('latin1').replace(/[^ !#-[\]-~]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

  it('gives back every byte, from printable ASCII and from \\hh escapes in either case', () => {
    const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
    const page = new Uint8Array(Buffer.from('<p class="x">\u2026 \\ \u03bc \u2192</p>\n', 'utf8'));
    for (const bytes of [everyByte, page, new Uint8Array(randomBytes(4_096)), new Uint8Array()]) expect(candidBlobTextBytes(blobText(bytes))).toEqual(bytes);
    expect(candidBlobTextBytes('\\E2\\80\\a6')).toEqual(Uint8Array.of(0xe2, 0x80, 0xa6));
  });

  it("refuses what the page's generator never writes, naming where", () => {
    expect(() => candidBlobTextBytes('ab\\n')).toThrow('not a \\hh escape at character 2: "\\n"');
    expect(() => candidBlobTextBytes('\\u{41}')).toThrow('not a \\hh escape at character 0');
    expect(() => candidBlobTextBytes('a\\4')).toThrow(RangeError);
    expect(() => candidBlobTextBytes('say "hi"')).toThrow('character 4 (U+0022) must be written as an escape');
    expect(() => candidBlobTextBytes('caf\u00e9')).toThrow('character 3 (U+00e9) must be written as an escape');
    expect(() => candidBlobTextBytes('line\n')).toThrow('character 4 (U+000a) must be written as an escape');
  });
});
