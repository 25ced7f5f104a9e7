// createVerifier: one token in, verified claims out (or a named error).
import { signatureFormProblem, type SupportedAlgorithm } from './algorithms.js';
import { checkClaims, type ClaimsPolicy, type VerifiedClaims } from './claims.js';
import { parseCompactJws } from './compact_jws.js';
import { AlgorithmNotAllowedError, KeyMismatchError, quote, SignatureInvalidError, TokenMalformedError } from './errors.js';
import { JwksCache } from './jwks_cache.js';
import type { CryptoProvider } from './keys.js';
import { resolveOptions, type VerifierOptions } from './options.js';
import { checkTokenType, type TokenType } from './token_type.js';

export interface Verifier {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly algorithms: readonly SupportedAlgorithm[];
  readonly tokenType: TokenType;
  /** Where the keys come from: the JWK Set URL, or the discovery URL that names it. */
  readonly keySource: string;
  /** Verifies a compact JWT; rejects with a JwtVerifierError subclass (see errors.ts). */
  verify(token: string): Promise<VerifiedClaims>;
  /** Fetches the JWK Set now (say, at startup) so the first request does not wait; throws if it cannot. */
  warmUp(): Promise<void>;
}

/** @internal Tests pick the crypto provider; applications never need to (each entry point has its own). */
export interface VerifierInternals {
  crypto?: CryptoProvider;
}

/** createVerifier of an entry point: index.ts (node:crypto) or web.ts (WebCrypto and @noble/curves). */
export function createVerifierWith(crypto: CryptoProvider, options: VerifierOptions, internals: VerifierInternals = {}): Verifier {
  const resolved = resolveOptions(options);
  const { algorithms, clock, maxTokenBytes, tokenType } = resolved;
  const cache = new JwksCache({
    issuer: resolved.issuer,
    jwksUri: resolved.jwksUri,
    discoveryUri: resolved.discoveryUri,
    fetch: resolved.fetch,
    clock,
    fetchTimeoutMs: resolved.fetchTimeoutMs,
    freshness: { minSeconds: resolved.cache.minSeconds, maxSeconds: resolved.cache.maxSeconds },
    refreshCooldownSeconds: resolved.cache.refreshCooldownSeconds,
    maxStaleSeconds: resolved.cache.maxStaleSeconds,
    crypto: internals.crypto ?? crypto
  });
  const policy: ClaimsPolicy = {
    issuer: resolved.issuer,
    audiences: resolved.audiences,
    clockToleranceSeconds: resolved.clockToleranceSeconds,
    tokenType
  };

  async function verify(token: string): Promise<VerifiedClaims> {
    const { header, payload, signingInput, signature } = parseCompactJws(token, maxTokenBytes);
    // Security: the algorithm is pinned by configuration; the header only selects among allowed ones.
    const alg = algorithms.find((allowed) => allowed === header.alg);
    if (alg === undefined) {
      throw new AlgorithmNotAllowedError(`alg ${quote(header.alg)} is not accepted; expected ${algorithms.join(' or ')}`);
    }
    if (header.kid === undefined) throw new TokenMalformedError('the header has no "kid"');
    checkTokenType(header['typ'], tokenType);
    // Checked before any key is fetched, so that junk never costs a network round trip.
    const formProblem = signatureFormProblem(alg, signature);
    if (formProblem !== undefined) throw new SignatureInvalidError(`the signature is not a valid ${alg} signature: ${formProblem}`);

    const key = cache.cached(header.kid) ?? (await cache.resolve(header.kid));
    // Security: a key verifies only its own algorithm (keys.ts derives alg from kty and crv),
    // so an EdDSA token never meets an EC key and vice versa.
    if (key.alg !== alg) {
      throw new KeyMismatchError(`the token says ${alg}, but the key ${quote(key.kid)} is an ${key.alg} key`);
    }
    const verdict = key.verify(signingInput, signature);
    // WebCrypto answers with a promise; OpenSSL and noble answer at once and skip the await.
    const valid = typeof verdict === 'boolean' ? verdict : await verdict;
    if (!valid) throw new SignatureInvalidError('the signature does not match the token and key');
    return checkClaims(payload, policy, clock() / 1000);
  }

  return {
    issuer: resolved.issuer,
    audiences: resolved.audiences,
    algorithms,
    tokenType,
    keySource: resolved.jwksUri ?? resolved.discoveryUri ?? '',
    verify,
    warmUp: () => cache.warmUp()
  };
}
