import { createHash, randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { sha256 } from '../../src/backend/core/sha256';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const nodeSha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const ascii = (text: string) => new TextEncoder().encode(text);

describe('sha256', () => {
  it('gives the FIPS 180-2 example digests', () => {
    expect(hex(sha256(ascii('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'
    );
    expect(hex(sha256(new Uint8Array(1_000_000).fill(0x61)))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('agrees with node:crypto at every length around the padding boundaries, and on random input', () => {
    for (let length = 0; length <= 200; length++) {
      const message = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      expect(hex(sha256(message)), `length ${length}`).toBe(nodeSha256(message));
    }
    for (let i = 0; i < 50; i++) {
      const message = new Uint8Array(randomBytes(1 + ((i * 977) % 5000)));
      expect(hex(sha256(message))).toBe(nodeSha256(message));
    }
  });

  it('does not depend on the previous call (the schedule is shared)', () => {
    const first = sha256(ascii('first'));
    sha256(new Uint8Array(300).fill(0xff));
    expect(sha256(ascii('first'))).toEqual(first);
  });
});
