// Runs every verifier we compare against on the same tokens and one JWK Set URL:
// our library, node:crypto (OpenSSL, signature only), PyJWT (examples/python/verify.py)
// and jose (which cannot do ES256K: its outcome documents that).
//
// For the integration suite: point it at the real canister's JWK Set, e.g.
//   const [report] = await verifyWithEveryVerifier([token], { jwksUrl, issuer, audience });
//   expect(report.ours.ok && report.pyjwt.ok && report.nodeCrypto.ok).toBe(true);
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, jwtVerify } from 'jose';

import { createVerifier, JwtVerifierError, type SupportedAlgorithm } from '@ic-jwt/verifier';
import { runPythonVerifier } from '../../support/python';
import { verifySignatureWithJwks } from '../../support/verify';

export interface Outcome {
  ok: boolean;
  /** Error code (ours, jose) or exception class (PyJWT) when not ok. */
  code?: string;
  message?: string;
  claims?: Record<string, unknown>;
}

export interface InteropReport {
  token: string;
  /** @ic-jwt/verifier: signature, algorithm pinning, claims. */
  ours: Outcome;
  /** node:crypto over the kid's JWK: the ES256K signature only, no claims (tests/support/verify.ts). */
  nodeCrypto: Outcome;
  /** PyJWT 2.x with PyJWKClient: signature, algorithm pinning, claims. */
  pyjwt: Outcome;
  /** jose v6: fails with ERR_JOSE_NOT_SUPPORTED for ES256K; verifies EdDSA. */
  jose: Outcome;
}

export interface InteropTarget {
  jwksUrl: string;
  issuer: string;
  audience: string;
  algorithms?: SupportedAlgorithm[];
  clockToleranceSeconds?: number;
}

const VERIFY_PY = fileURLToPath(new URL('../../../examples/python/verify.py', import.meta.url));

export async function verifyWithEveryVerifier(tokens: readonly string[], target: InteropTarget): Promise<InteropReport[]> {
  const algorithms = target.algorithms ?? ['ES256K'];
  const tolerance = target.clockToleranceSeconds ?? 30;
  const jwks = (await (await fetch(target.jwksUrl)).json()) as { keys: Record<string, unknown>[] };
  const verifier = createVerifier({
    issuer: target.issuer,
    audience: target.audience,
    jwksUri: target.jwksUrl,
    algorithms,
    clockToleranceSeconds: tolerance
  });
  const localJwks = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
  const pyjwt = await runPyJwt(tokens, target, algorithms, tolerance);
  const reports: InteropReport[] = [];
  for (const [index, token] of tokens.entries()) {
    reports.push({
      token,
      ours: await outcomeOf(async () => ({ ...(await verifier.verify(token)) })),
      nodeCrypto: await outcomeOf(async () => verifySignatureWithJwks(token, jwks).payload),
      pyjwt: pyjwt[index] ?? { ok: false, code: 'NO_OUTPUT' },
      jose: await outcomeOf(async () => {
        const { payload } = await jwtVerify(token, localJwks, {
          issuer: target.issuer,
          audience: target.audience,
          algorithms,
          clockTolerance: tolerance
        });
        return payload as Record<string, unknown>;
      })
    });
  }
  return reports;
}

async function outcomeOf(run: () => Promise<Record<string, unknown>>): Promise<Outcome> {
  try {
    return { ok: true, claims: await run() };
  } catch (error) {
    const code = error instanceof JwtVerifierError ? error.code : (error as { code?: string }).code;
    return { ok: false, code: code ?? (error as Error).name, message: (error as Error).message };
  }
}

/** One PyJWT process for all tokens (they go in on stdin, one JSON line per token comes out). */
export async function runPyJwt(
  tokens: readonly string[],
  target: InteropTarget,
  algorithms: readonly SupportedAlgorithm[] = ['ES256K'],
  tolerance = 30
): Promise<Outcome[]> {
  const args = [VERIFY_PY, target.jwksUrl, '-', '--issuer', target.issuer, '--audience', target.audience, '--leeway', String(tolerance)];
  for (const alg of algorithms) args.push('--algorithm', alg);
  // An empty token would be skipped by verify.py; send a placeholder that fails the same way.
  const results = await runPythonVerifier(
    'verify.py',
    args,
    tokens.map((token) => (token.trim() === '' ? '(empty)' : token))
  );
  return results.map((result) =>
    result.ok
      ? { ok: true, claims: result.claims! }
      : { ok: false, ...(result.error === undefined ? {} : { code: result.error }), ...(result.message === undefined ? {} : { message: result.message }) }
  );
}
