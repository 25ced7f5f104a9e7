// The management canister reads messages whose types are exactly the expected ones in one pass
// (management/exact_candid_decoder.ts); @dfinity/candid's IDL.decode is the reference it must equal,
// and every other message (subtyping, malformed bytes) is left to IDL.decode.
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { CandidDecodeError, decode } from '../../packages/local-ic/src/management/candid_codec';
import * as Types from '../../packages/local-ic/src/management/candid_types';
import { decodeExactly } from '../../packages/local-ic/src/management/exact_candid_decoder';

const DIDL = [0x44, 0x49, 0x44, 0x4c];
/** LEB128 of the field ids of upload_chunk's record (the spec's idl_hash: 1313628723 and 1170392685). */
const CANISTER_ID_HASH = [0xb3, 0xc4, 0xb1, 0xf2, 0x04];
const CHUNK_HASH = [0xed, 0x8c, 0x8b, 0xae, 0x04];

/** Values of any (non-recursive) IDL type, for the property below. */
function valuesOf(type: IDL.Type): fc.Arbitrary<unknown> {
  if (type instanceof IDL.NullClass || type instanceof IDL.ReservedClass) return fc.constant(null);
  if (type instanceof IDL.BoolClass) return fc.boolean();
  if (type instanceof IDL.NatClass) return fc.bigInt({ min: 0n, max: (1n << 130n) - 1n });
  if (type instanceof IDL.IntClass) return fc.bigInt({ min: -(1n << 100n), max: 1n << 100n });
  if (type instanceof IDL.FixedNatClass) return type._bits === 64 ? fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) : fc.nat({ max: 2 ** type._bits - 1 });
  if (type instanceof IDL.TextClass) return fc.string({ unit: 'grapheme', maxLength: 12 });
  if (type instanceof IDL.PrincipalClass) return fc.uint8Array({ maxLength: 29 }).map((bytes) => Principal.fromUint8Array(bytes));
  if (type instanceof IDL.OptClass) return fc.option(valuesOf(type._type), { nil: undefined }).map((value) => (value === undefined ? [] : [value]));
  if (type instanceof IDL.VecClass) {
    if (type._type instanceof IDL.FixedNatClass && type._type._bits === 8) return fc.uint8Array({ maxLength: 40 });
    return fc.array(valuesOf(type._type), { maxLength: 3 });
  }
  if (type instanceof IDL.VariantClass) return fc.oneof(...type._fields.map(([name, field]) => valuesOf(field).map((value) => ({ [name]: value }))));
  if (type instanceof IDL.RecordClass) return fc.record(Object.fromEntries(type._fields.map(([name, field]) => [name, valuesOf(field)]))).map((value) => ({ ...value }));
  throw new Error(`no generator for ${type.display()}`);
}

const MANAGEMENT_ARGUMENTS = {
  install_code: Types.InstallCodeArgs,
  install_chunked_code: Types.InstallChunkedCodeArgs,
  upload_chunk: Types.UploadChunkArgs,
  update_settings: Types.UpdateSettingsArgs,
  provisional_create_canister_with_cycles: Types.ProvisionalCreateCanisterArgs,
  uninstall_code: Types.UninstallCodeArgs
};

