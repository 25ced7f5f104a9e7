import { createPublicKey, verify as nodeVerify, createHash, type KeyObject } from 'node:crypto';
import { Principal } from '@dfinity/principal';
import { ed25519 } from '@noble/curves/ed25519.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, concatBytes, numberToBytesBE } from '@noble/curves/utils.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { createThresholdKeys, KEY_NAMES } from '../../packages/local-ic/src/threshold';

const keys = createThresholdKeys();
const CANISTER_A = Principal.fromText('h5jwf-5iaaa-aaaan-qmvoa-cai').toUint8Array();
const CANISTER_B = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai').toUint8Array();
const PATHS: Uint8Array[][] = [[], [utf8ToBytes('jwt')], [utf8ToBytes('a'), Uint8Array.of(0, 255), new Uint8Array(300).fill(9)]];
const OTHER_PATH = [utf8ToBytes('jwt2')];
const SECP256K1_HALF_ORDER = secp256k1.Point.Fn.ORDER >> 1n;

describe('sign_with_ecdsa', () => {
  for (const keyName of KEY_NAMES) {
    it(`${keyName}: verifies under the derived key with noble and node:crypto, low S`, () => {
      for (const path of PATHS) {
        const message = utf8ToBytes(`header.payload for ${keyName}/${path.length}`);
        const hash = sha256(message);
        const { publicKey } = keys.ecdsaPublicKey(keyName, CANISTER_A, path);
        const signature = keys.signWithEcdsa(keyName, CANISTER_A, path, hash);

        expect(signature.length).toBe(64);
        expect(secp256k1.verify(signature, hash, publicKey, { prehash: false })).toBe(true);
        expect(nodeVerify('sha256', message, { key: secp256k1NodeKey(publicKey), dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
        expect(bytesToNumberBE(signature.subarray(32))).toBeLessThanOrEqual(SECP256K1_HALF_ORDER);
      }
    });
  }

  it('signs the hash as given, without hashing it again', () => {
    const hash = sha256(utf8ToBytes('payload'));
    const { publicKey } = keys.ecdsaPublicKey('key_1', CANISTER_A, []);
    const signature = keys.signWithEcdsa('key_1', CANISTER_A, [], hash);
    expect(secp256k1.verify(signature, hash, publicKey, { prehash: false })).toBe(true);
    expect(secp256k1.verify(signature, hash, publicKey, { prehash: true })).toBe(false);
  });

  it('is low S for many different hashes', () => {
    for (let i = 0; i < 200; i++) {
      const signature = keys.signWithEcdsa('test_key_1', CANISTER_B, [], sha256(Uint8Array.of(i)));
      expect(bytesToNumberBE(signature.subarray(32))).toBeLessThanOrEqual(SECP256K1_HALF_ORDER);
    }
  });

  it('does not verify under another canister, another path, another key name, or for a changed hash', () => {
    const hash = sha256(utf8ToBytes('claims'));
    const signature = keys.signWithEcdsa('key_1', CANISTER_A, [utf8ToBytes('jwt')], hash);
    const verifiesUnder = (publicKey: Uint8Array, h = hash) => secp256k1.verify(signature, h, publicKey, { prehash: false });

    expect(verifiesUnder(keys.ecdsaPublicKey('key_1', CANISTER_A, [utf8ToBytes('jwt')]).publicKey)).toBe(true);
    expect(verifiesUnder(keys.ecdsaPublicKey('key_1', CANISTER_B, [utf8ToBytes('jwt')]).publicKey)).toBe(false);
    expect(verifiesUnder(keys.ecdsaPublicKey('key_1', CANISTER_A, OTHER_PATH).publicKey)).toBe(false);
    expect(verifiesUnder(keys.ecdsaPublicKey('test_key_1', CANISTER_A, [utf8ToBytes('jwt')]).publicKey)).toBe(false);
    const changed = hash.slice();
    changed[0] = changed[0]! ^ 1;
    expect(verifiesUnder(keys.ecdsaPublicKey('key_1', CANISTER_A, [utf8ToBytes('jwt')]).publicKey, changed)).toBe(false);
  });
});

describe('sign_with_schnorr, ed25519', () => {
  const messages = [new Uint8Array(0), Uint8Array.of(42), utf8ToBytes('a JWT signing input'), new Uint8Array(10_000).fill(7)];

  for (const keyName of KEY_NAMES) {
    it(`${keyName}: verifies under the derived key with node:crypto and noble, for messages of any length`, () => {
      for (const path of PATHS) {
        const { publicKey } = keys.schnorrPublicKey('ed25519', keyName, CANISTER_A, path);
        const nodeKey = ed25519NodeKey(publicKey);
        for (const message of messages) {
          const signature = keys.signWithSchnorr('ed25519', keyName, CANISTER_A, path, message);
          expect(signature.length).toBe(64);
          expect(nodeVerify(null, message, nodeKey, signature)).toBe(true);
          expect(ed25519.verify(signature, message, publicKey)).toBe(true);
        }
      }
    });
  }

  it('is deterministic, like RFC 8032', () => {
    const message = utf8ToBytes('same input');
    expect(keys.signWithSchnorr('ed25519', 'key_1', CANISTER_A, [], message)).toEqual(
      keys.signWithSchnorr('ed25519', 'key_1', CANISTER_A, [], message)
    );
  });

  it('does not verify under another canister, another path, or for a changed message', () => {
    const message = utf8ToBytes('claims');
    const signature = keys.signWithSchnorr('ed25519', 'key_1', CANISTER_A, PATHS[1]!, message);
    const verifiesUnder = (publicKey: Uint8Array, m = message) => nodeVerify(null, m, ed25519NodeKey(publicKey), signature);

    expect(verifiesUnder(keys.schnorrPublicKey('ed25519', 'key_1', CANISTER_A, PATHS[1]!).publicKey)).toBe(true);
    expect(verifiesUnder(keys.schnorrPublicKey('ed25519', 'key_1', CANISTER_B, PATHS[1]!).publicKey)).toBe(false);
    expect(verifiesUnder(keys.schnorrPublicKey('ed25519', 'key_1', CANISTER_A, OTHER_PATH).publicKey)).toBe(false);
    expect(verifiesUnder(keys.schnorrPublicKey('ed25519', 'key_1', CANISTER_A, PATHS[1]!).publicKey, utf8ToBytes('claimz'))).toBe(false);
  });
});

describe('sign_with_schnorr, bip340secp256k1', () => {
  const messages = [new Uint8Array(0), sha256(utf8ToBytes('tx')), utf8ToBytes('a message that is not 32 bytes long')];

  for (const keyName of KEY_NAMES) {
    it(`${keyName}: verifies under the x-only derived key with noble's BIP-340 verifier`, () => {
      for (const path of PATHS) {
        const { publicKey } = keys.schnorrPublicKey('bip340secp256k1', keyName, CANISTER_A, path);
        for (const message of messages) {
          const signature = keys.signWithSchnorr('bip340secp256k1', keyName, CANISTER_A, path, message);
          expect(signature.length).toBe(64);
          expect(schnorr.verify(signature, message, publicKey.subarray(1))).toBe(true);
        }
      }
    });
  }

  it('does not verify under another canister, another path, or for a changed message', () => {
    const message = utf8ToBytes('claims');
    const signature = keys.signWithSchnorr('bip340secp256k1', 'key_1', CANISTER_A, PATHS[1]!, message);
    const verifiesUnder = (publicKey: Uint8Array, m = message) => schnorr.verify(signature, m, publicKey.subarray(1));

    expect(verifiesUnder(keys.schnorrPublicKey('bip340secp256k1', 'key_1', CANISTER_A, PATHS[1]!).publicKey)).toBe(true);
    expect(verifiesUnder(keys.schnorrPublicKey('bip340secp256k1', 'key_1', CANISTER_B, PATHS[1]!).publicKey)).toBe(false);
    expect(verifiesUnder(keys.schnorrPublicKey('bip340secp256k1', 'key_1', CANISTER_A, OTHER_PATH).publicKey)).toBe(false);
    expect(verifiesUnder(keys.schnorrPublicKey('bip340secp256k1', 'key_1', CANISTER_A, PATHS[1]!).publicKey, utf8ToBytes('claimz'))).toBe(false);
  });

  it('with a BIP-341 merkle root in aux, signs for the taproot output key (empty root and 32-byte root)', () => {
    const message = sha256(utf8ToBytes('taproot spend'));
    const { publicKey } = keys.schnorrPublicKey('bip340secp256k1', 'test_key_1', CANISTER_A, PATHS[2]!);
    for (const merkleRoot of [new Uint8Array(0), sha256(utf8ToBytes('script tree'))]) {
      const signature = keys.signWithSchnorr('bip340secp256k1', 'test_key_1', CANISTER_A, PATHS[2]!, message, merkleRoot);
      expect(schnorr.verify(signature, message, taprootOutputKey(publicKey, merkleRoot))).toBe(true);
      expect(schnorr.verify(signature, message, publicKey.subarray(1))).toBe(false);
    }
  });
});

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

function secp256k1NodeKey(compressed: Uint8Array): KeyObject {
  const { x, y } = secp256k1.Point.fromBytes(compressed).toAffine();
  const coordinate = (value: bigint) => Buffer.from(numberToBytesBE(value, 32)).toString('base64url');
  return createPublicKey({ key: { kty: 'EC', crv: 'secp256k1', x: coordinate(x), y: coordinate(y) }, format: 'jwk' });
}

function ed25519NodeKey(raw: Uint8Array): KeyObject {
  const spkiPrefix = Uint8Array.from(Buffer.from('302a300506032b6570032100', 'hex'));
  return createPublicKey({ key: Buffer.from(concatBytes(spkiPrefix, raw)), format: 'der', type: 'spki' });
}

/** BIP-341: Q = lift_x(x(P)) + int(tagged_hash("TapTweak", x(P) || merkleRoot)) * G. */
function taprootOutputKey(compressedInternalKey: Uint8Array, merkleRoot: Uint8Array): Uint8Array {
  const internalX = compressedInternalKey.subarray(1);
  const internal = schnorr.utils.lift_x(bytesToNumberBE(internalX));
  const tweak = bytesToNumberBE(schnorr.utils.taggedHash('TapTweak', internalX, merkleRoot));
  return schnorr.utils.pointToBytes(internal.add(schnorr.Point.BASE.multiply(tweak)));
}
