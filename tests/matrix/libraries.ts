// One adapter per JWT library: each verifies tokens the way that library's docs tell a service to,
// with the accepted algorithm pinned, the key taken from the issuer's JWK Set by kid, and iss, aud,
// exp (and sub) required. An outcome is the library's own answer: its claims, or its error.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createVerifier as createFastJwtVerifier, type Algorithm as FastJwtAlgorithm } from 'fast-jwt';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import * as openidClient from 'openid-client';

import { createVerifier } from '@ic-jwt/verifier';
import type { CanisterAlgorithm } from '../support/canister_jwks';
import { runPythonVerifier } from '../support/python';

export interface Target {
  jwksUrl: string;
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
}

export interface Outcome {
  ok: boolean;
  claims?: Record<string, unknown>;
  /** The library's error code, or its exception class where it has no codes. */
  error?: string;
  message?: string;
}

export interface VerifierLibrary {
  /** As the README's table names it. */
  name: string;
  verifyAll(tokens: readonly string[], algorithm: CanisterAlgorithm, target: Target): Promise<Outcome[]>;
}

type Claims = Record<string, unknown>;
type Jwks = { keys: (JsonWebKey & { kid?: string })[] };

async function outcomeOf(verify: () => Promise<Claims>): Promise<Outcome> {
  try {
    return { ok: true, claims: await verify() };
  } catch (error) {
    const { code, name, message, cause } = error as Error & { code?: unknown };
    // openid-client wraps the reason in `cause`.
    const reason = cause instanceof Error ? `${message}: ${cause.message}` : message;
    return { ok: false, error: typeof code === 'string' ? code : name, message: reason };
  }
}

/** A library that verifies one token at a time in this process, after a per-run setup. */
function inProcess(name: string, setup: (algorithm: CanisterAlgorithm, target: Target) => Promise<(token: string) => Promise<Claims>>): VerifierLibrary {
  return {
    name,
    async verifyAll(tokens, algorithm, target) {
      const verify = await setup(algorithm, target);
      const outcomes: Outcome[] = [];
      for (const token of tokens) outcomes.push(await outcomeOf(() => verify(token)));
      return outcomes;
    }
  };
}

async function fetchJwks(url: string): Promise<Jwks> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return (await response.json()) as Jwks;
}

function publicKeyFor(jwks: Jwks, kid: unknown): KeyObject {
  const jwk = jwks.keys.find((key) => key.kid === kid);
  if (jwk === undefined) throw new Error(`no key with kid ${String(kid)} in the JWK Set`);
  return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
}

const ours = inProcess('ic-jwt verifier (`@ic-jwt/verifier`)', async (algorithm, target) => {
  const verifier = createVerifier({
    issuer: target.issuer,
    audience: target.audience,
    jwksUri: target.jwksUrl,
    algorithms: [algorithm],
    clockToleranceSeconds: target.clockToleranceSeconds
  });
  return async (token) => ({ ...(await verifier.verify(token)) });
});

const jose = inProcess('jose v6 (JavaScript)', async (algorithm, target) => {
  // The matrix asks what jose accepts, not how fast the JWK Set comes: jose's default 5 s fetch
  // timeout runs out on a loaded machine while the other libraries' runs share the local IC.
  const keys = createRemoteJWKSet(new URL(target.jwksUrl), { timeoutDuration: 60_000 });
  return async (token) => {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: [algorithm],
      issuer: target.issuer,
      audience: target.audience,
      requiredClaims: ['sub', 'exp'],
      clockTolerance: target.clockToleranceSeconds
    });
    return payload as Claims;
  };
});

const fastJwt = inProcess('fast-jwt (JavaScript)', async (algorithm, target) => {
  const jwks = await fetchJwks(target.jwksUrl);
  const verify = createFastJwtVerifier({
    // fast-jwt takes PEM or KeyObject-exportable keys; its types list no ES256K, so the cast is the test.
    key: async ({ header }: { header: Record<string, unknown> }) => publicKeyFor(jwks, header['kid']).export({ type: 'spki', format: 'pem' }).toString(),
    algorithms: [algorithm as FastJwtAlgorithm],
    allowedIss: target.issuer,
    allowedAud: target.audience,
    requiredClaims: ['iss', 'aud', 'exp', 'sub'],
    clockTolerance: target.clockToleranceSeconds * 1000
  });
  return async (token) => (await verify(token)) as Claims;
});

