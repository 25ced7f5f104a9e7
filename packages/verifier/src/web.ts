// @ic-jwt/verifier for Web-API runtimes (browsers, Deno, Workers-style isolates): fetch, WebCrypto
// for Ed25519 and @noble/curves for secp256k1. The same API as the Node entry; no node:* import.
import { webCrypto } from './crypto_web.js';
import type { VerifierOptions } from './options.js';
import { createVerifierWith, type Verifier, type VerifierInternals } from './verifier.js';

export * from './public_api.js';

export function createVerifier(options: VerifierOptions, internals?: VerifierInternals): Verifier {
  return createVerifierWith(webCrypto, options, internals);
}
