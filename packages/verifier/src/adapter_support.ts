// What the Express and Socket.IO adapters share: accepting a verifier or its options.
import { createVerifier } from './index.js';
import type { Verifier } from './verifier.js';
import type { VerifierOptions } from './options.js';

export function asVerifier(verifierOrOptions: Verifier | VerifierOptions): Verifier {
  return typeof (verifierOrOptions as Partial<Verifier>).verify === 'function'
    ? (verifierOrOptions as Verifier)
    : createVerifier(verifierOrOptions as VerifierOptions);
}

export function logUnexpected(context: string): (error: unknown) => void {
  return (error) => console.error(`ic-jwt ${context}: unexpected error while verifying a token`, error);
}
