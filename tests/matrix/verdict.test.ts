// How one library's outcomes on one algorithm become a README table cell.
import { describe, expect, it } from 'vitest';

import type { Outcome } from './libraries';
import { verdict, type Cell } from './matrix';

const SUBJECT = '5qfv2-aaaaa';
const verified: Outcome = { ok: true, claims: { sub: SUBJECT } };
const refused: Outcome = { ok: false, error: 'SomeError', message: 'no' };
const cell = (overrides: Partial<Cell> = {}): Cell => ({
  valid: verified,
  otherAlgorithm: refused,
  expired: refused,
  otherAudience: refused,
  ...overrides
});

describe('verdict', () => {
  it('is yes only when the valid token verifies and every other token is refused', () => {
    expect(verdict(cell(), SUBJECT)).toBe('yes');
  });

  it("names the library's error code for the valid token", () => {
    expect(verdict(cell({ valid: { ok: false, error: 'ERR_JOSE_NOT_SUPPORTED', message: 'Unsupported' } }), SUBJECT)).toBe(
      'no (`ERR_JOSE_NOT_SUPPORTED`)'
    );
  });

  it('quotes the message of a bare Error, which has no code', () => {
    expect(verdict(cell({ valid: { ok: false, error: 'Error', message: 'Unknown key type "ed25519".' } }), SUBJECT)).toBe(
      'no (`Unknown key type "ed25519".`)'
    );
  });

  it('calls a library unsafe when it accepts what it must refuse', () => {
    expect(verdict(cell({ expired: verified, otherAlgorithm: verified }), SUBJECT)).toBe('unsafe (accepts otherAlgorithm, expired)');
  });

  it('is no when the claims returned are not the token holder', () => {
    expect(verdict(cell({ valid: { ok: true, claims: { sub: 'someone-else' } } }), SUBJECT)).toBe('no (wrong `sub`)');
  });
});
