// Before anything in the canister encodes or decodes text (Candid, stable JSON, our own code):
// Azle's TextEncoder and TextDecoder globals get the ASCII fast path of core/ascii_text_codec.ts.
import 'azle'; // Azle installs its polyfill as the globals when it loads: wrap that one.

import { asciiFastPath } from './core/ascii_text_codec';
import { markPhase } from './phase_marks';

// The first of our modules to run: everything before is Azle's start-up (its runtime, parsing the
// whole bundle, evaluating Azle's own modules).
markPhase('azle');

const { Encoder, Decoder } = asciiFastPath(globalThis.TextEncoder, globalThis.TextDecoder);
globalThis.TextEncoder = Encoder;
globalThis.TextDecoder = Decoder;
