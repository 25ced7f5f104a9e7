import { generateKeyPairSync, randomBytes, sign as nodeSign } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';

import { es256kJwk } from '../../src/backend/core/jwk';
import { JwksInvalidError } from '../../src/verifier/errors';
import { parseJwks } from '../../src/verifier/jwks';
import { importJwk, openSslHasSecp256k1, UnusableKeyError } from '../../src/verifier/keys';
import { b64 } from './support/forge';

function ecKey() {
  const secretKey = secp256k1.utils.randomSecretKey();
  return { secretKey, jwk: es256kJwk(secp256k1.getPublicKey(secretKey, true)) as unknown as Record<string, unknown> };
}

function unusable(jwk: Record<string, unknown>): string {
  try {
    importJwk(jwk);
  } catch (error) {
    expect(error).toBeInstanceOf(UnusableKeyError);
    return (error as Error).message;
  }
  throw new Error('imported');
}

describe('importing JWKs', () => {
  it('uses OpenSSL for secp256k1 on this Node', () => {
    expect(openSslHasSecp256k1()).toBe(true);
    expect(importJwk(ecKey().jwk)!.backend).toBe('node');
  });

  it('verifies secp256k1 signatures identically with the node:crypto and noble backends', () => {
    const { secretKey, jwk } = ecKey();
    const node = importJwk(jwk, 'node')!;
    const noble = importJwk(jwk, 'noble')!;
    for (let i = 0; i < 30; i++) {
      const message = randomBytes(20 + i);
      const signature = secp256k1.sign(sha256(message), secretKey, { prehash: false }).toCompactRawBytes();
      const tampered = Buffer.from(signature);
      tampered[i % 64]! ^= 0x40;
      const otherMessage = Buffer.concat([message, Buffer.of(0)]);
      for (const [input, sig, expected] of [
        [message, signature, true],
        [message, tampered, false],
        [otherMessage, signature, false]
      ] as const) {
        expect(node.verify(input, sig)).toBe(expected);
        expect(noble.verify(input, sig)).toBe(expected);
      }
    }
  });

  it('verifies Ed25519 signatures made by node:crypto and by noble', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'ed', alg: 'EdDSA', use: 'sig' };
    const key = importJwk(jwk)!;
    expect(key.alg).toBe('EdDSA');
    const message = randomBytes(50);
    expect(key.verify(message, nodeSign(null, message, privateKey))).toBe(true);
    expect(key.verify(Buffer.concat([message, Buffer.of(1)]), nodeSign(null, message, privateKey))).toBe(false);
    const secret = ed25519.utils.randomSecretKey();
    const nobleKey = importJwk({ kty: 'OKP', crv: 'Ed25519', x: b64(ed25519.getPublicKey(secret)), kid: 'n' })!;
    expect(nobleKey.verify(message, ed25519.sign(message, secret))).toBe(true);
  });

  it('derives alg from kty and crv when the JWK has none', () => {
    const { jwk } = ecKey();
    delete jwk['alg'];
    expect(importJwk(jwk)!.alg).toBe('ES256K');
  });

  it('skips key types it does not verify', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    expect(importJwk({ ...rsa, kid: 'r' })).toBeUndefined();
    expect(importJwk({ ...p256, kid: 'p' })).toBeUndefined();
    expect(importJwk({ kty: 'oct', k: 'c2VjcmV0', kid: 'h' })).toBeUndefined();
    expect(importJwk({ kty: 'OKP', crv: 'X25519', x: b64(randomBytes(32)), kid: 'x' })).toBeUndefined();
  });

  it.each([
    ['no kid', { kid: undefined }, /no kid/],
    ['an alg of another family', { alg: 'ES256' }, /does not fit/],
    ['alg none', { alg: 'none' }, /does not fit/],
    ['use enc', { use: 'enc' }, /use/],
    ['key_ops without verify', { key_ops: ['sign'] }, /key_ops/],
    ['a private part', { d: b64(randomBytes(32)) }, /private key/],
    ['a short x', { x: b64(randomBytes(31)) }, /"x"/],
    ['a padded y', { y: `${b64(randomBytes(32))}=` }, /"y"/],
    ['a point off the curve', { y: b64(randomBytes(32)) }, /not on secp256k1/]
  ])('refuses an EC key with %s', (_what, change, message) => {
    expect(unusable({ ...ecKey().jwk, ...change })).toMatch(message);
  });

  it('refuses Ed25519 keys of small order or off the curve', () => {
    const identity = Buffer.alloc(32);
    identity[0] = 1;
    expect(unusable({ kty: 'OKP', crv: 'Ed25519', x: b64(identity), kid: 'z' })).toMatch(/small order/);
    const notAPoint = Buffer.from('0200000000000000000000000000000000000000000000000000000000000000', 'hex');
    expect(() => ed25519.Point.fromBytes(notAPoint)).toThrow();
    expect(unusable({ kty: 'OKP', crv: 'Ed25519', x: b64(notAPoint), kid: 'z' })).toMatch(/not an Ed25519 point/);
  });
});

describe('parsing a JWK Set', () => {
  it('keeps usable keys by kid, notes unusable ones, skips the rest', () => {
    const good = ecKey().jwk;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const set = parseJwks({
      keys: [good, { ...ecKey().jwk, kid: good['kid'] }, { ...ecKey().jwk, kid: 'bad', alg: 'ES256' }, { ...rsa, kid: 'rsa' }, 'junk', null, [], 42]
    });
    expect([...set.byKid.keys()]).toEqual([good['kid']]);
    expect(set.unusable.get('bad')).toMatch(/does not fit/);
    expect(set.byKid.has('rsa') || set.unusable.has('rsa')).toBe(false);
  });

  it('keeps the first of two keys with one kid', () => {
    const first = ecKey();
    const second = ecKey();
    const set = parseJwks({ keys: [first.jwk, { ...second.jwk, kid: first.jwk['kid'] }] });
    const message = Buffer.from('hello');
    const signature = secp256k1.sign(sha256(message), first.secretKey, { prehash: false }).toCompactRawBytes();
    expect(set.byKid.get(first.jwk['kid'] as string)!.verify(message, signature)).toBe(true);
  });

  it.each([[null], [[]], ['{"keys":[]}'], [{}], [{ keys: {} }]])('refuses %j as a JWK Set', (document) => {
    expect(() => parseJwks(document)).toThrow(JwksInvalidError);
  });

  it('accepts an empty key set (a canister whose key is not ready yet)', () => {
    expect(parseJwks({ keys: [] }).byKid.size).toBe(0);
  });
});
