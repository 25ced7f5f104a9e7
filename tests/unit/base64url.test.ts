import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { base64Encode, base64EncodeAscii, base64UrlDecode, base64UrlEncode, base64UrlEncodeText, Base64UrlError } from '../../src/backend/core/base64url';

// RFC 4648 §10 test vectors, without padding (RFC 7515 §2 base64url).
const RFC4648_VECTORS: [string, string][] = [
  ['', ''],
  ['f', 'Zg'],
  ['fo', 'Zm8'],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg'],
  ['fooba', 'Zm9vYmE'],
  ['foobar', 'Zm9vYmFy']
];

describe('base64url', () => {
  it.each(RFC4648_VECTORS)('encodes %j as %j and back', (text, encoded) => {
    expect(base64UrlEncodeText(text)).toBe(encoded);
    expect(new TextDecoder().decode(base64UrlDecode(encoded))).toBe(text);
  });

  it('uses the URL-safe alphabet', () => {
    expect(base64UrlEncode(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe('-_-_');
  });

  it('agrees with Node on random inputs of every length up to 100 bytes', () => {
    for (let length = 0; length <= 100; length++) {
      const bytes = randomBytes(length);
      const encoded = base64UrlEncode(bytes);
      expect(encoded).toBe(bytes.toString('base64url'));
      expect(Buffer.from(base64UrlDecode(encoded)).equals(bytes)).toBe(true);
    }
  });

  it('encodes standard base64 with padding, as text and as ASCII bytes, as Node does', () => {
    for (let length = 0; length <= 100; length++) {
      const bytes = randomBytes(length);
      expect(base64Encode(bytes)).toBe(bytes.toString('base64'));
      expect(Buffer.from(base64EncodeAscii(bytes)).toString('latin1')).toBe(bytes.toString('base64'));
    }
    const large = randomBytes(20_000); // more characters than one String.fromCharCode chunk
    expect(base64Encode(large)).toBe(large.toString('base64'));
  });

  it.each([
    ['Zg==', 'padding'],
    ['Zm9v+g', 'standard alphabet +'],
    ['Zm9v/g', 'standard alphabet /'],
    ['Zm 9v', 'whitespace'],
    ['Zm9vY', 'impossible length'],
    ['Zh', 'non-zero trailing bits']
  ])('rejects %j (%s)', (text) => {
    expect(() => base64UrlDecode(text)).toThrow(Base64UrlError);
  });
});
