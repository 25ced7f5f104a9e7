// The pure parts of the pocket-ic server: JSON with u128 numbers, the subnet config set, PocketIC's
// canister ranges, and reject responses by name.
import { describe, expect, it } from 'vitest';

import { canisterIdFromIndex } from '../../packages/local-ic/src';
import { parseJson, stringifyJson } from '../../packages/local-ic/src/pocket_ic/json';
import { rejectResponse } from '../../packages/local-ic/src/pocket_ic/rest_types';
import { planSubnets, subnetRequests } from '../../packages/local-ic/src/pocket_ic/subnet_layout';

describe('JSON with integers beyond 2^53', () => {
  it('keeps long integers exact and leaves strings and short numbers alone', () => {
    const text = '{"amount": 1180591620717411303431, "small": 42, "neg": -7, "f": 1.5e3, "s": "12345678901234567890 \\" 99999999999999999999", "list": [18446744073709551615]}';
    expect(parseJson(text)).toEqual({
      amount: '1180591620717411303431',
      small: 42,
      neg: -7,
      f: 1500,
      s: '12345678901234567890 " 99999999999999999999',
      list: ['18446744073709551615']
    });
  });

  it('writes bigints as plain JSON numbers', () => {
    const text = stringifyJson({ cycles: (1n << 70n) + 7n, time: 1_700_000_000_000_000_000n, note: 'x' });
    expect(text).toBe('{"cycles":1180591620717411303431,"time":1700000000000000000,"note":"x"}');
    expect(parseJson(text)).toEqual({ cycles: '1180591620717411303431', time: '1700000000000000000', note: 'x' });
  });
});

describe('subnet config set', () => {
  it('reads the subnets asked for, ignoring unknown fields, in PocketIC order', () => {
    const requests = subnetRequests({
      subnet_config_set: {
        application: [{ state_config: 'New', cost_schedule: 'Free', dts_flag: 'Enabled' }],
        ii: { state_config: 'New', instruction_config: 'Production' },
        nns: null,
        cloud_engine: [],
        something_new: 1
      },
      icp_config: null
    });
    expect(requests).toEqual([
      { kind: 'II', free: false },
      { kind: 'Application', free: true }
    ]);
  });

  it('refuses an empty set and subnet state loaded from a path', () => {
    expect(() => subnetRequests({ subnet_config_set: { application: [], system: [] } })).toThrow(/at least one subnet/);
    expect(() => subnetRequests({ subnet_config_set: { application: [{ state_config: { FromPath: '/tmp/x' } }] } })).toThrow(/only state_config "New"/);
  });

  it('gives every subnet its own range of 2^20 ids from the top, and named subnets their mainnet ranges too', () => {
    const [ii, first, second] = planSubnets([
      { kind: 'II', free: false },
      { kind: 'Application', free: false },
      { kind: 'Application', free: false }
    ]);
    // PocketIC: rdmx6-… (the II canister) and uc7f6-… to ijz7v-… are the II subnet's.
    expect(canisterIdFromIndex(ii!.ranges[0]!.start).toText()).toBe('rdmx6-jaaaa-aaaaa-aaadq-cai');
    expect(canisterIdFromIndex(ii!.ranges[1]!.end).toText()).toBe('ijz7v-ziaaa-aaaaq-7777q-cai');
    expect(canisterIdFromIndex(ii!.allocation.start).toText()).toBe('lxzze-o7777-77777-aaaaa-cai');
    for (const plan of [ii!, first!, second!]) expect(plan.allocation.end - plan.allocation.start).toBe((1n << 20n) - 1n);
    expect(first!.allocation.end + 1n).toBe(ii!.allocation.start);
    expect(second!.allocation.end + 1n).toBe(first!.allocation.start);
  });
});

describe('reject responses', () => {
  it('names reject and error codes as the real server does', () => {
    expect(rejectResponse({ kind: 'rejected', code: 5, message: 'boom', errorCode: 'IC0503' }, true)).toEqual({
      reject_code: 'CanisterError',
      reject_message: 'boom',
      error_code: 'CanisterCalledTrap',
      certified: true
    });
    // A reject the canister chose carries the replica's CanisterRejectedMessage.
    expect(rejectResponse({ kind: 'rejected', code: 4, message: 'no' }, false)).toMatchObject({ reject_code: 'CanisterReject', error_code: 'CanisterRejectedMessage', certified: false });
    expect(rejectResponse({ kind: 'rejected', code: 3, message: 'gone', errorCode: 'IC0301' }, true)).toMatchObject({ reject_code: 'DestinationInvalid', error_code: 'CanisterNotFound' });
  });
});
