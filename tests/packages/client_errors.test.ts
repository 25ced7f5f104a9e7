// Every IssueError case of the Candid interface becomes an IcJwtError with that case as `code`
// and its fields as `details` (camelCase, as the canister core names them).
import { IcJwtError, type IssueErrorCode, type IssueErrorDetails } from '@ic-jwt/client';
import type { IssueError as CandidIssueError } from '@ic-jwt/client/candid';
import { describe, expect, expectTypeOf, it } from 'vitest';

import { errorFromCandid } from '../../packages/client/src/errors';

const CASES: readonly [CandidIssueError, IssueErrorCode, Record<string, unknown>][] = [
  [{ AnonymousCaller: null }, 'AnonymousCaller', {}],
  [{ AudienceNotAllowed: { audience: 'x', allowed: ['a', 'b'] } }, 'AudienceNotAllowed', { audience: 'x', allowed: ['a', 'b'] }],
  [{ TtlOutOfRange: { requested: 5, min: 60, max: 86400 } }, 'TtlOutOfRange', { requested: 5, min: 60, max: 86400 }],
  [{ ClaimsInvalid: { reason: 'room is not allowed' } }, 'ClaimsInvalid', { reason: 'room is not allowed' }],
  [{ RateLimited: { scope: { Global: null }, retry_after_seconds: 7 } }, 'RateLimited', { scope: 'Global', retryAfterSeconds: 7 }],
  [{ AlgorithmNotEnabled: { algorithm: 'EdDSA', enabled: ['ES256K'] } }, 'AlgorithmNotEnabled', { algorithm: 'EdDSA', enabled: ['ES256K'] }],
  [
    { SigningKeyNotReady: { algorithm: 'ES256K', status: { Failed: { reject_code: 5, message: 'no key', attempts: 3, next_retry_at: 1_800_000_000n } } } },
    'SigningKeyNotReady',
    { algorithm: 'ES256K', status: { kind: 'Failed', rejectCode: 5, message: 'no key', attempts: 3, nextRetryAtSeconds: 1_800_000_000 } }
  ],
  [{ SigningKeyNotReady: { algorithm: 'EdDSA', status: { Fetching: null } } }, 'SigningKeyNotReady', { algorithm: 'EdDSA', status: { kind: 'Fetching' } }],
  [{ SigningFailed: { reject_code: 4, message: 'busy' } }, 'SigningFailed', { rejectCode: 4, message: 'busy' }],
  [{ CyclesBelowFloor: { balance: 10n, floor: 20n, fee: 3n } }, 'CyclesBelowFloor', { balance: 10n, floor: 20n, fee: 3n }]
];

describe('IcJwtError from the canister\'s IssueError', () => {
  it.each(CASES.map(([candid, code, details]) => ({ code, candid, details })))('$code', ({ candid, code, details }) => {
    const error = errorFromCandid(candid);
    expect(error).toBeInstanceOf(IcJwtError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('IcJwtError');
    expect(error.code).toBe(code);
    expect(error.details).toEqual(details);
    expect(error.message.length).toBeGreaterThan(10);
    expect(error.is(code)).toBe(true);
  });

  it('covers every case of the Candid variant', () => {
    expectTypeOf<keyof IssueErrorDetails>().toEqualTypeOf<CandidIssueError extends infer U ? (U extends unknown ? keyof U : never) : never>();
    expect(new Set(CASES.map(([, code]) => code)).size).toBe(9);
  });
});
