// Verifications per CPU second (process CPU time, robust to a busy machine), side by side in one run.
// ES256K: our verifier (cached JWK Set; Node entry, and the web entry's @noble/curves), PyJWT
// (jwt.decode with a preloaded key, timed in Python), plain @noble/curves (sha256 +
// secp256k1.verify), bare node:crypto for reference.
// EdDSA: our verifier (Node entry: OpenSSL; web entry: WebCrypto), jose v6 (jwtVerify with a local
// JWK Set, and with the key itself), bare node:crypto for reference.
// Plus the cost of a JWK Set cache hit. Run: npm run bench, or npx tsx --conditions=ic-jwt-source bench/verify.ts
import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, randomUUID, verify as cryptoVerify } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { createLocalJWKSet, jwtVerify, SignJWT, type JWK } from 'jose';

import { createVerifier, type Verifier } from '@ic-jwt/verifier';
import { createVerifier as createWebVerifier } from '@ic-jwt/verifier/web';
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

/** CPU time of this process (all its threads, so WebCrypto's pool too), in milliseconds. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Runs `once` for about SECONDS_PER_RUN seconds of CPU time; operations per CPU second. CPU time,
 * not wall time: on a shared machine, time spent descheduled would otherwise count as ours.
 */
async function rate(once: () => unknown): Promise<number> {
  for (let i = 0; i < 50; i++) await once();
  let count = 0;
  const start = cpuMs();
  let elapsed = 0;
  while (elapsed < SECONDS_PER_RUN * 1000) {
    for (let i = 0; i < 100; i++) await once();
    count += 100;
    elapsed = cpuMs() - start;
  }
  return (count * 1000) / elapsed;
}

