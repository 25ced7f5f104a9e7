// The bytes Azle's stableJson writes, for the values every token writes, without its replacer.
// Azle's JSON.stringify replacer runs a dozen type checks in the interpreter for every key and
// value (it wraps bigints, undefined, NaN, typed arrays and the like); for the values below
// only bigints need wrapping, so they are wrapped by hand and the rest is the engine's own
// JSON.stringify. Reading stays Azle's (jsonParse with its reviver), so both releases read
// these bytes: tests/unit/stable_json.test.ts compares them with Azle's jsonStringify.
import type { Counters } from './stable_schema';

/** Azle's replacer writes a bigint as `{ "__bigint__": "<decimal>" }`. */
const wrapBigint = (value: bigint) => ({ __bigint__: value.toString() });

/**
 * A value made of plain records, lists, strings and finite numbers (no bigint, no undefined
 * member, no NaN or ±Infinity), which Azle's replacer passes through unchanged: a rate bucket,
 * the global window, the key ring.
 */
export function plainStableJson(value: object): string {
  return JSON.stringify(value);
}

export function countersStableJson(counters: Counters): string {
  return JSON.stringify({
    tokensIssued: wrapBigint(counters.tokensIssued),
    signaturesRequested: wrapBigint(counters.signaturesRequested),
    rejections: Object.fromEntries(Object.entries(counters.rejections).map(([reason, count]) => [reason, wrapBigint(count)]))
  });
}
