import { describe, expect, it } from 'vitest';

import { utf8 } from '../../src/backend/core/bytes';

describe('utf8', () => {
  it('gives the bytes node:util TextEncoder gives, for ASCII and for everything else', () => {
    const samples = ['', 'a', '{"iss":"https://x.example","exp":1}', '\u007f', '\u0080', 'é', 'ascii then é', '€𝄞', '\ud800 lone', 'x'.repeat(5_000)];
    for (const text of samples) expect(utf8(text), JSON.stringify(text.slice(0, 20))).toEqual(new TextEncoder().encode(text));
  });
});