const PYJWT_LOOP = `
import json, sys, time, jwt
token, jwk, issuer, audience, seconds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
key = jwt.PyJWK(json.loads(jwk)).key
decode = lambda: jwt.decode(token, key, algorithms=["ES256K"], audience=audience, issuer=issuer, leeway=30)
for _ in range(50): decode()
count, start = 0, time.process_time()
while time.process_time() - start < seconds:
    for _ in range(100): decode()
    count += 100
print(json.dumps({"rate": count / (time.process_time() - start)}))
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

/** An EdDSA token with the claims ic-jwt tokens carry, signed by jose, and its JWK Set. */
async function eddsaFixture() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'bench-ed25519', alg: 'EdDSA', use: 'sig' };
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ role: 'chat' })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: jwk.kid })
    .setIssuer(issuer.issuer)
    .setSubject('xkbqi-2qaaa-aaaah-qbpqq-cai')
    .setAudience(issuer.config.defaultAudience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 3600)
    .setJti(randomUUID())
    .sign(privateKey);
  return { token, jwks: { keys: [jwk] }, publicKey };
}

async function warmVerifier(create: typeof createVerifier, algorithm: 'ES256K' | 'EdDSA', keys: unknown): Promise<Verifier> {
  const serve = async () => new Response(JSON.stringify(keys), { headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' } });
  const verifier = create({ issuer: issuer.issuer, audience: issuer.config.defaultAudience, algorithms: [algorithm], jwksUri: 'https://bench.invalid/jwks.json', fetch: serve });
  await verifier.warmUp();
  return verifier;
}

/** Interleaved rounds, median per candidate, so that machine noise hits all alike. */
async function medianRates(candidates: Record<string, () => Promise<number> | number>): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(Object.keys(candidates).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, measure] of Object.entries(candidates)) samples.get(name)!.push(await measure());
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return new Map([...samples].map(([name, values]) => [name, median(values)]));
}

function printTable(title: string, rates: Map<string, number>, ours: number): void {
  console.log(`${title} verifications per CPU second, median of ${ROUNDS} interleaved runs of ${SECONDS_PER_RUN} CPU s`);
  console.table(
    [...rates].map(([name, perSecond]) => ({
      verifier: name,
      'verify/CPU s': Math.round(perSecond),
      'µs each': (1e6 / perSecond).toFixed(0),
      'ic-jwt (Node) is': `${(ours / perSecond).toFixed(2)}x`
    }))
  );
}

const OURS = 'ic-jwt verifier, Node entry (cached JWKS)';
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

async function es256k(): Promise<void> {
  const verifier = await warmVerifier(createVerifier, 'ES256K', jwks);
  const web = await warmVerifier(createWebVerifier, 'ES256K', jwks);
  const nodeKey = { key: createPublicKey({ key: { ...jwk }, format: 'jwk' }), dsaEncoding: 'ieee-p1363' } as const;
  const rates = await medianRates({
    [OURS]: () => rate(() => verifier.verify(token)),
    'ic-jwt verifier, web entry (@noble/curves)': () => rate(() => web.verify(token)),
    'PyJWT 2 jwt.decode (preloaded key)': pyjwtRate,
    '@noble/curves (sha256 + verify)': () =>
      rate(() => {
        if (!secp256k1.verify(signature, sha256(signingInput), uncompressed, { prehash: false })) throw new Error('noble rejected');
      }),
    'node:crypto verify only (reference)': () =>
      rate(() => {
        if (!cryptoVerify('sha256', signingInput, nodeKey, signature)) throw new Error('OpenSSL rejected');
      })
  });
  const ours = rates.get(OURS)!;
  printTable('ES256K', rates, ours);
  const overheadUs = 1e6 / ours - 1e6 / rates.get('node:crypto verify only (reference)')!;
  console.log(`ic-jwt work besides the OpenSSL signature check: ${overheadUs.toFixed(1)} µs per token (parsing, form checks, key lookup, claims)`);
  const pyjwt = rates.get('PyJWT 2 jwt.decode (preloaded key)')!;
  const noble = rates.get('@noble/curves (sha256 + verify)')!;
  console.log(`ES256K targets: >= PyJWT: ${met(ours >= pyjwt)} (${(ours / pyjwt).toFixed(2)}x); >= 3x noble: ${met(ours >= 3 * noble)} (${(ours / noble).toFixed(2)}x)`);
}

async function eddsa(): Promise<void> {
  const fixture = await eddsaFixture();
  const verifier = await warmVerifier(createVerifier, 'EdDSA', fixture.jwks);
  const web = await warmVerifier(createWebVerifier, 'EdDSA', fixture.jwks);
  const joseKeys = createLocalJWKSet(fixture.jwks);
  const joseOptions = { algorithms: ['EdDSA'], issuer: issuer.issuer, audience: issuer.config.defaultAudience };
  const [headerPart, payloadPart, signaturePart] = fixture.token.split('.') as [string, string, string];
  const input = Buffer.from(`${headerPart}.${payloadPart}`);
  const edSignature = Buffer.from(signaturePart, 'base64url');
  const rates = await medianRates({
    [OURS]: () => rate(() => verifier.verify(fixture.token)),
    'ic-jwt verifier, web entry (WebCrypto)': () => rate(() => web.verify(fixture.token)),
    'jose 6 jwtVerify, local JWK Set': () => rate(() => jwtVerify(fixture.token, joseKeys, joseOptions)),
    'jose 6 jwtVerify, KeyObject': () => rate(() => jwtVerify(fixture.token, fixture.publicKey, joseOptions)),
    'node:crypto verify only (reference)': () =>
      rate(() => {
        if (!cryptoVerify(null, input, fixture.publicKey, edSignature)) throw new Error('OpenSSL rejected');
      })
  });
  const ours = rates.get(OURS)!;
  printTable('EdDSA', rates, ours);
  const jose = Math.max(rates.get('jose 6 jwtVerify, local JWK Set')!, rates.get('jose 6 jwtVerify, KeyObject')!);
  console.log(`EdDSA target: >= jose (its faster way): ${met(ours >= jose)} (${(ours / jose).toFixed(2)}x)`);
}

await es256k();
console.log();
await eddsa();
console.log(`JWK Set cache hit (key lookup by kid): ${(await cacheHitNanoseconds()).toFixed(0)} ns`);
