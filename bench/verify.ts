// ES256K verifications per second on one core, side by side in one run:
// our verifier (cached JWK Set), PyJWT (jwt.decode with a preloaded key, timed in Python),
// plain @noble/curves (sha256 + secp256k1.verify), and bare node:crypto for reference;
// plus the cost of a JWK Set cache hit. Run: npx tsx bench/verify.ts
import { spawnSync } from 'node:child_process';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';

import { createVerifier } from '@ic-jwt/verifier';
import { nodeCrypto } from '../packages/verifier/src/crypto_node';
import { JwksCache } from '../packages/verifier/src/jwks_cache';
import { TestIssuer } from '../tests/verifier/support/test_issuer';

const ROUNDS = 3;
const SECONDS_PER_RUN = 1.5;

const issuer = new TestIssuer();
const token = issuer.mint({ extraClaims: '{"role":"chat"}' });
const jwks = issuer.jwks();
const jwk = jwks.keys[0]!;
const [headerPart, payloadPart, signaturePart] = token.split('.') as [string, string, string];
const signingInput = Buffer.from(`${headerPart}.${payloadPart}`);
const signature = Buffer.from(signaturePart, 'base64url');
const uncompressed = secp256k1.Point.fromHex(issuer.activeKey.signingKey.publicKeyHex).toBytes(false);

const serveJwks = async () =>
  new Response(JSON.stringify(jwks), { headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' } });

/** Runs `once` for about SECONDS_PER_RUN seconds; operations per second. */
async function rate(once: () => unknown): Promise<number> {
  for (let i = 0; i < 50; i++) await once();
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < SECONDS_PER_RUN * 1000) {
    for (let i = 0; i < 100; i++) await once();
    count += 100;
    elapsed = performance.now() - start;
  }
  return (count * 1000) / elapsed;
}

const PYJWT_LOOP = `
import json, sys, time, jwt
token, jwk, issuer, audience, seconds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
key = jwt.PyJWK(json.loads(jwk)).key
decode = lambda: jwt.decode(token, key, algorithms=["ES256K"], audience=audience, issuer=issuer, leeway=30)
for _ in range(50): decode()
count, start = 0, time.perf_counter()
while time.perf_counter() - start < seconds:
    for _ in range(100): decode()
    count += 100
print(json.dumps({"rate": count / (time.perf_counter() - start)}))
`;

function pyjwtRate(): number {
  const result = spawnSync(
    '/usr/bin/python3',
    ['-c', PYJWT_LOOP, token, JSON.stringify(jwk), issuer.issuer, issuer.config.defaultAudience, String(SECONDS_PER_RUN)],
    { encoding: 'utf8' }
  );
  if (result.status !== 0) throw new Error(`PyJWT loop failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { rate: number }).rate;
}

async function cacheHitNanoseconds(): Promise<number> {
  const cache = new JwksCache({
    issuer: issuer.issuer,
    jwksUri: 'https://bench.invalid/jwks.json',
    discoveryUri: undefined,
    fetch: serveJwks,
    clock: Date.now,
    fetchTimeoutMs: 1000,
    freshness: { minSeconds: 30, maxSeconds: 3600 },
    refreshCooldownSeconds: 30,
    crypto: nodeCrypto,
    maxStaleSeconds: 3600
  });
  await cache.warmUp();
  const kid = jwk['kid']!;
  const iterations = 2_000_000;
  let found = 0;
  const start = performance.now();
  for (let i = 0; i < iterations; i++) if (cache.cached(kid) !== undefined) found++;
  const ns = ((performance.now() - start) * 1e6) / iterations;
  if (found !== iterations) throw new Error('cache miss in the cache-hit benchmark');
  return ns;
}

async function main(): Promise<void> {
  const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.config.defaultAudience, jwksUri: 'https://bench.invalid/jwks.json', fetch: serveJwks });
  await verifier.warmUp();
  const nodeKey = { key: createPublicKey({ key: { ...jwk }, format: 'jwk' }), dsaEncoding: 'ieee-p1363' } as const;
  const candidates: Record<string, () => Promise<number> | number> = {
    'ic-jwt verifier (cached JWKS)': () => rate(() => verifier.verify(token)),
    'PyJWT 2 jwt.decode (preloaded key)': pyjwtRate,
    '@noble/curves (sha256 + verify)': () =>
      rate(() => {
        if (!secp256k1.verify(signature, sha256(signingInput), uncompressed, { prehash: false })) throw new Error('noble rejected');
      }),
    'node:crypto verify only (reference)': () =>
      rate(() => {
        if (!cryptoVerify('sha256', signingInput, nodeKey, signature)) throw new Error('OpenSSL rejected');
      })
  };

  // Interleaved rounds, median per candidate, so that machine noise hits all alike.
  const samples = new Map<string, number[]>(Object.keys(candidates).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, measure] of Object.entries(candidates)) samples.get(name)!.push(await measure());
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const rates = new Map([...samples].map(([name, values]) => [name, median(values)]));
  const ours = rates.get('ic-jwt verifier (cached JWKS)')!;
  console.log(`ES256K verifications per second, one core, median of ${ROUNDS} interleaved runs of ${SECONDS_PER_RUN} s`);
  console.table(
    [...rates].map(([name, perSecond]) => ({
      verifier: name,
      'verify/s': Math.round(perSecond),
      'µs each': (1e6 / perSecond).toFixed(0),
      'ic-jwt is': `${(ours / perSecond).toFixed(2)}x`
    }))
  );
  const overheadUs = 1e6 / ours - 1e6 / rates.get('node:crypto verify only (reference)')!;
  console.log(`ic-jwt work besides the OpenSSL signature check: ${overheadUs.toFixed(1)} µs per token (parsing, form checks, key lookup, claims)`);
  console.log(`JWK Set cache hit (key lookup by kid): ${(await cacheHitNanoseconds()).toFixed(0)} ns`);
  const pyjwt = rates.get('PyJWT 2 jwt.decode (preloaded key)')!;
  const noble = rates.get('@noble/curves (sha256 + verify)')!;
  console.log(`targets: >= PyJWT: ${ours >= pyjwt ? 'met' : 'NOT met'} (${(ours / pyjwt).toFixed(2)}x); >= 3x noble: ${ours >= 3 * noble ? 'met' : 'NOT met'} (${(ours / noble).toFixed(2)}x)`);
}

await main();
