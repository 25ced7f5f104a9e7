// issue_jwt's argument, `opt IssueOptions`, read by hand when it comes as @dfinity/candid (agent-js,
// the client package) encodes it: IDL.decode parses the type table and checks subtyping at every
// call, about 3.5 M instructions in the interpreter. Anything else (another encoder's type table,
// any malformed or surprising byte) goes to decodeOptionalArgument, which gives the same value or
// the error: tests/unit/issue_options_candid.test.ts compares the two on valid and mutated messages.
import { IDL } from '@dfinity/candid';

import { candidHeader, decodeOptionalArgument, IssueOptionsType, MAX_ARGUMENT_BYTES, type CandidIssueOptions } from './candid';

const OptIssueOptions = IDL.Opt(IssueOptionsType);
/** Magic, type table and argument type of `(opt IssueOptions)` as @dfinity/candid writes them. */
const HEADER = candidHeader(OptIssueOptions, []);
/** A message with no argument at all (Candid lets a caller omit a trailing opt). */
const NO_ARGUMENTS = Uint8Array.of(0x44, 0x49, 0x44, 0x4c, 0, 0);

export function decodeIssueOptions(bytes: Uint8Array): CandidIssueOptions | null {
  if (bytes.length <= MAX_ARGUMENT_BYTES) {
    if (startsWith(bytes, NO_ARGUMENTS) && bytes.length === NO_ARGUMENTS.length) return null;
    if (startsWith(bytes, HEADER)) {
      const value = readValue(bytes, HEADER.length);
      if (value !== undefined) return value;
    }
  }
  return decodeOptionalArgument<CandidIssueOptions>(IssueOptionsType, bytes, 'issue_jwt');
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The value after the header, or undefined for anything the fast path does not take (left to IDL.decode). */
function readValue(bytes: Uint8Array, start: number): CandidIssueOptions | null | undefined {
  let at = start;
  const byte = (): number | undefined => (at < bytes.length ? bytes[at++] : undefined);
  const length = (): number | undefined => {
    let value = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const next = byte();
      if (next === undefined) return undefined;
      value += (next & 0x7f) * 2 ** shift;
      if (next < 0x80) return value;
    }
    return undefined;
  };
  const optText = (): [] | [string] | undefined => {
    const tag = byte();
    if (tag === 0) return [];
    if (tag !== 1) return undefined;
    const size = length();
    if (size === undefined || at + size > bytes.length) return undefined;
    const text = bytes.subarray(at, at + size);
    at += size;
    try {
      return [strictUtf8.decode(text)];
    } catch {
      return undefined;
    }
  };
  const optNat32 = (): [] | [number] | undefined => {
    const tag = byte();
    if (tag === 0) return [];
    if (tag !== 1 || at + 4 > bytes.length) return undefined;
    const value = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
    at += 4;
    return [value];
  };

  const present = byte();
  if (present === 0) return at === bytes.length ? null : undefined;
  if (present !== 1) return undefined;
  // IssueOptions' fields in the order of their hashes.
  const algorithm = optText();
  if (algorithm === undefined) return undefined;
  const ttlSeconds = optNat32();
  if (ttlSeconds === undefined) return undefined;
  const audience = optText();
  if (audience === undefined) return undefined;
  const extraClaims = optText();
  if (extraClaims === undefined || at !== bytes.length) return undefined;
  return { audience, ttl_seconds: ttlSeconds, extra_claims: extraClaims, algorithm };
}
