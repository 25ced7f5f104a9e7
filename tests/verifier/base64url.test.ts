import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { base64UrlDecode } from '../../src/backend/core/base64url';
import { decodeBase64UrlStrict, encodeBase64Url } from '../../packages/verifier/src/base64url';

// The canister core's decoder is an independent, table-driven strict implementation.
function coreDecode(text: string): Uint8Array | undefined {
  try {
    return base64UrlDecode(text);
  } catch {
    return undefined;
  }
}

describe('strict base64url decoding', () => {
  it('decodes canonical text to the same bytes as the core decoder and as Node', () => {
    for (let length = 0; length < 80; length++) {
      const bytes = randomBytes(length);
      const text = bytes.toString('base64url');
      expect(decodeBase64UrlStrict(text)).toEqual(new Uint8Array(bytes));
      expect(encodeBase64Url(bytes)).toBe(text);
      expect(Buffer.from(coreDecode(text)!)).toEqual(bytes);
    }
  });

  it.each([
    ['padding', 'YQ=='],
    ['standard alphabet +', 'a+b/'],
    ['standard alphabet /', 'ab/c'],
    ['whitespace', 'YW Jj'],
    ['newline', 'YWJj\n'],
    ['a dangling character', 'YWJjZ'],
    ['non-zero unused bits', 'YR'],
    ['a non-ASCII character', 'YWJé']
  ])('rejects %s, which Node alone would accept', (_what, text) => {
    expect(decodeBase64UrlStrict(text)).toBeUndefined();
    expect(coreDecode(text)).toBeUndefined();
  });

  it('agrees with the core decoder on thousands of mutated strings', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .';
    let rejected = 0;
    for (let i = 0; i < 4000; i++) {
      const chars = [...randomBytes(1 + (i % 40)).toString('base64url')];
      const position = i % chars.length;
      chars[position] = alphabet[randomBytes(1)[0]! % alphabet.length]!;
      if (i % 3 === 0) chars.splice(position, 1);
      const text = chars.join('');
      const ours = decodeBase64UrlStrict(text);
      const core = coreDecode(text);
      expect(ours === undefined, text).toBe(core === undefined);
      if (ours !== undefined) expect(core).toEqual(ours);
      else rejected++;
    }
    expect(rejected).toBeGreaterThan(500);
  });
});
