// The hand-read issue_jwt argument against the general decoder (IDL.decode through decodeOptionalArgument).
import { IDL } from '@dfinity/candid';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { decodeOptionalArgument, IssueOptionsType, MAX_ARGUMENT_BYTES } from '../../src/backend/core/candid';
import { decodeIssueOptions } from '../../src/backend/core/issue_options_candid';

const general = (bytes: Uint8Array) => decodeOptionalArgument(IssueOptionsType, bytes, 'issue_jwt');
const outcome = (decode: () => unknown) => {
  try {
    return { value: decode() };
  } catch (error) {
    return { error: (error as Error).message };
  }
};
const encode = (value: unknown) => new Uint8Array(IDL.encode([IDL.Opt(IssueOptionsType)], [value]));

const optText = fc.option(fc.string({ unit: 'binary', maxLength: 300 }), { nil: undefined }).map((text) => (text === undefined ? [] : [text]));
const optionsValue = fc.record({
  audience: optText,
  ttl_seconds: fc.option(fc.nat({ max: 2 ** 32 - 1 }), { nil: undefined }).map((ttl) => (ttl === undefined ? [] : [ttl])),
  extra_claims: optText,
  algorithm: optText
});
// fast-check's records have no prototype; IDL.encode wants a plain object.
const message = fc.oneof(optionsValue.map((value) => encode([{ ...value }])), fc.constant(encode([])), fc.constant(new Uint8Array(IDL.encode([], []))));

describe('issue_jwt argument, read by hand', () => {
  it('gives what IDL.decode gives for every argument @dfinity/candid encodes', () => {
    fc.assert(
      fc.property(message, (bytes) => {
        expect(decodeIssueOptions(bytes)).toEqual(general(bytes));
      }),
      { numRuns: 500 }
    );
  });

  it('gives the same value or the same error as IDL.decode for changed, cut and extended messages', () => {
    const mutated = fc.tuple(message, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 3 }), fc.integer({ min: -3, max: 3 }), fc.nat({ max: 255 }));
    fc.assert(
      fc.property(mutated, ([bytes, changes, resize, filler]) => {
        const changed = bytes.slice();
        for (const [at, value] of changes) changed[at % changed.length] = value;
        const sized = resize < 0 ? changed.subarray(0, Math.max(0, changed.length + resize)) : Uint8Array.of(...changed, ...new Array<number>(resize).fill(filler));
        expect(outcome(() => decodeIssueOptions(sized))).toEqual(outcome(() => general(sized)));
      }),
      { numRuns: 2000 }
    );
  });

  it('leaves other encoders\' type tables, and oversized messages, to IDL.decode', () => {
    // A client of an older interface: the record without `algorithm`.
    const older = IDL.Record({ audience: IDL.Opt(IDL.Text), ttl_seconds: IDL.Opt(IDL.Nat32), extra_claims: IDL.Opt(IDL.Text) });
    const bytes = new Uint8Array(IDL.encode([IDL.Opt(older)], [[{ audience: ['api'], ttl_seconds: [90], extra_claims: [] }]]));
    expect(decodeIssueOptions(bytes)).toEqual({ audience: ['api'], ttl_seconds: [90], extra_claims: [], algorithm: [] });
    const huge = encode([{ audience: [], ttl_seconds: [], extra_claims: ['x'.repeat(MAX_ARGUMENT_BYTES)], algorithm: [] }]);
    expect(() => decodeIssueOptions(huge)).toThrow(/the limit is 8192/);
  });
});
