import { generateKeyPairSync, randomBytes, sign as nodeSign } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';

import { es256kJwk } from '../../src/backend/core/jwk';
import { JwksInvalidError } from '@ic-jwt/verifier';
import { nobleCrypto } from '../../packages/verifier/src/crypto_noble';
import { nodeCrypto, openSslHasSecp256k1 } from '../../packages/verifier/src/crypto_node';
import { webCrypto } from '../../packages/verifier/src/crypto_web';
import { parseJwks } from '../../packages/verifier/src/jwks';
import { importJwk as importWith, UnusableKeyError, type VerificationKey } from '../../packages/verifier/src/keys';
import { b64 } from './support/forge';

function ecKey() {
  const secretKey = secp256k1.utils.randomSecretKey();
  return { secretKey, jwk: es256kJwk(secp256k1.getPublicKey(secretKey, true)) as unknown as Record<string, unknown> };
}

/** Node's provider unless another is named; defined means usable. */
const importJwk = async (jwk: Record<string, unknown>, crypto = nodeCrypto): Promise<VerificationKey> => (await importWith(jwk, crypto))!;
const PROVIDERS = { node: nodeCrypto, web: webCrypto, noble: nobleCrypto } as const;

async function unusable(jwk: Record<string, unknown>): Promise<string> {
  try {
    await importJwk(jwk);
  } catch (error) {
    expect(error).toBeInstanceOf(UnusableKeyError);
    return (error as Error).message;
  }
  throw new Error('imported');
}

describe('importing JWKs', () => {
  it('uses OpenSSL for both on this Node, WebCrypto for Ed25519 in the web provider, noble otherwise', async () => {
    expect(openSslHasSecp256k1()).toBe(true);
    const ed = { ...generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }), kid: 'ed' };
    expect((await importJwk(ecKey().jwk)).backend).toBe('node');
    expect((await importJwk(ed)).backend).toBe('node');
    expect((await importJwk(ecKey().jwk, webCrypto)).backend).toBe('noble');
    expect((await importJwk(ed, webCrypto)).backend).toBe('webcrypto');
    expect((await importJwk(ed, nobleCrypto)).backend).toBe('noble');
  });

  it('verifies secp256k1 signatures identically with the node:crypto and noble backends', async () => {
    const { secretKey, jwk } = ecKey();
    const node = await importJwk(jwk, nodeCrypto);
    const noble = await importJwk(jwk, nobleCrypto);
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

  it.each(Object.entries(PROVIDERS))('verifies Ed25519 signatures made by node:crypto and by noble (%s provider)', async (_name, crypto) => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'ed', alg: 'EdDSA', use: 'sig' };
    const key = await importJwk(jwk, crypto);
    expect(key.alg).toBe('EdDSA');
    const message = randomBytes(50);
    expect(await key.verify(message, nodeSign(null, message, privateKey))).toBe(true);
    expect(await key.verify(Buffer.concat([message, Buffer.of(1)]), nodeSign(null, message, privateKey))).toBe(false);
    const secret = ed25519.utils.randomSecretKey();
    const nobleKey = await importJwk({ kty: 'OKP', crv: 'Ed25519', x: b64(ed25519.getPublicKey(secret)), kid: 'n' }, crypto);
    expect(await nobleKey.verify(message, ed25519.sign(message, secret))).toBe(true);
  });

  it('derives alg from kty and crv when the JWK has none', async () => {
    const { jwk } = ecKey();
    delete jwk['alg'];
    expect((await importJwk(jwk)).alg).toBe('ES256K');
  });

  it('skips key types it does not verify', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    expect(await importWith({ ...rsa, kid: 'r' }, nodeCrypto)).toBeUndefined();
    expect(await importWith({ ...p256, kid: 'p' }, nodeCrypto)).toBeUndefined();
    expect(await importWith({ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }, nodeCrypto)).toBeUndefined();
    expect(await importWith({ kty: 'OKP', crv: 'X25519', x: b64(randomBytes(32)), kid: 'x' }, nodeCrypto)).toBeUndefined();
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
  ])('refuses an EC key with %s', async (_what, change, message) => {
    expect(await unusable({ ...ecKey().jwk, ...change })).toMatch(message);
  });

  it('refuses Ed25519 keys of small order or off the curve', async () => {
    const identity = Buffer.alloc(32);
    identity[0] = 1;
    expect(await unusable({ kty: 'OKP', crv: 'Ed25519', x: b64(identity), kid: 'z' })).toMatch(/small order/);
    const notAPoint = Buffer.from('0200000000000000000000000000000000000000000000000000000000000000', 'hex');
    expect(() => ed25519.Point.fromBytes(notAPoint)).toThrow();
    expect(await unusable({ kty: 'OKP', crv: 'Ed25519', x: b64(notAPoint), kid: 'z' })).toMatch(/not an Ed25519 point/);
  });
});

describe('parsing a JWK Set', () => {
  it('keeps usable keys by kid, notes unusable ones, skips the rest', async () => {
    const good = ecKey().jwk;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const set = await parseJwks(
      { keys: [good, { ...ecKey().jwk, kid: good['kid'] }, { ...ecKey().jwk, kid: 'bad', alg: 'ES256' }, { ...rsa, kid: 'rsa' }, 'junk', null, [], 42] },
      nodeCrypto
    );
    expect([...set.byKid.keys()]).toEqual([good['kid']]);
    expect(set.unusable.get('bad')).toMatch(/does not fit/);
    expect(set.byKid.has('rsa') || set.unusable.has('rsa')).toBe(false);
  });

  it('keeps the first of two keys with one kid', async () => {
    const first = ecKey();
    const second = ecKey();
    const set = await parseJwks({ keys: [first.jwk, { ...second.jwk, kid: first.jwk['kid'] }] }, nodeCrypto);
    const message = Buffer.from('hello');
    const signature = secp256k1.sign(sha256(message), first.secretKey, { prehash: false }).toCompactRawBytes();
    expect(set.byKid.get(first.jwk['kid'] as string)!.verify(message, signature)).toBe(true);
  });

  it.each([[null], [[]], ['{"keys":[]}'], [{}], [{ keys: {} }]])('refuses %j as a JWK Set', async (document) => {
    await expect(parseJwks(document, nodeCrypto)).rejects.toThrow(JwksInvalidError);
  });

  it('accepts an empty key set (a canister whose key is not ready yet)', async () => {
    expect((await parseJwks({ keys: [] }, nodeCrypto)).byKid.size).toBe(0);
  });
});