describe('exact Candid decoder', () => {
  for (const [method, type] of Object.entries(MANAGEMENT_ARGUMENTS)) {
    it(`reads ${method} arguments encoded by @dfinity/candid exactly as IDL.decode does`, () => {
      fc.assert(
        fc.property(valuesOf(type), (value) => {
          const bytes = new Uint8Array(IDL.encode([type], [value]));
          const exact = decodeExactly([type], bytes);
          expect(exact).toBeDefined();
          expect(exact).toEqual(IDL.decode([type], bytes));
        }),
        { numRuns: 150 }
      );
    });
  }

  it('reads integers of every width and sign as IDL.decode does', () => {
    const types = [IDL.Nat8, IDL.Nat16, IDL.Nat32, IDL.Nat64, IDL.Int8, IDL.Int16, IDL.Int32, IDL.Int64, IDL.Int, IDL.Nat];
    const values = [255, 65_535, 4_294_967_295, 2n ** 64n - 1n, -128, -32_768, -2_147_483_648, -(2n ** 63n), -(2n ** 90n) + 5n, 2n ** 127n];
    const bytes = new Uint8Array(IDL.encode(types, values));
    expect(decodeExactly(types, bytes)).toEqual(values);
    expect(decodeExactly(types, bytes)).toEqual(IDL.decode(types, bytes));
  });

  it('reads upload_chunk bytes assembled by hand, whatever the order of the type table', () => {
    const principal = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01];
    const chunk = [0xde, 0xad, 0xbe, 0xef];
    // Fields in the order of their ids: chunk, then canister_id.
    const values = [chunk.length, ...chunk, 0x01, principal.length, ...principal];
    const record = (vecIndex: number) => [0x6c, 0x02, ...CHUNK_HASH, vecIndex, ...CANISTER_ID_HASH, 0x68];
    // The vector first, then the record that refers to it (the argument is type 1) …
    const vectorFirst = new Uint8Array([...DIDL, 0x02, 0x6d, 0x7b, ...record(0x00), 0x01, 0x01, ...values]);
    // … and the record first, the order a Rust encoder writes.
    const recordFirst = new Uint8Array([...DIDL, 0x02, ...record(0x01), 0x6d, 0x7b, 0x01, 0x00, ...values]);
    for (const bytes of [vectorFirst, recordFirst]) {
      expect(decodeExactly([Types.UploadChunkArgs], bytes)).toEqual([{ canister_id: Principal.fromUint8Array(new Uint8Array(principal)), chunk: new Uint8Array(chunk) }]);
    }
  });

  it('returns a blob as its own copy, not a view of the message', () => {
    const bytes = new Uint8Array(IDL.encode([Types.UploadChunkArgs], [{ canister_id: Principal.anonymous(), chunk: new Uint8Array([1, 2, 3]) }]));
    const [{ chunk }] = decodeExactly([Types.UploadChunkArgs], bytes) as [{ chunk: Uint8Array }];
    bytes.fill(0);
    expect([...chunk]).toEqual([1, 2, 3]);
  });

  it('leaves subtyped messages to IDL.decode, and the codec still reads them', () => {
    const canister_id = Principal.fromText('aaaaa-aa');
    // An extra field the expected record does not have, and a missing opt field.
    const extraField = new Uint8Array(IDL.encode([IDL.Record({ canister_id: IDL.Principal, sender_canister_version: IDL.Opt(IDL.Nat64), note: IDL.Text })], [{ canister_id, sender_canister_version: [], note: 'x' }]));
    const missingOpt = new Uint8Array(IDL.encode([IDL.Record({ canister_id: IDL.Principal })], [{ canister_id }]));
    for (const bytes of [extraField, missingOpt]) {
      expect(decodeExactly([Types.UninstallCodeArgs], bytes)).toBeUndefined();
      expect(decode([Types.UninstallCodeArgs], bytes)).toEqual([{ canister_id, sender_canister_version: [] }]);
    }
  });

  it('leaves malformed messages to IDL.decode, whose error the codec reports', () => {
    const good = new Uint8Array(IDL.encode([Types.UploadChunkArgs], [{ canister_id: Principal.anonymous(), chunk: new Uint8Array(8) }]));
    const truncated = good.subarray(0, good.length - 1);
    const trailing = new Uint8Array([...good, 0]);
    const badOptTag = new Uint8Array(IDL.encode([Types.UninstallCodeArgs], [{ canister_id: Principal.anonymous(), sender_canister_version: [] }]));
    badOptTag[badOptTag.length - 1] = 2;
    for (const bytes of [truncated, trailing, badOptTag]) {
      expect(decodeExactly([Types.UploadChunkArgs], bytes)).toBeUndefined();
      expect(() => decode([Types.UploadChunkArgs], bytes)).toThrow(CandidDecodeError);
    }
  });
});
