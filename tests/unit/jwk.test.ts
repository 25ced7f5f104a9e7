import { createPublicKey } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';

import { es256kJwk, JwkError, jwkThumbprint } from '../../src/backend/core/jwk';
import { testKeyPair } from '../support/keys';

describe('RFC 7638 thumbprint', () => {
  it('reproduces the example of RFC 7638 §3.1', () => {
    const rfcKey = {
      kty: 'RSA',
      n:
        '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn6' +
        '4tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n9' +
        '1CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29'
    };
    expect(jwkThumbprint(rfcKey)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('agrees with jose for secp256k1 keys and ignores optional members', async () => {
    for (let i = 0; i < 5; i++) {
      const jwk = es256kJwk(testKeyPair().compressedPublicKey);
      expect(jwk.kid).toBe(await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'sha256'));
      expect(jwkThumbprint({ ...jwk, kid: 'other', use: 'enc' })).toBe(jwk.kid);
    }
  });

  it('refuses key types and members it cannot hash', () => {
    expect(() => jwkThumbprint({ kty: 'XYZ' })).toThrow(JwkError);
    expect(() => jwkThumbprint({ kty: 'EC', crv: 'secp256k1', x: 'AA' })).toThrow(/"y"/);
  });
});

describe('ES256K JWK', () => {
  it('describes the same point as the compressed key, as Node reads it', () => {
    const { compressedPublicKey } = testKeyPair();
    const jwk = es256kJwk(compressedPublicKey);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'secp256k1', alg: 'ES256K', use: 'sig' });
    expect(Object.keys(jwk)).not.toContain('d');
    const spki = createPublicKey({ key: { ...jwk }, format: 'jwk' }).export({ format: 'der', type: 'spki' });
    const uncompressed = secp256k1.Point.fromBytes(compressedPublicKey).toBytes(false);
    expect(Buffer.from(spki.subarray(spki.length - 65)).equals(Buffer.from(uncompressed))).toBe(true);
  });
});
