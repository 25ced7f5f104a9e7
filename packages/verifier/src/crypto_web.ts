// Signatures checked with Web APIs only (browsers, Deno, Cloudflare Workers-style isolates): Ed25519
// through WebCrypto where the runtime has it, @noble/curves otherwise and for secp256k1, which
// WebCrypto does not offer. Nothing here, or in what it imports, touches node:* or Buffer.
import { nobleEd25519, nobleEs256k } from './crypto_noble.js';
import type { CryptoProvider, VerificationKey } from './keys.js';

const ED25519 = { name: 'Ed25519' } as const;

/** Undecided until the first import; false once the runtime has refused the algorithm. */
let webCryptoHasEd25519: boolean | undefined;

/** An Ed25519 key checked by crypto.subtle, or undefined where the runtime has no Ed25519 in WebCrypto. */
async function webCryptoEd25519(kid: string, x: Uint8Array): Promise<VerificationKey | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined || webCryptoHasEd25519 === false) return undefined;
  let key: CryptoKey;
  try {
    // keys.ts has checked that x is a valid point, so a refusal means the runtime lacks Ed25519.
    key = await subtle.importKey('raw', x as Uint8Array<ArrayBuffer>, ED25519, false, ['verify']);
  } catch {
    webCryptoHasEd25519 = false;
    return undefined;
  }
  webCryptoHasEd25519 = true;
  return {
    kid,
    alg: 'EdDSA',
    backend: 'webcrypto',
    verify: (input, signature) => subtle.verify(ED25519, key, signature as Uint8Array<ArrayBuffer>, input as Uint8Array<ArrayBuffer>)
  };
}

export const webCrypto: CryptoProvider = {
  es256k: nobleEs256k,
  eddsa: async (kid, x) => (await webCryptoEd25519(kid, x)) ?? nobleEd25519(kid, x)
};
