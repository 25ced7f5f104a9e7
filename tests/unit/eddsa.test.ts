// EdDSA tokens from the core, checked by independent verifiers: jose v6 and node:crypto.
import { createPublicKey, verify } from 'node:crypto';
import { calculateJwkThumbprint, createLocalJWKSet, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';

import { applyConfigInput, defaultConfig } from '../../src/backend/core/config';
import { ed25519Jwk, JwkError } from '../../src/backend/core/jwk';
import { compactJws, JwsError } from '../../src/backend/core/jwt';
import { completeIssuance, completeIssuanceBytes, planIssuance, type IssuanceContext } from '../../src/backend/core/issuance';
import { activateKey, ed25519SigningKey, EMPTY_KEY_RING, es256kSigningKey, publishedKeys } from '../../src/backend/core/key_ring';
import { ed25519TestKey, signEd25519 } from '../support/ed25519_keys';
import { signDigest, testKeyPair } from '../support/keys';

const CANISTER = 'bkyz2-fmaaa-aaaaa-qaaaq-cai';
const CALLER = 'xkbqi-2qaaa-aaaah-qbpqq-cai';
const edKey = ed25519TestKey();
const ecKey = testKeyPair();
const ed = ed25519SigningKey('dfx_test_key', 1, edKey.publicKey);
const ec = es256kSigningKey('dfx_test_key', 1, ecKey.compressedPublicKey);
const config = applyConfigInput(defaultConfig(CANISTER), { audiences: ['api'] });
const ring = activateKey(activateKey(EMPTY_KEY_RING, ec), ed);
const jwks = { keys: publishedKeys(ring).map((jwk) => ({ ...jwk })) };

function context(overrides: Partial<IssuanceContext> = {}): IssuanceContext {
  return {
    config,
    keyRing: ring,
    caller: CALLER,
    options: { algorithm: 'EdDSA' },
    nowNanos: BigInt(Math.floor(Date.now() / 1000)) * 1_000_000_000n,
    cycleBalance: 10n ** 15n,
    callerBucket: undefined,
    globalWindow: undefined,
    sequence: 0n,
    jtiSeed: new Uint8Array(32),
    ...overrides
  };
}

function issueEdDsa(): string {
  const planned = planIssuance(context());
  if (!planned.ok) throw new Error(JSON.stringify(planned.error));
  return completeIssuance(planned.value, signEd25519(planned.value.message, edKey)).token;
}

describe('the Ed25519 JWK (RFC 8037)', () => {
  it('holds the raw key as x, and its kid is the thumbprint jose computes', async () => {
    expect(ed.jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(Buffer.from(ed.jwk.x, 'base64url')).toEqual(Buffer.from(edKey.publicKey));
    expect(ed.jwk.kid).toBe(await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: ed.jwk.x }, 'sha256'));
    expect(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: ed.jwk.x }, format: 'jwk' }).asymmetricKeyType).toBe('ed25519');
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => ed25519Jwk(new Uint8Array(33))).toThrow(JwkError);
  });
});

describe('EdDSA tokens', () => {
  it('sign the whole signing input, and verify with jose v6 and node:crypto', async () => {
    const planned = planIssuance(context());
    expect(planned.ok && new TextDecoder().decode(planned.value.message)).toBe(planned.ok && planned.value.signingInput);
    const token = issueEdDsa();
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms: ['EdDSA'],
      issuer: config.issuer,
      audience: 'api'
    });
    expect(protectedHeader).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: ed.jwk.kid });
    expect(payload.sub).toBe(CALLER);

    const [header, claims, signature] = token.split('.');
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: ed.jwk.x }, format: 'jwk' });
    expect(verify(null, Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature!, 'base64url'))).toBe(true);
  });

  it('use the default algorithm when none is asked for', () => {
    const planned = planIssuance(context({ options: {} }));
    expect(planned.ok && planned.value.key.alg).toBe('ES256K');
    const edDefault = applyConfigInput(config, { defaultAlgorithm: 'EdDSA' });
    const planned2 = planIssuance(context({ config: edDefault, options: {} }));
    expect(planned2.ok && planned2.value.key.jwk.kid).toBe(ed.jwk.kid);
  });

  it('are refused for an algorithm that is not enabled, naming the enabled ones', () => {
    const esOnly = applyConfigInput(config, { algorithms: ['ES256K'] });
    expect(planIssuance(context({ config: esOnly }))).toEqual({
      ok: false,
      error: { kind: 'AlgorithmNotEnabled', algorithm: 'EdDSA', enabled: ['ES256K'] }
    });
    expect(planIssuance(context({ options: { algorithm: 'HS256' } }))).toMatchObject({
      ok: false,
      error: { kind: 'AlgorithmNotEnabled', algorithm: 'HS256', enabled: ['ES256K', 'EdDSA'] }
    });
  });

  it('wait for their own key: an ES256K key never signs an EdDSA token', () => {
    const ecOnly = activateKey(EMPTY_KEY_RING, ec);
    expect(planIssuance(context({ keyRing: ecOnly }))).toEqual({
      ok: false,
      error: { kind: 'SigningKeyNotReady', algorithm: 'EdDSA', status: { kind: 'Fetching' } }
    });
  });

  it('need a 64-byte signature', () => {
    expect(() => compactJws('a.b', new Uint8Array(63), 'EdDSA')).toThrow(JwsError);
    const planned = planIssuance(context());
    if (!planned.ok) throw new Error('planning failed');
    expect(() => completeIssuanceBytes(planned.value, new Uint8Array(65))).toThrow(JwsError);
  });

  it('reach the reply as the same token in bytes', () => {
    const planned = planIssuance(context());
    if (!planned.ok) throw new Error('planning failed');
    const signature = signEd25519(planned.value.message, edKey);
    expect(new TextDecoder().decode(completeIssuanceBytes(planned.value, signature).token)).toBe(completeIssuance(planned.value, signature).token);
  });
});

describe('algorithm confusion', () => {
  it('jose refuses an EdDSA token presented with the ES256K key, and the reverse', async () => {
    const edToken = issueEdDsa();
    const ecKeyForEdToken = { keys: [{ ...ec.jwk, kid: ed.jwk.kid }] };
    await expect(jwtVerify(edToken, createLocalJWKSet(ecKeyForEdToken), { algorithms: ['EdDSA'] })).rejects.toThrow();

    const planned = planIssuance(context({ options: { algorithm: 'ES256K' } }));
    if (!planned.ok) throw new Error('planning failed');
    const ecToken = completeIssuance(planned.value, signDigest(planned.value.message, ecKey.secretKey)).token;
    const edKeyForEcToken = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: ed.jwk.x }, 'EdDSA');
    await expect(jwtVerify(ecToken, edKeyForEcToken, { algorithms: ['ES256K', 'EdDSA'] })).rejects.toThrow();
    // Pinned to EdDSA, jose does not even try an ES256K token.
    await expect(jwtVerify(ecToken, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] })).rejects.toThrow(/alg/);
  });
});