const jsonwebtokenLibrary = inProcess('jsonwebtoken (JavaScript)', async (algorithm, target) => {
  const jwks = await fetchJwks(target.jwksUrl);
  return (token) =>
    new Promise<Claims>((resolve, reject) => {
      jsonwebtoken.verify(
        token,
        (header, callback) => {
          try {
            callback(null, publicKeyFor(jwks, header.kid));
          } catch (error) {
            callback(error as Error);
          }
        },
        {
          // Its types list no ES256K and no EdDSA, so the cast is the test.
          algorithms: [algorithm as jsonwebtoken.Algorithm],
          issuer: target.issuer,
          audience: target.audience,
          clockTolerance: target.clockToleranceSeconds
        },
        (error, payload) => (error ? reject(error) : resolve(payload as Claims))
      );
    });
});

// openid-client 6 is a relying-party library: it verifies a JWT's signature against the issuer's
// jwks_uri when it receives an ID Token from the token endpoint with non-repudiation checks on
// (before checking iss, aud = client_id, exp, iat and sub, and the pinned
// id_token_signed_response_alg). Its resource-server path (oauth4webapi's validateJwtAccessToken)
// accepts only RFC 9068 access tokens (typ at+jwt, client_id claim), which ic-jwt tokens are not.
// So the canister token is handed to it as the ID Token of a token endpoint response.
const OPENID_TOKEN_ENDPOINT = 'https://token-endpoint.invalid/token';
const openidClientLibrary = inProcess('openid-client 6 (JavaScript)', async (algorithm, target) => {
  // One configuration per run, so its JWK Set cache serves every token; verifyAll goes one token at a time.
  let idToken = '';
  const config = new openidClient.Configuration(
    { issuer: target.issuer, jwks_uri: target.jwksUrl, token_endpoint: OPENID_TOKEN_ENDPOINT },
    target.audience,
    { id_token_signed_response_alg: algorithm, [openidClient.clockTolerance]: target.clockToleranceSeconds },
    openidClient.None()
  );
  openidClient.allowInsecureRequests(config); // the JWK Set is served over http on 127.0.0.1 here
  openidClient.enableNonRepudiationChecks(config);
  config[openidClient.customFetch] = async (url, options) =>
    url === OPENID_TOKEN_ENDPOINT
      ? Response.json({ access_token: 'opaque', token_type: 'bearer', id_token: idToken })
      : fetch(url, options as RequestInit);
  return async (token) => {
    idToken = token;
    const response = await openidClient.refreshTokenGrant(config, 'refresh-token');
    return { ...response.claims() } as Claims;
  };
});

const VERIFY_WITH_PY = fileURLToPath(new URL('../../examples/python/verify_with.py', import.meta.url));

/** One Python process per call: tokens go in on stdin, one JSON line per token comes out. */
function python(name: string, library: string): VerifierLibrary {
  return {
    name,
    async verifyAll(tokens, algorithm, target) {
      const args = [VERIFY_WITH_PY, library, target.jwksUrl, '-', '--issuer', target.issuer, '--audience', target.audience];
      args.push('--algorithm', algorithm, '--leeway', String(target.clockToleranceSeconds));
      return runPythonVerifier(`verify_with.py ${library}`, args, tokens);
    }
  };
}

/** In the README table's order. */
export const LIBRARIES: readonly VerifierLibrary[] = [
  ours,
  python('PyJWT (Python)', 'pyjwt'),
  python('jwcrypto (Python)', 'jwcrypto'),
  python('Authlib (Python)', 'authlib'),
  python('python-jose (Python)', 'python-jose'),
  jose,
  fastJwt,
  jsonwebtokenLibrary,
  openidClientLibrary
];
