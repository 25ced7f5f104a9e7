// core/candid_value_writer.ts against @dfinity/candid's own encodeValue, over generated values of
// every kind of type: those the writer encodes itself and those it hands back to the library.
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { encodeCandidValue } from '../../src/backend/core/candid_value_writer';

const nat = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }));

/** Field names whose Candid hashes order them differently from how they are written. */
const Mixed = IDL.Record({
  zeta: IDL.Bool,
  alpha: IDL.Text,
  count: IDL.Nat,
  small: IDL.Nat8,
  medium: IDL.Nat16,
  word: IDL.Nat32,
  wide: IDL.Nat64,
  signed: IDL.Int,
  signed32: IDL.Int32,
  real: IDL.Float64,
  nothing: IDL.Null,
  anything: IDL.Reserved,
  owner: IDL.Principal,
  blob: IDL.Vec(IDL.Nat8),
  shorts: IDL.Vec(IDL.Nat16),
  nested: IDL.Opt(IDL.Opt(IDL.Text)),
  pair: IDL.Tuple(IDL.Text, IDL.Nat64),
  choice: IDL.Variant({ Ready: IDL.Null, Failed: IDL.Record({ code: IDL.Nat32, why: IDL.Text }), Later: IDL.Nat64 })
});

const mixed = fc.record({
  zeta: fc.boolean(),
  alpha: text,
  count: fc.oneof(nat(20), nat(53), nat(200)),
  small: fc.nat({ max: 255 }),
  medium: fc.nat({ max: 65_535 }),
  word: fc.nat({ max: 2 ** 32 - 1 }),
  wide: fc.oneof(nat(32), nat(53), nat(64)),
  signed: fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }),
  signed32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  real: fc.double({ noNaN: true }),
  nothing: fc.constant(null),
  anything: fc.constant(null),
  owner: fc.uint8Array({ maxLength: 29 }).map((bytes) => Principal.fromUint8Array(bytes)),
  blob: fc.uint8Array({ maxLength: 300 }),
  shorts: fc.array(fc.nat({ max: 65_535 }), { maxLength: 5 }),
  nested: fc.oneof(fc.constant([]), fc.constant([[]]), text.map((value) => [[value]])),
  pair: fc.tuple(text, nat(64)),
  choice: fc.oneof(
    fc.constant({ Ready: null }),
    fc.record({ code: fc.nat({ max: 2 ** 32 - 1 }), why: text }).map((failed) => ({ Failed: failed })),
    nat(64).map((at) => ({ Later: at }))
  )
});

describe('encodeCandidValue', () => {
  it("gives the bytes of the type's own encodeValue, for any value of a type with every kind of field", () => {
    fc.assert(
      fc.property(fc.array(mixed, { maxLength: 3 }), (values) => {
        const type = IDL.Vec(Mixed);
        expect(encodeCandidValue(type, values)).toEqual(new Uint8Array(type.encodeValue(values)));
      }),
      { numRuns: 300 }
    );
  });

  it('gives the same bytes for a recursive type, which it leaves to the library', () => {
    const List = IDL.Rec();
    List.fill(IDL.Opt(IDL.Record({ head: IDL.Nat64, tail: List })));
    const list = [{ head: 1n, tail: [{ head: 2n ** 63n, tail: [] }] }];
    expect(encodeCandidValue(List, list)).toEqual(new Uint8Array(List.encodeValue(list)));
  });

  it('writes nat64 and nat at the edges of safe integers and of their range', () => {
    for (const value of [0n, 127n, 128n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n]) {
      expect(encodeCandidValue(IDL.Nat64, value)).toEqual(new Uint8Array(IDL.Nat64.encodeValue(value)));
      expect(encodeCandidValue(IDL.Nat, value)).toEqual(new Uint8Array(IDL.Nat.encodeValue(value)));
    }
    expect(encodeCandidValue(IDL.Nat, 2n ** 300n + 5n)).toEqual(new Uint8Array(IDL.Nat.encodeValue(2n ** 300n + 5n)));
  });
});
