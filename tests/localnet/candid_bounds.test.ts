// Candid on the local IC's request path (management canister arguments, the gateway's reading
// of http_request replies) is walked with bounds before @dfinity/candid decodes it.
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { assertBoundedCandid, CandidBoundsError, MAX_CANDID_VALUES } from '../../packages/local-ic/src/shared/candid_bounds';
import { LocalIc, MANAGEMENT_CANISTER_ID } from '../../packages/local-ic/src';
import { CanisterIdRecord, InstallCodeArgs } from '../../packages/local-ic/src/management/candid_types';

const DIDL = [0x44, 0x49, 0x44, 0x4c];

function leb(value: bigint): number[] {
  const out: number[] = [];
  do {
    let next = Number(value & 0x7fn);
    value >>= 7n;
    if (value !== 0n) next |= 0x80;
    out.push(next);
  } while (value !== 0n);
  return out;
}

/** 14 bytes that @dfinity/candid turns into 2^32 nulls. */
const VEC_NULL_BOMB = Uint8Array.from([...DIDL, 1, 0x6d, 0x7f, 1, 0, ...leb(1n << 32n)]);
/** The same bomb as an extra record field, which a decoder expecting `record {}` skips value by value. */
const SKIPPED_FIELD_BOMB = Uint8Array.from([...DIDL, 2, 0x6c, 1, 0, 1, 0x6d, 0x7f, 1, 0, ...leb(1n << 32n)]);
/** A nat of 200,000 LEB128 bytes. */
const LONG_NAT = Uint8Array.from([...DIDL, 0, 1, 0x7d, ...new Array<number>(200_000).fill(0xff), 1]);
/** μt.record { t }: a value without end. */
const ENDLESS_RECORD = Uint8Array.from([...DIDL, 1, 0x6c, 1, 0, 0, 1, 0]);

describe('bounded Candid', () => {
  it.each([
    ['vec null of 2^32 elements', VEC_NULL_BOMB, /more than 65536 values/],
    ['a skipped field holding it', SKIPPED_FIELD_BOMB, /more than 65536 values/],
    ['a 200 KB nat', LONG_NAT, /longer than 64 bytes/],
    ['an endless recursive record', ENDLESS_RECORD, /nested deeper than 64/],
    ['vec null of one too many', Uint8Array.from([...DIDL, 1, 0x6d, 0x7f, 1, 0, ...leb(BigInt(MAX_CANDID_VALUES))]), /more than 65536 values/],
    ['a vec longer than the message', Uint8Array.from([...DIDL, 1, 0x6d, 0x71, 1, 0, ...leb(10n), 0]), /ends early/],
    ['no header', Uint8Array.from([1, 2, 3]), /no DIDL header/]
  ])('refuses %s', (_name, bytes, message) => {
    expect(() => assertBoundedCandid(bytes)).toThrow(CandidBoundsError);
    expect(() => assertBoundedCandid(bytes)).toThrow(message);
  });

  it('lets through what @dfinity/candid encodes, a 2 MiB Wasm module included', () => {
    const controller = Principal.fromText('aaaaa-aa');
    const install = IDL.encode([InstallCodeArgs], [{ mode: { install: null }, canister_id: controller, wasm_module: new Uint8Array(2 * 1024 * 1024), arg: new Uint8Array([1, 2]), sender_canister_version: [] }]);
    expect(() => assertBoundedCandid(install)).not.toThrow();
    const Value = IDL.Rec();
    Value.fill(IDL.Variant({ leaf: IDL.Nat, text: IDL.Text, list: IDL.Vec(Value), pair: IDL.Record({ a: IDL.Opt(IDL.Principal), b: IDL.Int64 }) }));
    const value = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.bigInt({ min: 0n, max: 1n << 128n }).map((leaf) => ({ leaf })),
        fc.string().map((text) => ({ text })),
        fc.array(tie('value'), { maxLength: 4 }).map((list) => ({ list })),
        fc.record({ a: fc.option(fc.constant(controller), { nil: undefined }).map((p) => (p === undefined ? [] : [p])), b: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }) }).map(({ a, b }) => ({ pair: { a, b } }))
      )
    })).value;
    fc.assert(
      fc.property(value, (v) => {
        expect(() => assertBoundedCandid(IDL.encode([Value, IDL.Text], [v, 'x']))).not.toThrow();
      }),
      { numRuns: 300 }
    );
  });

  it('refuses random and mutated messages only with CandidBoundsError', () => {
    const valid = IDL.encode([CanisterIdRecord, IDL.Vec(IDL.Opt(IDL.Text))], [{ canister_id: Principal.fromText('aaaaa-aa') }, [['a'], []]]);
    const mutated = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, value]) => {
      const copy = valid.slice();
      copy[at % copy.length] = value;
      return copy;
    });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 64 }).map((tail) => Uint8Array.from([...DIDL, ...tail]))), (bytes) => {
        try {
          assertBoundedCandid(bytes);
        } catch (error) {
          if (!(error instanceof CandidBoundsError)) throw error;
        }
      }),
      { numRuns: 1000 }
    );
  });
});

describe('the management canister', () => {
  let ic: LocalIc;

  beforeAll(async () => {
    ic = await LocalIc.create();
  });

  afterAll(() => {
    ic.close();
  });

  it('rejects a Candid bomb as an invalid payload, within a second', async () => {
    const started = performance.now();
    const result = await ic.updateCall(MANAGEMENT_CANISTER_ID, 'canister_status', SKIPPED_FIELD_BOMB, { sender: Principal.anonymous() });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/more than 65536 values/) });
  });
});
