import { describe, expect, it } from 'vitest';

import { checkClaims, type ClaimsPolicy } from '../../packages/verifier/src/claims';
import {
  AudienceMismatchError,
  ClaimInvalidError,
  IssuerMismatchError,
  TokenExpiredError,
  TokenNotYetValidError
} from '@ic-jwt/verifier';

const ISSUER = 'https://bkyz2-fmaaa-aaaaa-qaaaq-cai.icp0.io';
const NOW = 1_800_000_000;
const policy: ClaimsPolicy = { issuer: ISSUER, audiences: ['api', 'chat'], clockToleranceSeconds: 30 };
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  sub: 'xkbqi-2qaaa-aaaah-qbpqq-cai',
  aud: 'api',
  iat: NOW,
  nbf: NOW,
  exp: NOW + 3600,
  jti: 'AAAAAAAAAAE',
  ...extra
});

describe('claims checks', () => {
  it('returns every claim, extras included, frozen', () => {
    const checked = checkClaims(claims({ role: 'chat', nested: { a: [1] } }), policy, NOW);
    expect(checked).toEqual(claims({ role: 'chat', nested: { a: [1] } }));
    expect(Object.isFrozen(checked)).toBe(true);
  });

  it('compares the issuer exactly', () => {
    for (const iss of [`${ISSUER}/`, ISSUER.toUpperCase(), 'https://bkyz2-fmaaa-aaaaa-qaaaq-cai.raw.icp0.io', `${ISSUER} `]) {
      expect(() => checkClaims(claims({ iss }), policy, NOW)).toThrow(IssuerMismatchError);
    }
  });

  it('accepts aud as a string or an array that names one of the audiences', () => {
    expect(checkClaims(claims({ aud: 'chat' }), policy, NOW).aud).toBe('chat');
    expect(checkClaims(claims({ aud: ['other', 'chat'] }), policy, NOW).aud).toEqual(['other', 'chat']);
    for (const aud of ['other', ['other', 'more'], 'API']) {
      expect(() => checkClaims(claims({ aud }), policy, NOW)).toThrow(AudienceMismatchError);
    }
  });

  it('allows the clock tolerance around exp, nbf and iat, and no more', () => {
    const exp = NOW + 3600;
    expect(checkClaims(claims(), policy, exp + 29).exp).toBe(exp);
    expect(() => checkClaims(claims(), policy, exp + 30)).toThrow(TokenExpiredError);
    expect(checkClaims(claims(), { ...policy, clockToleranceSeconds: 0 }, exp - 1).exp).toBe(exp);
    expect(() => checkClaims(claims(), { ...policy, clockToleranceSeconds: 0 }, exp)).toThrow(TokenExpiredError);
    expect(checkClaims(claims(), policy, NOW - 30).nbf).toBe(NOW);
    expect(() => checkClaims(claims(), policy, NOW - 31)).toThrow(TokenNotYetValidError);
    expect(() => checkClaims(claims({ nbf: NOW - 100, iat: NOW + 100 }), policy, NOW)).toThrow(/issued in the future/);
  });

  it('names the expiry in the error', () => {
    const error = (() => {
      try {
        checkClaims(claims(), policy, NOW + 7200);
      } catch (caught) {
        return caught as TokenExpiredError;
      }
      throw new Error('no error');
    })();
    expect(error.code).toBe('ERR_JWT_EXPIRED');
    expect(error.expiredAt).toBe(NOW + 3600);
    expect(error.message).toContain(new Date((NOW + 3600) * 1000).toISOString());
  });

  it.each([
    ['iss', 42],
    ['sub', undefined],
    ['sub', ''],
    ['sub', ['a']],
    ['jti', undefined],
    ['jti', 7],
    ['exp', '1800003600'],
    ['exp', undefined],
    ['exp', null],
    ['nbf', true],
    ['iat', undefined],
    ['aud', 42],
    ['aud', []],
    ['aud', ['api', 3]],
    ['aud', undefined],
    ['aud', '']
  ])('rejects %s = %j as an invalid claim', (claim, value) => {
    const payload: Record<string, unknown> = claims();
    if (value === undefined) delete payload[claim];
    else payload[claim] = value;
    let caught: unknown;
    try {
      checkClaims(payload, policy, NOW);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ClaimInvalidError);
    expect((caught as ClaimInvalidError).claim).toBe(claim);
    expect((caught as ClaimInvalidError).code).toBe('ERR_JWT_CLAIM_INVALID');
  });
});
