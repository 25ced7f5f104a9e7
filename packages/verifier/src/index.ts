// @ic-jwt/verifier for Node (and runtimes with node:crypto): signatures checked by OpenSSL.
// Express and Socket.IO middleware: @ic-jwt/verifier/express, @ic-jwt/verifier/socketio.
import { nodeCrypto } from './crypto_node.js';
import type { VerifierOptions } from './options.js';
import { createVerifierWith, type Verifier, type VerifierInternals } from './verifier.js';

export * from './public_api.js';

export function createVerifier(options: VerifierOptions, internals?: VerifierInternals): Verifier {
  return createVerifierWith(nodeCrypto, options, internals);
}
