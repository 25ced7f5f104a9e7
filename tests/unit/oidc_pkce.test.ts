// PKCE S256 (RFC 7636) against the RFC's own example and node:crypto.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { constantTimeEqual, isCodeVerifier, isS256Challenge, s256Challenge, verifierMatches } from '../../src/backend/core/oidc/pkce';

describe('PKCE S256', () => {
  it('gives the challenge of RFC 7636 Appendix B', () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    expect(s256Challenge(verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(verifierMatches(verifier, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')).toBe(true);
  });

  it('agrees with node:crypto on random verifiers of every allowed length', () => {
    for (let length = 43; length <= 128; length += 17) {
      const verifier = randomBytes(96).toString('base64url').slice(0, length);
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      expect(s256Challenge(verifier)).toBe(challenge);
      expect(isS256Challenge(challenge)).toBe(true);
      expect(verifierMatches(verifier, challenge)).toBe(true);
    }
  });

  it('refuses a wrong verifier, a plain (untransformed) one, and verifiers outside RFC 7636 §4.1', () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    const challenge = s256Challenge(verifier);
    expect(verifierMatches(`${verifier.slice(0, -1)}l`, challenge)).toBe(false);
    // code_challenge_method=plain would send the verifier itself as the challenge.
    expect(verifierMatches(verifier, verifier)).toBe(false);
    for (const bad of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}+`, `${'a'.repeat(42)}/`, `${'a'.repeat(42)}=`, `${'a'.repeat(42)} `, `${'a'.repeat(42)}é`]) {
      expect(isCodeVerifier(bad), bad).toBe(false);
    }
    expect(isCodeVerifier('a'.repeat(43))).toBe(true);
    expect(isCodeVerifier(`${'a'.repeat(40)}-._~`)).toBe(true);
    expect(isS256Challenge(`${challenge}=`)).toBe(false);
    expect(isS256Challenge(challenge.slice(1))).toBe(false);
  });

  it('compares strings of equal length character by character, and tells different lengths apart', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
