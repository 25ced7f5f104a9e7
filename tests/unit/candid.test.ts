import { IDL } from '@dfinity/candid';
import { describe, expect, it } from 'vitest';

import {
  ArgumentError,
  ConfigInputType,
  configInputFromCandid,
  configInputToCandid,
  configToCandid,
  ConfigType,
  decodeOptionalArgument,
  IssueOptionsType,
  issueErrorToCandid,
  IssueResultType,
  MAX_ARGUMENT_BYTES
} from '../../src/backend/core/candid';
import { defaultConfig } from '../../src/backend/core/config';
import type { IssueError } from '../../src/backend/core/issue_error';

const decodeOptions = (bytes: Uint8Array) => decodeOptionalArgument(IssueOptionsType, bytes, 'issue_jwt');
const options = { audience: ['api'], ttl_seconds: [120], extra_claims: [], algorithm: ['EdDSA'] };

describe('issue_jwt argument decoding', () => {
  it('accepts a call with no argument at all', () => {
    expect(decodeOptions(IDL.encode([], []))).toBeNull();
  });

  it('accepts null and a record', () => {
    expect(decodeOptions(IDL.encode([IDL.Opt(IssueOptionsType)], [[]]))).toBeNull();
    expect(decodeOptions(IDL.encode([IDL.Opt(IssueOptionsType)], [[options]]))).toEqual(options);
  });

  it('accepts a record with fields left out, as Candid subtyping allows', () => {
    const partial = IDL.Record({ ttl_seconds: IDL.Opt(IDL.Nat32) });
    expect(decodeOptions(IDL.encode([IDL.Opt(partial)], [[{ ttl_seconds: [60] }]]))).toEqual({
      audience: [],
      ttl_seconds: [60],
      extra_claims: [],
      algorithm: []
    });
  });

  it('rejects bytes that are not Candid, saying so', () => {
    expect(() => decodeOptions(Uint8Array.from([1, 2, 3]))).toThrow(ArgumentError);
    expect(() => decodeOptions(new TextEncoder().encode('DIDL garbage'))).toThrow(/not valid Candid for \(opt record/);
  });

  it('rejects oversized arguments before decoding', () => {
    const huge = IDL.encode([IDL.Opt(IssueOptionsType)], [[{ ...options, extra_claims: ['x'.repeat(MAX_ARGUMENT_BYTES)] }]]);
    expect(() => decodeOptions(huge)).toThrow(/the limit is 8192/);
  });
});

describe('config over Candid', () => {
  it('round-trips every field', () => {
    const config = { ...defaultConfig('aaaaa-aa'), cycleFloor: 5n, rateLimit: { capacity: 3, refillIntervalSeconds: 9 } };
    const bytes = IDL.encode([ConfigInputType], [configInputToCandid(config)]);
    const [decoded] = IDL.decode([ConfigInputType], bytes) as [never];
    expect(configInputFromCandid(decoded)).toEqual(config);
    expect(() => IDL.encode([ConfigType], [configToCandid(config)])).not.toThrow();
  });

  it('leaves out what the caller left out', () => {
    const bytes = IDL.encode([ConfigInputType], [configInputToCandid({ issuer: 'https://x.io' })]);
    expect(configInputFromCandid(IDL.decode([ConfigInputType], bytes)[0] as never)).toEqual({ issuer: 'https://x.io' });
  });
});

describe('issue errors over Candid', () => {
  const everyError: IssueError[] = [
    { kind: 'AnonymousCaller' },
    { kind: 'AudienceNotAllowed', audience: 'x', allowed: ['a'] },
    { kind: 'TtlOutOfRange', requested: 1, min: 60, max: 3600 },
    { kind: 'ClaimsInvalid', reason: 'r' },
    { kind: 'RateLimited', scope: 'Global', retryAfterSeconds: 7 },
    { kind: 'SigningKeyNotReady', algorithm: 'ES256K', status: { kind: 'Fetching' } },
    { kind: 'SigningKeyNotReady', algorithm: 'EdDSA', status: { kind: 'Failed', rejectCode: 4, message: 'm', attempts: 2, nextRetryAtSeconds: 5 } },
    { kind: 'SigningFailed', rejectCode: 4, message: 'm' },
    { kind: 'CyclesBelowFloor', balance: 1n, floor: 2n, fee: 3n }
  ];

  it.each(everyError)('encodes $kind as its own variant case', (error) => {
    const bytes = IDL.encode([IssueResultType], [{ Err: issueErrorToCandid(error) }]);
    const [decoded] = IDL.decode([IssueResultType], bytes) as [{ Err: Record<string, unknown> }];
    expect(Object.keys(decoded.Err)).toEqual([error.kind]);
  });
});
