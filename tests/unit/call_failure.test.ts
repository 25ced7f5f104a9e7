import { describe, expect, it } from 'vitest';

import { describeCallFailure } from '../../src/backend/core/call_failure';

describe('describeCallFailure', () => {
  it('reads the reject code and message out of the Error Azle throws for a reject', () => {
    const message = 'Unable to route management canister request ecdsa_public_key: ChainKeyError("Requested unknown threshold key")';
    expect(describeCallFailure(new Error(`call rejected: 3 - ${message}`))).toEqual({ rejectCode: 3, message });
  });

  it('reads a CallRejected object', () => {
    expect(describeCallFailure({ type: 'CallRejected', rejectCode: 4, rejectMessage: 'no' })).toEqual({ rejectCode: 4, message: 'no' });
  });

  it('says why a call never left, with code 0', () => {
    expect(describeCallFailure({ type: 'InsufficientLiquidCycleBalance', available: 1n, required: 2n })).toEqual({
      rejectCode: 0,
      message: 'the canister has 1 liquid cycles but the call needs 2'
    });
    expect(describeCallFailure(new Error('boom'))).toEqual({ rejectCode: 0, message: 'boom' });
    expect(describeCallFailure('odd')).toEqual({ rejectCode: 0, message: 'odd' });
  });
});
