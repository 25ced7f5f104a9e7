// The verifier's checks on canister tokens, written against the package's API only and free of
// any test framework or Node API, so that the same code runs in Chromium and in a Node whose
// node:crypto is blocked. It returns what happened; the vitest side asserts on it.
import type * as VerifierModule from '@ic-jwt/verifier/web';

export interface SuiteInput {
  readonly issuer: string;
  readonly audience: string;
  /** The caller the tokens were issued to. */
  readonly principal: string;
  readonly jwksUrl: string;
  /** A URL where nothing listens. */
  readonly unreachableJwksUrl: string;
  readonly tokens: { readonly ES256K: string; readonly EdDSA: string };
  /** Forged variants (made on the Node side) and the error code each must get. */
  readonly hostile: readonly { readonly name: string; readonly token: string; readonly code: string }[];
}

export interface Check {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

export interface SuiteReport {
  readonly checks: readonly Check[];
  /** Ed25519 signatures checked by crypto.subtle.verify during the run. */
  readonly webCryptoEd25519Verifications: number;
  /** JWK Set downloads by the main verifier (many verifications, one fetch). */
  readonly jwksFetches: number;
}

export async function runVerifierSuite(lib: typeof VerifierModule, input: SuiteInput): Promise<SuiteReport> {
  const checks: Check[] = [];
  const webCryptoEd25519Verifications = countEd25519Verifications();
  let jwksFetches = 0;
  const countingFetch: VerifierModule.FetchLike = (url, init) => {
    jwksFetches++;
    return fetch(url, init);
  };
  const base = { issuer: input.issuer, jwksUri: input.jwksUrl, audience: input.audience, algorithms: ['ES256K', 'EdDSA'] as const };
  const verifier = lib.createVerifier({ ...base, fetch: countingFetch });

  async function accepts(name: string, run: () => Promise<VerifierModule.VerifiedClaims>): Promise<void> {
    try {
      const claims = await run();
      const good = claims.sub === input.principal && claims.iss === input.issuer && claims.aud === input.audience;
      checks.push({ name, passed: good, detail: `sub ${claims.sub}, aud ${String(claims.aud)}` });
    } catch (error) {
      checks.push({ name, passed: false, detail: `refused: ${describe(error)}` });
    }
  }
  async function refuses(name: string, code: string, run: () => Promise<unknown>, tokenRejected = true): Promise<void> {
    try {
      await run();
      checks.push({ name, passed: false, detail: 'accepted' });
    } catch (error) {
      const ours = error instanceof lib.JwtVerifierError;
      const passed = ours && error.code === code && error.tokenRejected === tokenRejected;
      checks.push({ name, passed, detail: describe(error) });
    }
  }

  for (const alg of ['ES256K', 'EdDSA'] as const) {
    await accepts(`a canister ${alg} token verifies`, () => verifier.verify(input.tokens[alg]));
    await accepts(`a canister ${alg} token verifies again, from the cached keys`, () => verifier.verify(input.tokens[alg]));
    const later = lib.createVerifier({ ...base, clock: () => Date.now() + 2 * 3600_000 });
    await refuses(`an expired ${alg} token`, 'ERR_JWT_EXPIRED', () => later.verify(input.tokens[alg]));
    const elsewhere = lib.createVerifier({ ...base, audience: 'another-api' });
    await refuses(`an ${alg} token for another audience`, 'ERR_JWT_AUDIENCE_MISMATCH', () => elsewhere.verify(input.tokens[alg]));
    const otherIssuer = lib.createVerifier({ ...base, issuer: 'https://aaaaa-aa.icp0.io' });
    await refuses(`an ${alg} token from another issuer`, 'ERR_JWT_ISSUER_MISMATCH', () => otherIssuer.verify(input.tokens[alg]));
  }
  const es256kOnly = lib.createVerifier({ ...base, algorithms: ['ES256K'] });
  await refuses('an EdDSA token where only ES256K is pinned', 'ERR_JWT_ALG_NOT_ALLOWED', () => es256kOnly.verify(input.tokens.EdDSA));
  for (const { name, token, code } of input.hostile) await refuses(name, code, () => verifier.verify(token));
  const unreachable = lib.createVerifier({ ...base, jwksUri: input.unreachableJwksUrl, fetchTimeoutMs: 2000 });
  await refuses('a JWK Set that cannot be fetched', 'ERR_JWKS_UNREACHABLE', () => unreachable.verify(input.tokens.ES256K), false);
  try {
    lib.createVerifier({ ...base, jwksUri: 'https://raw.icp0.io/.well-known/jwks.json' });
    checks.push({ name: 'a raw.icp0.io key source is refused', passed: false, detail: 'accepted' });
  } catch (error) {
    checks.push({ name: 'a raw.icp0.io key source is refused', passed: error instanceof lib.VerifierConfigError, detail: describe(error) });
  }
  return { checks, webCryptoEd25519Verifications: webCryptoEd25519Verifications(), jwksFetches };
}

/** Counts crypto.subtle.verify calls for Ed25519 from now on (passing each call through). */
function countEd25519Verifications(): () => number {
  const subtle = globalThis.crypto.subtle;
  const verify = subtle.verify.bind(subtle);
  let count = 0;
  subtle.verify = (algorithm, key, signature, data) => {
    if ((typeof algorithm === 'string' ? algorithm : algorithm.name) === 'Ed25519') count++;
    return verify(algorithm, key, signature, data);
  };
  return () => count;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
}
