import { createPublicKey, verify as nodeVerify, type JsonWebKey } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';

import { base64UrlDecode, base64UrlEncode } from '../../src/backend/core/base64url';
import { bigIntToBytes, bytesToBigInt } from '../../src/backend/core/bytes';
import { defaultConfig } from '../../src/backend/core/config';
import { completeIssuance, completeIssuanceBytes, planIssuance, type IssuancePlan } from '../../src/backend/core/issuance';
import { activateKey, EMPTY_KEY_RING, es256kSigningKey } from '../../src/backend/core/key_ring';
import { SECP256K1_ORDER } from '../../src/backend/core/secp256k1';
import { signDigest, testKeyPair } from '../support/keys';

const CANISTER = 'bkyz2-fmaaa-aaaaa-qaaaq-cai';
const CALLER = 'xkbqi-2qaaa-aaaah-qbpqq-cai';
const NOW = 1_800_000_000_000_000_000n;

function plannedToken(compressedPublicKey: Uint8Array): IssuancePlan {
  const key = es256kSigningKey('dfx_test_key', 1, compressedPublicKey);
  const planned = planIssuance({
    config: { ...defaultConfig(CANISTER), allowedExtraClaims: ['role'] },
    keyRing: activateKey(EMPTY_KEY_RING, key),
    caller: CALLER,
    options: { extraClaims: '{"role":"chat"}' },
    nowNanos: NOW,
    cycleBalance: 10n ** 14n,
    callerBucket: undefined,
    globalWindow: undefined,
    sequence: 0n,
    jtiSeed: new Uint8Array(32)
  });
  if (!planned.ok) throw new Error(`planning failed: ${planned.error.kind}`);
  return planned.value;
}

function verifiesWithNode(token: string, jwk: JsonWebKey): boolean {
  const [header, payload, signature] = token.split('.');
  return nodeVerify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    base64UrlDecode(signature!)
  );
}

describe('an ES256K JWT assembled by the core', () => {
  const { secretKey, compressedPublicKey } = testKeyPair();
  const plan = plannedToken(compressedPublicKey);
  const issued = completeIssuance(plan, signDigest(plan.message, secretKey));
  const jwk: JsonWebKey = { ...plan.key.jwk };

  it('has the header and claims of the spec', () => {
    const [header, payload] = issued.token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'ES256K', typ: 'JWT', kid: plan.key.jwk.kid });
    const iat = Number(NOW / 1_000_000_000n);
    expect(payload).toMatchObject({ iss: `https://${CANISTER}.icp0.io`, sub: CALLER, aud: CANISTER, iat, nbf: iat, exp: iat + 3600, role: 'chat' });
    expect(typeof payload.jti).toBe('string');
    expect(issued).toMatchObject({ expiresAt: iat + 3600, kid: plan.key.jwk.kid });
  });

  it('verifies with node:crypto (JWK import, IEEE P1363 signature)', () => {
    expect(verifiesWithNode(issued.token, jwk)).toBe(true);
  });

  it('fails verification after any one-byte change to header, payload or signature', () => {
    const parts = issued.token.split('.').map((part) => base64UrlDecode(part));
    let attempts = 0;
    parts.forEach((bytes, partIndex) => {
      for (let i = 0; i < bytes.length; i++) {
        const changed = bytes.slice();
        changed[i]! ^= 0x01;
        const tampered = parts.map((part, index) => base64UrlEncode(index === partIndex ? changed : part)).join('.');
        expect(verifiesWithNode(tampered, jwk), `part ${partIndex} byte ${i}`).toBe(false);
        attempts++;
      }
    });
    expect(attempts).toBeGreaterThan(200);
  });

  it('always carries the low-S signature, even when the signer returns high-S', () => {
    const low = signDigest(plan.message, secretKey);
    const s = bytesToBigInt(low.subarray(32));
    const high = Uint8Array.of(...low.subarray(0, 32), ...bigIntToBytes(SECP256K1_ORDER - s, 32));
    const fromHigh = completeIssuance(plan, high);
    expect(fromHigh.token).toBe(issued.token);
    const signature = base64UrlDecode(fromHigh.token.split('.')[2]!);
    expect(secp256k1.verify(signature, plan.message, compressedPublicKey, { prehash: false })).toBe(true);
  });

  it('gives the reply the same token as bytes, from a high-S signature too', () => {
    const low = signDigest(plan.message, secretKey);
    const high = Uint8Array.of(...low.subarray(0, 32), ...bigIntToBytes(SECP256K1_ORDER - bytesToBigInt(low.subarray(32)), 32));
    for (const signature of [low, high]) {
      const asBytes = completeIssuanceBytes(plan, signature);
      expect(new TextDecoder().decode(asBytes.token)).toBe(issued.token);
      expect(asBytes).toMatchObject({ expiresAt: issued.expiresAt, kid: issued.kid });
    }
  });

  it('does not verify under another key', () => {
    const other = es256kSigningKey('dfx_test_key', 1, testKeyPair().compressedPublicKey);
    expect(verifiesWithNode(issued.token, { ...other.jwk })).toBe(false);
  });
});
