import { IDL } from '@dfinity/candid';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  ArgumentError,
  candidReplyEncoder,
  ConfigInputType,
  configInputFromCandid,
  configInputToCandid,
  configToCandid,
  ConfigType,
  decodeOptionalArgument,
  IssueOptionsType,
  issueErrorToCandid,
  IssueResultType,
  MAX_ARGUMENT_BYTES,
  encodeMetrics,
  MetricsType
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

describe('replies encoded with a prebuilt type table', () => {
  const text = fc.string({ maxLength: 50 });
  const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
  const status = fc.oneof(
    fc.constant({ Ready: null }),
    fc.constant({ Fetching: null }),
    fc.record({ reject_code: fc.nat({ max: 2 ** 32 - 1 }), message: text, attempts: fc.nat({ max: 2 ** 32 - 1 }), next_retry_at: u64 }).map((Failed) => ({ Failed }))
  );
  const metrics = fc.record({
    tokens_issued: u64,
    signatures_requested: u64,
    rejections: fc.array(fc.record({ reason: text, count: u64 }), { maxLength: 5 }),
    cycle_balance: fc.bigInt({ min: 0n, max: 1n << 100n }),
    active_kid: fc.option(text, { nil: undefined }).map((kid) => (kid === undefined ? [] : [kid])),
    key_version: fc.nat({ max: 2 ** 32 - 1 }),
    active_keys: fc.array(fc.record({ algorithm: text, kid: text }), { maxLength: 3 }),
    pending_keys: fc.array(fc.record({ algorithm: text, kid: text, activates_at: u64 }), { maxLength: 3 }),
    signing_keys: fc.array(fc.record({ algorithm: text, status }), { maxLength: 3 }),
    authorization_codes: u64,
    instructions: fc.array(fc.record({ message: text, count: u64, last: u64, max: u64, total: u64 }), { maxLength: 4 })
  });

  it('gives the bytes IDL.encode gives, for any metrics value', () => {
    fc.assert(
      fc.property(metrics, (generated) => {
        const value = structuredClone(generated); // plain objects, as the canister builds them
        const encoded = encodeMetrics(value);
        expect(encoded).toEqual(new Uint8Array(IDL.encode([MetricsType], [value])));
        expect(IDL.decode([MetricsType], encoded)).toEqual([value]);
      })
    );
  });

  it('works for other types: a variant of records, a vector of text', () => {
    const encodeResult = candidReplyEncoder(IssueResultType, { Ok: { token: 'a', expires_at: 1n, kid: 'k' } });
    const failed = { Err: { SigningFailed: { reject_code: 4, message: 'no key' } } };
    expect(encodeResult(failed)).toEqual(new Uint8Array(IDL.encode([IssueResultType], [failed])));
    const encodeTexts = candidReplyEncoder(IDL.Vec(IDL.Text), []);
    expect(encodeTexts(['x', 'yz'])).toEqual(new Uint8Array(IDL.encode([IDL.Vec(IDL.Text)], [['x', 'yz']])));
  });

  it('refuses a value that is not of the type, naming the field, as IDL.encode does', () => {
    const valid = IDL.decode([MetricsType], encodeMetrics({ ...sampleMetrics() }))[0] as Record<string, unknown>;
    expect(() => encodeMetrics({ ...valid, key_version: -1 } as never)).toThrow(/key_version/);
    expect(() => encodeMetrics({ ...valid, tokens_issued: 1n << 64n } as never)).toThrow(/tokens_issued/);
  });
});

function sampleMetrics() {
  return {
    tokens_issued: 3n,
    signatures_requested: 4n,
    rejections: [{ reason: 'RateLimited', count: 1n }],
    cycle_balance: 10n ** 14n,
    active_kid: ['kid'] as [string],
    key_version: 1,
    active_keys: [{ algorithm: 'ES256K', kid: 'kid' }],
    pending_keys: [],
    signing_keys: [{ algorithm: 'ES256K', status: { Ready: null } }],
    authorization_codes: 0n,
    instructions: [{ message: 'issue_jwt ES256K', count: 2n, last: 80_000_000n, max: 90_000_000n, total: 170_000_000n }]
  };
}
